"""What a row validator keeps per value (countries, categories, statuses, organisations, activity
lists, tracks) never changes an outcome: each row checked by a validator that has seen many
others gives what a fresh validator gives for that row alone, also after the options change."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.importers import rows as rows_module
from checkin_app.importers.rows import (
    ActivityRef,
    Catalog,
    CategoryRef,
    Outcome,
    RowOptions,
    RowValidator,
)

CATALOG = Catalog(
    [CategoryRef(1, "ATTENDEE", "参会者", "Attendee", ("普通参会人员",)),
     CategoryRef(2, "MEDIA", "媒体", "Media"),
     CategoryRef(3, "VIP", "贵宾", "VIP", ("嘉宾", "Guest")),
     CategoryRef(4, "TEAM", "参赛选手", "Contestant")],
    [ActivityRef(10, "MAIN", "主入口", "Main entrance", True,
                 frozenset({"ATTENDEE", "MEDIA", "VIP", "TEAM"})),
     ActivityRef(11, "OPENING", "开幕式", "Opening ceremony", False, frozenset({"ATTENDEE", "VIP"})),
     ActivityRef(12, "SUMMIT", "人才助力西部大开发高峰论坛", "Talent summit", False, frozenset({"VIP"})),
     ActivityRef(13, "XY_A", "星渝杯智能制造赛道决赛", "Xingyu Cup smart manufacturing final", False,
                 frozenset({"TEAM"})),
     ActivityRef(14, "XY_B", "星渝杯数字经济赛道决赛", "Xingyu Cup digital economy final", False,
                 frozenset()),
     ActivityRef(15, "SIGN", "签约仪式", "Signing ceremony", False, frozenset({"ATTENDEE"}))],
)

# Values as exports write them, few enough to repeat down a list next to different neighbours:
# the same category in a good row and in a junk row, the same name from another country, the
# same activity list under another category.
POOLS: dict[str, list[object]] = {
    "registration_code": ["B0001", "5", "005", 5, 7.0, " b 7 ", "bad code!", "X" * 70, "", None],
    "name": ["张伟", "张 伟", "欧阳娜娜", "曾志伟", "Maria Schmidt", "PETROVIĆ Đorđe", "Smith, John",
             "Иван Петров", "김민준", "田中 花子", "張偉", "测试", "#N/A", "刘?", "...", "", "\u3000",
             "请填写真实姓名", "李" * 130, "Ｌｉ Ｍｉｎｇ", "محمد"],
    "family_name": ["", "", "张", "Smith", "정"],
    "given_name": ["", "", "伟", "John", "지민"],
    "name_latin": ["", "", "ZHANG Wei", " "],
    "country": ["", "中国", "CN", "新加坡", "Germany", "Serbia", "HK", "台湾", "Korea, Republic of",
                "Atlantis", "Србија", "UA", "ＣＮ", "xx"],
    "category": ["", "参会者", "ATTENDEE", "A.普通参会人员", "Delegate", "贵宾 VIP", "嘉宾", "Nobody",
                 "媒体", "参赛选手", "B、媒体", "junk!!"],
    "activities": ["", "开幕式", "开幕式、SUMMIT", "高峰论坛", "签约仪式┋开幕式", "MAIN", "Unknown thing",
                   "opening ceremony;XY_A", "论坛", "XY_B", 11],
    "status": ["", "审核通过", "已取消", "待审核", "Checked In", "whatever", "pending"],
    "track": ["", "智能制造", "星渝杯·数字经济赛道", "火星赛道", "Main track", "组"],
    "phone": ["13800138000", "138-0013-8000", "1.38001E+10", 13800138000, "12345", ""],
    "email": ["a@b.cn", "User1@Example.CN", "bad@@x", ""],
    "organisation": ["重庆大学", "University of Cambridge", "", "ＩＢＭ（中国）有限公司", "O" * 320, "☃ Inc"],
    "organisation_en": ["", "Chongqing University", "O" * 320],
    "position": ["研究员", "Professor", "", "P" * 210],
    "attention_note": ["", "N" * 600],
}
MAPPINGS: list[list[str | None]] = [
    ["registration_code", "name", "name_latin", "organisation", "position", "country", "category",
     "activities", "phone", "email", None],
    ["registration_code", "family_name", "given_name", "organisation", "organisation_en", "country",
     "category", "status", "track", "email", "attention_note"],
    ["email", "name", "category", "category", "activities", "activities", "country", "status",
     "organisation_en", "phone"],
]
VALUE_MAP = {"category": {"普通参会人员": "ATTENDEE", "delegate": "ATTENDEE", "nobody": "reject"},
             "country": {"serbia": "RS", "atlantis": "-", "xx": "reject"},
             "activity": {"unknownthing": "-", "论坛": "reject"},
             "status": {"whatever": "approved", "pending": "reject"},
             "track": {"火星赛道": "XY_B", "组": "-", "maintrack": "reject"}}
OPTIONS = [RowOptions(), RowOptions(value_map=VALUE_MAP),
           RowOptions(default_category="MEDIA", code_width=4, keep=frozenset({"phone", "email"})),
           RowOptions(key_field="email", default_category="VIP", value_map={"category": {"junk": "VIP"}})]


def _row(mapping: list[str | None]) -> st.SearchStrategy[list[object]]:
    cells = [st.sampled_from(POOLS.get(f, ["", "zz"]) if f else ["", "zz"]) for f in mapping]
    full = st.tuples(*cells).map(list)
    # Now and then a short row, a blank one, a section or total row, the header again.
    odd = st.sampled_from([[], [""] * len(mapping), ["合计", "", "3"], ["一、院士专家"],
                           [f"{f}" for f in mapping]])
    return st.one_of(full, full, full, full.map(lambda c: c[: len(c) // 2]), odd)


def _fresh(mapping: list[str | None], options: RowOptions, line: int, cells: list[object]) -> Outcome:
    headers = [f"col{i}" for i in range(len(mapping))]
    return RowValidator(CATALOG, headers, mapping, options, sheet="S").validate(line, cells)


@st.composite
def _lists(draw: Any) -> tuple[int, int, int, int, list[list[object]]]:
    m = draw(st.integers(0, len(MAPPINGS) - 1))
    options = [i for i, o in enumerate(OPTIONS) if o.key_field in MAPPINGS[m]]
    first = draw(st.sampled_from(options))
    # Options set again keep the key (the validator's key field is the one it was made with).
    then = draw(st.sampled_from([i for i in options if OPTIONS[i].key_field == OPTIONS[first].key_field]))
    found = draw(st.lists(_row(MAPPINGS[m]), min_size=1, max_size=40))
    switch = draw(st.integers(0, len(found)))
    return m, first, then, switch, found


@settings(max_examples=150, deadline=None)
@given(_lists())
def test_a_long_lived_validator_gives_what_a_fresh_one_gives(
        drawn: tuple[int, int, int, int, list[list[object]]]) -> None:
    m, first, then, switch, found = drawn
    mapping = MAPPINGS[m]
    headers = [f"col{i}" for i in range(len(mapping))]
    validator = RowValidator(CATALOG, headers, mapping, OPTIONS[first], sheet="S")
    for n, cells in enumerate(found):
        if n == switch:
            validator.options = OPTIONS[then]  # as an XLSX import does once it knows the dates
        options = OPTIONS[then] if n >= switch else OPTIONS[first]
        line = n + 2
        assert validator.validate(line, cells) == _fresh(mapping, options, line, cells), (n, cells)


def test_a_value_checked_under_other_options_is_checked_again() -> None:
    mapping: list[str | None] = ["registration_code", "name", "category", "country"]
    validator = RowValidator(CATALOG, ["a", "b", "c", "d"], mapping, RowOptions(), sheet="S")
    before = validator.validate(2, ["B1", "张伟", "Delegate", "Serbia"])
    assert before.record is None and "unknown_category" in {p.code for p in before.problems}
    validator.options = RowOptions(value_map=VALUE_MAP)
    after = validator.validate(3, ["B1", "张伟", "Delegate", "Serbia"])
    assert after.record is not None and after.record.values["category_id"] == 1
    assert after.record.values["country"] == "RS"
    validator.catalog = Catalog([CategoryRef(7, "ATTENDEE", "参会者", "Attendee")], [])
    assert validator.validate(4, ["B1", "张伟", "ATTENDEE", "CN"]).record.values["category_id"] == 7  # type: ignore[union-attr]


def test_the_kept_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of distinct values fills each table up to its limit and no further, and a value too
    long to keep is worked out each time; the outcomes stay those of a fresh validator."""
    monkeypatch.setattr(rows_module, "_MEMO_ENTRIES", 5)
    mapping: list[str | None] = ["registration_code", "name", "category", "country", "organisation",
                                 "activities"]
    validator = RowValidator(CATALOG, [f"col{i}" for i in range(6)], mapping, RowOptions(), sheet="S")
    long_org = "O" * (rows_module._MEMO_CHARS + 1)
    for n in range(40):
        cells: list[object] = [f"B{n}", "张伟", f"类别{n}", f"国{n}", long_org if n % 2 else f"单位{n}",
                               f"开幕式、活动{n}"]
        assert validator.validate(n + 2, cells) == _fresh(mapping, RowOptions(), n + 2, cells)
    tables: list[dict[Any, Any]] = [validator._countries, validator._categories, validator._text_values,
              validator._admissions]
    assert [len(t) for t in tables] == [5, 5, 5, 5]
    assert all(len(generic) <= rows_module._MEMO_CHARS for _, generic, _ in validator._text_values)


