"""Header recognition in Chinese and English with the variations real exports have."""

from __future__ import annotations

import pytest

from checkin_app.importers.fields import auto_mapping, column_letter, find_header, recognise


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), ("中文姓名", "name"), ("Name", "name"), ("Full name", "name"),
    ("单位", "organisation"), ("工作单位", "organisation"), ("Organization", "organisation"),
    ("国家/地区", "country"), ("Country/Region", "country"), ("国籍", "country"),
    ("类别", "category"), ("嘉宾类别", "category"), ("参会身份", "category"), ("Category", "category"),
    ("报名编号", "registration_code"), ("Registration No.", "registration_code"),
    ("参加活动", "activities"), ("Activities", "activities"),
    ("手机", "phone"), ("Mobile", "phone"), ("邮箱", "email"), ("E-mail", "email"),
    ("报名编号（必填）", "registration_code"), ("Email *", "email"), ("  姓名 ", "name"),
    ("单位（英文）", "organisation_en"), ("姓名拼音", "name_latin"), ("身份证号码", "id_number"),
    ("Job title", "position"), ("Title", "honorific"), ("First Name", "given_name"),
])
def test_recognise(header: str, field: str) -> None:
    assert recognise(header) == field


@pytest.mark.parametrize("header", ["序号", "", "2024 大会报名表", None, "Seat"])
def test_not_recognised(header: object) -> None:
    assert recognise(header) is None


def test_auto_mapping_uses_a_single_field_once_but_activities_many_times() -> None:
    assert auto_mapping(["姓名", "中文姓名", "活动1", "活动2", "Category"]) == [
        "name", None, "activities", "activities", "category"]


def test_find_header_skips_title_and_notes() -> None:
    rows = [["2024 大会报名表"] * 5, ["导出时间 2024-11-01"], [], ["报名编号", "姓名", "单位", "类别"],
            ["R1", "张伟", "重庆大学", "VIP"]]
    assert find_header(rows) == 3
    assert find_header([["a", "b"], ["1", "2"]]) is None


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
