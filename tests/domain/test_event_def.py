"""Event definition checking: every problem has a place, words in both languages and what to do."""

from __future__ import annotations

from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.domain.event_def import (
    ActivityDef,
    CategoryDef,
    EventDef,
    EventDefinition,
    Loc,
    RawDocument,
    RawRecord,
    admitted,
    check_document,
    day_start,
    normalised,
)
from tests.domain.event_strategies import definitions

TEMPLATES = ("vip", "guest", "delegate")


def _rec(sheet: str, line: int, **values: object) -> RawRecord:
    return RawRecord(Loc(sheet, line), {k: (v, Loc(sheet, line, k)) for k, v in values.items()})


def _doc(*, event: dict[str, object] | None = None, activities: list[dict[str, object]] | None = None,
         categories: list[dict[str, object]] | None = None) -> RawDocument:
    ev = {"code": "EV", "name_zh": "大会", "name_en": "Conf", "timezone": "Asia/Shanghai",
          "starts_on": "2024-11-22", "ends_on": "2024-11-24", **(event or {})}
    acts = activities if activities is not None else [
        {"code": "MAIN", "name_zh": "主入口", "name_en": "Main", "day": "2024-11-22", "start": "07:00",
         "end": "20:00", "end_day": "2024-11-24", "admits": ["*"], "main": True, "mode": "once_per_day"},
        {"code": "HALL", "name_zh": "开幕式", "name_en": "Opening", "day": "2024-11-23", "start": "09:00",
         "end": "10:30", "admits": ["VIP"], "capacity": 100, "mode": "single"},
    ]
    cats = categories if categories is not None else [
        {"code": "VIP", "name_zh": "贵宾", "name_en": "VIP", "colour": "#c62828", "aliases": ["嘉宾"]},
        {"code": "ATTENDEE", "name_zh": "参会者", "name_en": "Attendee", "default_activities": ["HALL"]},
    ]
    return RawDocument(_rec("event", 1, **ev),
                       tuple(_rec("activities", 10 + i, **a) for i, a in enumerate(acts)),
                       tuple(_rec("categories", 50 + i, **c) for i, c in enumerate(cats)))


def _codes(doc: RawDocument) -> set[str]:
    return {p.code for p in check_document(doc, templates=TEMPLATES).problems}


def test_a_good_document_gives_the_definition_in_normal_form() -> None:
    report = check_document(_doc(), templates=TEMPLATES)
    assert report.ok and report.problems == ()
    d = report.definition
    assert d is not None
    assert d.event.starts_on == date(2024, 11, 22)
    main = d.activity("MAIN")
    assert main is not None and main.admits_all and main.end_day == date(2024, 11, 24)
    assert main.mode == "once_per_day" and main.doors_before == 30
    assert d.category("VIP") == CategoryDef("VIP", "贵宾", "VIP", "#C62828", aliases=("嘉宾",))
    assert admitted(d) == {"MAIN": ("VIP", "ATTENDEE"), "HALL": ("VIP", "ATTENDEE")}


def test_each_problem_the_issue_names_is_found_with_its_place() -> None:
    acts = [
        {"code": "MAIN", "name_zh": "主入口", "name_en": "Main", "day": "2024-11-22", "start": "07:00",
         "end": "20:00", "main": True},
        {"code": "HALL", "name_zh": "厅", "name_en": "Hall", "day": "2024-11-23", "start": "11:00",
         "end": "10:00", "admits": ["NOBODY"]},
        {"code": "HALL", "name_zh": "厅2", "name_en": "Hall 2", "day": "2024-12-01", "start": "09:00",
         "end": "10:00", "capacity": "many"},
        {"code": "bad code!", "name_zh": "x", "name_en": "x", "day": "2024-11-23", "start": "9h",
         "end": "10:00"},
    ]
    cats = [{"code": "VIP", "name_zh": "贵宾", "name_en": "VIP", "colour": "red", "badge_template": "nope"},
            {"code": "VIP", "name_zh": "重复", "name_en": "Dup"},
            {"code": "GUEST", "name_en": "Guest"}]
    report = check_document(_doc(event={"timezone": "Mars/Olympus"}, activities=acts, categories=cats),
                            templates=TEMPLATES)
    assert not report.ok
    by_code = {p.code: p for p in report.problems}
    assert {"bad_timezone", "end_before_start", "unknown_category", "duplicate_code", "outside_dates",
            "bad_number", "bad_code", "bad_time", "bad_colour", "unknown_template", "missing"} <= set(by_code)
    p = by_code["end_before_start"]
    assert (p.sheet, p.line, p.cell) == ("activities", 11, "end")
    assert p.message_zh and p.message_en and p.hint_zh and p.hint_en
    assert by_code["unknown_template"].hint_en.startswith("Available: delegate, guest, vip")
    assert "Olympus" in by_code["bad_timezone"].value
    dup = [x for x in report.problems if x.code == "duplicate_code"]
    assert {x.value for x in dup} == {"HALL", "VIP"}
    assert "line 10" in dup[0].message_en or "line 50" in dup[0].message_en


