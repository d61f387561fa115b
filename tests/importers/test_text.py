"""Cell cleaning: wide forms, odd spaces, numbers Excel mangled, dates, lists."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from checkin_app.importers.text import (
    clean,
    digits_from_number,
    excel_serial_to_date,
    fold,
    parse_date,
    split_list,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("\u3000王\u3000芳\u3000", "王 芳"),
    ("\u00a0Zhang\u00a0 Wei ", "Zhang Wei"),
    ("ＣＱ－０００２", "CQ-0002"),
    ("zhaolei＠cqupt.edu.cn", "zhaolei@cqupt.edu.cn"),
    ("a\u200bb", "ab"),
    (13800138000.0, "13800138000"),
    (12.5, "12.5"),
    (None, ""),
    (datetime(2024, 11, 22), "2024-11-22"),
])
def test_clean(raw: object, expected: str) -> None:
    assert clean(raw) == expected


def test_fold_ignores_case_spaces_and_punctuation() -> None:
    assert fold("Registration No.") == fold("registration  no") == "registrationno"
    assert fold("国家/地区") == "国家地区"


@pytest.mark.parametrize(("raw", "digits", "lost"), [
    (13800138000.0, "13800138000", False),
    (13800138000, "13800138000", False),
    ("1.38001E+10", "13800100000", True),
    ("13800138000.0", "13800138000", False),
    ("１３８００１３８０００", "13800138000", False),
    ("1.3800138E+10", "13800138000", True),
])
def test_digits_from_number(raw: object, digits: str, lost: bool) -> None:
    assert digits_from_number(raw) == (digits, lost)


@pytest.mark.parametrize(("raw", "expected"), [
    (45619, date(2024, 11, 23)),
    (45619.5, date(2024, 11, 23)),
    ("45619", date(2024, 11, 23)),
    ("2024-11-23", date(2024, 11, 23)),
    ("2024/11/23 09:00", date(2024, 11, 23)),
    ("2024年11月23日", date(2024, 11, 23)),
    ("20241123", date(2024, 11, 23)),
    ("23/11/2024", date(2024, 11, 23)),
    ("11/23/2024", date(2024, 11, 23)),
    ("03/04/2024", None),  # ambiguous: refused rather than guessed
    ("23 Nov 2024", date(2024, 11, 23)),
    ("Nov 23, 2024", date(2024, 11, 23)),
    ("2024-02-30", None),
    ("soon", None),
])
def test_parse_date(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_excel_1904_epoch() -> None:
    assert excel_serial_to_date(44157, epoch_1904=True) == date(2024, 11, 23)


def test_split_list_on_every_separator() -> None:
    assert split_list("开幕式、SUMMIT，NEV,EIM;LAUNCH；RELEASE\nSIGNING\r\nXY_A/XY_B") == [
        "开幕式", "SUMMIT", "NEV", "EIM", "LAUNCH", "RELEASE", "SIGNING", "XY_A", "XY_B"]
    assert split_list("  ") == []