def test_validators_with_other_options_or_catalogues_keep_their_own_answers() -> None:
    """Nothing one validator keeps reaches another (a second import with another value mapping
    or another event's catalogue), whichever sees a value first."""
    mapping: list[str | None] = ["registration_code", "name", "category", "country", "activities"]
    heads = ["a", "b", "c", "d", "e"]
    other = Catalog([CategoryRef(9, "ATTENDEE", "代表", "Delegate")], [])
    plain = RowValidator(CATALOG, heads, mapping, RowOptions(), sheet="S")
    mapped = RowValidator(CATALOG, heads, mapping, RowOptions(value_map=VALUE_MAP), sheet="S")
    elsewhere = RowValidator(other, heads, mapping, RowOptions(), sheet="S")
    row: list[object] = ["B1", "张伟", "Delegate", "Atlantis", "开幕式"]
    for validator in (plain, mapped, elsewhere, mapped, plain, elsewhere):
        out = validator.validate(2, row)
        codes = [p.code for p in out.problems]
        if validator is plain:
            assert out.record is None and "unknown_category" in codes and "unknown_country" in codes
        elif validator is mapped:
            assert out.record is not None and out.record.values["category_id"] == 1
            assert out.record.values["country"] == "" and "unknown_country" not in codes
            assert out.record.activities == frozenset({11})
        else:
            assert out.record is None and "unknown_activity" in codes
            assert "unknown_category" not in codes  # 'Delegate' names this catalogue's category


def test_the_kept_characters_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "_MEMO_BUDGET", 40)
    mapping: list[str | None] = ["registration_code", "name", "organisation"]
    validator = RowValidator(CATALOG, ["a", "b", "c"], mapping, RowOptions(), sheet="S")
    for n in range(30):
        validator.validate(n + 2, [f"B{n}", "张伟", f"重庆第{n}研究所"])
    kept = sum(len(generic) + len(english) for _, generic, english in validator._text_values)
    assert 0 < kept <= 40 and len(validator._text_values) < 30
    assert validator._kept == kept + sum(len(k) for k in validator._categories)