def test_main_entrance_rules() -> None:
    base = {"name_zh": "a", "name_en": "a", "day": "2024-11-22", "start": "07:00", "end": "08:00",
            "admits": ["*"]}
    assert "no_main" in _codes(_doc(activities=[{"code": "MAIN", **base}]))
    assert "main_code" in _codes(_doc(activities=[{"code": "DOOR", "main": True, **base}]))
    assert "several_mains" in _codes(_doc(activities=[{"code": "MAIN", "main": True, **base},
                                                     {"code": "SIDE", "main": "是", **base}]))


def test_wrong_types_and_unknown_fields() -> None:
    cats = [{"code": "VIP", "name_zh": ["not", "text"], "name_en": "VIP", "attention": "maybe",
             "colour": 12, "shoe_size": 42}]
    report = check_document(_doc(categories=cats), templates=TEMPLATES)
    codes = [p.code for p in report.problems]
    assert "wrong_type" in codes and "bad_bool" in codes and "bad_colour" in codes
    unknown = next(p for p in report.problems if p.code == "unknown_field")
    assert unknown.severity == "warning" and unknown.field == "shoe_size"


def test_aliases_must_be_unambiguous() -> None:
    cats = [{"code": "VIP", "name_zh": "贵宾", "name_en": "VIP", "aliases": ["嘉宾"]},
            {"code": "GUEST", "name_zh": "特邀嘉宾", "name_en": "Guest", "aliases": ["嘉宾", "vip", "a,b"]}]
    report = check_document(_doc(categories=cats), templates=TEMPLATES)
    taken = [p.value for p in report.problems if p.code == "alias_taken"]
    assert taken == ["嘉宾", "vip"]
    assert [p.value for p in report.problems if p.code == "bad_alias"] == ["a,b"]


def test_excepted_and_default_activities() -> None:
    acts = [{"code": "MAIN", "name_zh": "主", "name_en": "Main", "day": "2024-11-22", "start": "07:00",
             "end": "20:00", "main": True, "admits": "*", "except": "ATTENDEE"}]
    report = check_document(_doc(activities=acts, categories=[
        {"code": "VIP", "name_zh": "贵宾", "name_en": "VIP"},
        {"code": "ATTENDEE", "name_zh": "参会者", "name_en": "Attendee", "default_activities": "MAIN"}]))
    assert report.definition is not None
    assert admitted(report.definition) == {"MAIN": ("VIP",)}
    both = [{**acts[0], "admits": ["VIP"], "except": ["VIP"]}]
    assert "admitted_and_excepted" in _codes(_doc(activities=both))
    assert "unknown_activity" in _codes(_doc(categories=[
        {"code": "VIP", "name_zh": "贵宾", "name_en": "VIP", "default_activities": ["GHOST"]}]))


def test_normal_form_is_idempotent_and_moves_doubled_admissions_to_the_category() -> None:
    ev = EventDef("E", "会", "Conf", "", "", "UTC", date(2024, 1, 1), date(2024, 1, 1))
    a = ActivityDef("MAIN", "主", "Main", day=date(2024, 1, 1), start=time(8), end=time(9),
                    end_day=date(2024, 1, 1), admits=("B", "A", "A"), main=True)
    cats = (CategoryDef("A", "a", "a", "#abcdef", default_activities=("MAIN",)), CategoryDef("B", "b", "b"))
    n = normalised(EventDefinition(ev, (a,), cats))
    assert n.activities[0].admits == ("B",) and n.activities[0].end_day is None
    assert n.categories[0].colour == "#ABCDEF"
    assert normalised(n) == n
    assert admitted(n) == {"MAIN": ("A", "B")}


def test_day_start_is_local_midnight() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    sh = ZoneInfo("Asia/Shanghai")
    moment = datetime(2024, 11, 22, 17, 30, tzinfo=UTC)  # 01:30 on 23 Nov in Chongqing
    assert day_start(moment, sh) == datetime(2024, 11, 23, tzinfo=sh)


@settings(max_examples=60, deadline=None)
@given(definitions())
def test_random_valid_definitions_are_in_normal_form(d: EventDefinition) -> None:
    assert normalised(d) == d


_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.dates() | st.times(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)
_fields = st.dictionaries(
    st.sampled_from(["code", "name_zh", "name_en", "timezone", "starts_on", "ends_on", "day", "start",
                     "end", "end_day", "capacity", "admits", "except", "mode", "main", "colour",
                     "aliases", "default_activities", "attention", "doors_before", "badge_template",
                     "junk"]), _junk, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.none() | _fields, st.lists(_fields, max_size=3), st.lists(_fields, max_size=3))
def test_random_broken_records_give_a_report_never_a_traceback(
        ev: dict[str, object] | None, acts: list[dict[str, object]], cats: list[dict[str, object]]) -> None:
    doc = RawDocument(_rec("event", 1, **ev) if ev is not None else None,
                      tuple(_rec("activities", 2, **a) for a in acts),
                      tuple(_rec("categories", 3, **c) for c in cats))
    report = check_document(doc, templates=TEMPLATES)
    for p in report.problems:
        assert p.message_zh and p.message_en and p.hint_zh and p.hint_en
