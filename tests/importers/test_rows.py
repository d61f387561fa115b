"""Names in every script, and a row validated against a small catalogue."""

from __future__ import annotations

import pytest

from checkin_app.importers.rows import (
    ActivityRef,
    Catalog,
    CategoryRef,
    RowOptions,
    RowValidator,
    names,
)


def test_chinese_name_gets_pinyin_in_family_first_order() -> None:
    n = names("张 伟", "", "", "")
    assert n == {"family_name": "张", "given_name": "伟", "name_native": "张伟",
                 "name_latin": "ZHANG Wei", "name_order": "eastern"}
    assert names("欧阳娜娜", "", "", "")["name_latin"] == "OUYANG Nana"  # type: ignore[index]
    assert names("曾志伟", "", "", "")["name_latin"] == "ZENG Zhiwei"  # type: ignore[index]


def test_given_latin_name_is_kept() -> None:
    assert names("李明", "", "", "LI Ming")["name_latin"] == "LI Ming"  # type: ignore[index]


def test_western_names() -> None:
    n = names("Maria Schmidt", "", "", "")
    assert n is not None
    assert (n["family_name"], n["given_name"], n["name_latin"], n["name_order"]) == (
        "Schmidt", "Maria", "Maria SCHMIDT", "western")
    n = names("PETROVIĆ Đorđe", "", "", "")
    assert n is not None and n["name_latin"] == "Đorđe PETROVIĆ"
    n = names("Smith, John", "", "", "")
    assert n is not None and (n["name_native"], n["name_latin"]) == ("John Smith", "John SMITH")


def test_cyrillic_name_gets_a_latin_form() -> None:
    n = names("Иван Петров", "", "", "")
    assert n is not None and n["name_latin"] == "Ivan PETROV" and n["name_native"] == "Иван Петров"


def test_no_name_at_all() -> None:
    assert names("", " ", "\u3000", "") is None


def _validator(**kw: object) -> RowValidator:
    cat = Catalog(
        [CategoryRef(1, "ATTENDEE", "参会者", "Attendee"), CategoryRef(2, "MEDIA", "媒体", "Media")],
        [ActivityRef(10, "MAIN", "主入口", "Main entrance", True, frozenset({"ATTENDEE", "MEDIA"})),
         ActivityRef(11, "OPENING", "开幕式", "Opening ceremony", False, frozenset({"ATTENDEE"}))],
    )
    headers = ["编号", "姓名", "类别", "活动", "手机"]
    return RowValidator(cat, headers, ["registration_code", "name", "category", "activities", "phone"],
                        RowOptions(**kw), sheet="S")  # type: ignore[arg-type]


def test_valid_row_and_individual_admission() -> None:
    out = _validator().validate(5, ["r-1", "陈静", "媒体 MEDIA", "主入口、开幕式", "138 0013 8000"])
    assert out.record is not None
    assert out.record.registration_code == "R-1"
    assert out.record.values["category_id"] == 2
    assert out.record.activities == frozenset({11}) and out.record.extra_admissions == frozenset({11})
    assert [p.code for p in out.problems] == ["activity_extra"]
    assert out.problems[0].line == 5 and out.problems[0].column == "活动" and out.problems[0].sheet == "S"


def test_phone_is_not_kept_unless_configured() -> None:
    row = ["R1", "张伟", "参会者", "", 13800138000.0]
    assert _validator().validate(2, row).record.private == {}  # type: ignore[union-attr]
    kept = _validator(keep=frozenset({"phone"})).validate(2, row).record
    assert kept is not None and kept.private == {"phone": "13800138000"}


def test_row_kinds() -> None:
    v = _validator()
    assert v.validate(3, [None, "", "  "]).kind == "blank"
    assert v.validate(3, ["合计", "", "", "", ""]).kind == "total"
    assert v.validate(3, ["Total: 12"]).kind == "total"
    assert v.validate(3, ["编号", "姓名", "类别", "活动", "手机"]).kind == "header"
    assert v.validate(3, ["R9", "合计", "参会者", "", ""]).kind == "data"  # a person named 合计 is data


def test_numeric_code_padded_to_width() -> None:
    out = _validator(code_width=6).validate(4, [102.0, "张伟", "参会者", "", ""])
    assert out.record is not None and out.record.registration_code == "000102"
    assert [p.code for p in out.problems] == ["code_padded"]


@pytest.mark.parametrize(("name", "reason"), [
    ("测试", "test"), ("测试用户1", "test"), ("test", "test"), ("Test User", "test"), ("TEST2", "test"),
    ("请填写真实姓名", "placeholder"), ("#N/A", "error"), ("#REF!", "error"), ("刘?", "lost"),
    ("——", "punctuation"), ("Testa Maria", None), ("Anna Tester", None), ("张伟", None),
    ("Đorđe Petrović", None), ("O'Brien", None),
])
def test_rows_that_are_no_person(name: str, reason: str | None) -> None:
    from checkin_app.importers.rows import junk_reason

    assert junk_reason(name) == reason


def test_the_report_says_what_a_badge_cannot_show() -> None:
    # An Arabic name gets no made-up Latin form; a character no bundled font has is named.
    v = _validator()
    out = v.validate(7, ["R7", "محمد عبد الله", "参会者", "", ""])
    assert out.record is not None and out.record.values["name_latin"] == ""
    codes = [p.code for p in out.problems]
    assert "latin_missing" in codes
    problem = next(p for p in out.problems if p.code == "latin_missing")
    assert "缺少外文名" in problem.message_zh and "Latin name missing" in problem.message_en
    odd = v.validate(8, ["R8", "张\U000f0001伟", "参会者", "", ""])  # a private-use character
    uncovered = [p for p in odd.problems if p.code == "uncovered_chars"]
    assert uncovered and "\U000f0001" in uncovered[0].message_en
    plain = v.validate(9, ["R9", "陈静", "参会者", "", ""])
    assert not {"latin_missing", "uncovered_chars"} & {p.code for p in plain.problems}


@pytest.mark.parametrize(("full", "country", "family", "given", "latin"), [
    ("Nguyễn Thị Minh Khai", "VN", "Nguyễn", "Thị Minh Khai", "NGUYỄN Thị Minh Khai"),
    ("Nagy István", "HU", "Nagy", "István", "NAGY István"),
    ("José Luis Rodríguez Zapatero", "ES", "Rodríguez Zapatero", "José Luis", "José Luis RODRÍGUEZ ZAPATERO"),
    ("PETROVIĆ Đorđe", "RS", "PETROVIĆ", "Đorđe", "Đorđe PETROVIĆ"),
    ("John Smith", "GB", "Smith", "John", "John SMITH"),
])
def test_a_name_in_one_field_is_split_by_its_culture(full: str, country: str, family: str, given: str,
                                                     latin: str) -> None:
    r = names(full, "", "", "", country=country)
    assert r is not None
    assert (r["family_name"], r["given_name"], r["name_latin"]) == (family, given, latin)


def test_the_import_report_csv_keeps_formulas_inert(tmp_path: object) -> None:
    # An export's cell "=HYPERLINK(...)" is reported as it came, but opens as text (issue 15, 9).
    import csv
    from pathlib import Path

    from checkin_app.importers.report import WARNING, problem, write_report

    path = Path(str(tmp_path)) / "report.csv"
    bad = problem("unknown_country", WARNING, sheet="S", line=3, column="国家",
                  value='=HYPERLINK("http://x","y")')
    assert write_report(path, [bad]) == 1
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][3] == "'" + '=HYPERLINK("http://x","y")'
