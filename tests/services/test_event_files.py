"""Event files: YAML and XLSX round trips, the bundled Chongqing file, starters, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from checkin_app.domain.event_def import EventDefinition
from checkin_app.services import event_files as ef
from tests.domain.event_strategies import definitions


def test_bundled_chongqing_file_is_the_demo_event() -> None:
    d = ef.chongqing()
    assert d.event.code == "CQITEC2024" and d.event.timezone == "Asia/Shanghai"
    assert [a.code for a in d.activities][:3] == ["MAIN", "OPENING", "SUMMIT"]
    assert len(d.activities) == 14 and len(d.categories) == 12
    main = d.activity("MAIN")
    assert main is not None and main.main and main.mode == "once_per_day"
    guest = d.category("GUEST")
    assert guest is not None and "嘉宾" in guest.aliases


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
@pytest.mark.parametrize("template", ef.TEMPLATES)
def test_starters_pass_the_check_and_read_back_the_same(tmp_path: Path, suffix: str, template: str) -> None:
    path = tmp_path / f"event{suffix}"
    ef.write_definition(ef.starter(template), path)
    report = ef.check_file(path, templates=("vip", "guest", "delegate"))
    assert report.problems == ()
    assert report.definition == ef.starter(template)


def test_yaml_starter_explains_every_field_in_both_languages(tmp_path: Path) -> None:
    text = ef.yaml_text(ef.blank())
    for section in ("event", "activities", "categories"):
        assert f"\n{section}:" in text
    assert "#   doors_after: 延后入场（分钟） / Doors open after (min)" in text
    assert "#   aliases: 别名 / Aliases" in text


def test_workbook_has_the_three_sheets_with_bilingual_headers(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    ef.write_definition(ef.chongqing(), path)
    book = load_workbook(path)
    assert book.sheetnames == ["大会 Event", "活动 Activities", "类别 Categories"]
    acts = book["活动 Activities"]
    assert acts["A1"].value == "代码 Code" and acts["A2"].value == "MAIN"
    assert acts["A1"].comment is not None and "MAIN" in acts["A1"].comment.text
    assert book["大会 Event"]["B2"].value == "CQITEC2024"


def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    from dataclasses import replace

    d = ef.blank()
    d = replace(d, event=replace(d.event, name_en="=HYPERLINK(\"http://x\")"))
    path = tmp_path / "f.xlsx"
    ef.write_definition(d, path)
    assert load_workbook(path)["大会 Event"]["B3"].data_type == "s"
    assert ef.check_file(path).definition == d


def test_report_places_for_yaml_and_xlsx(tmp_path: Path) -> None:
    y = tmp_path / "e.yaml"
    y.write_text(ef.yaml_text(ef.blank()).replace("end: '10:30'", "end: '08:00'"), encoding="utf-8")
    p = next(p for p in ef.check_file(y).problems if p.code == "end_before_start")
    assert y.read_text(encoding="utf-8").splitlines()[p.line - 1].strip() == "end: '08:00'"
    assert p.cell == "activities[2].end"
    x = tmp_path / "e.xlsx"
    ef.write_definition(ef.blank(), x)
    book = load_workbook(x)
    book["类别 Categories"]["D3"] = "purple"
    book.save(x)
    p = next(p for p in ef.check_file(x).problems if p.code == "bad_colour")
    assert (p.sheet, p.line, p.cell, p.value) == ("类别 Categories", 3, "D3", "purple")


def test_unreadable_files_give_one_report_line(tmp_path: Path) -> None:
    bad = tmp_path / "e.yaml"
    bad.write_text("event: [unclosed\n", encoding="utf-8")
    [p] = ef.check_file(bad).problems
    assert p.code == "syntax" and p.line >= 1
    notxlsx = tmp_path / "e.xlsx"
    notxlsx.write_bytes(b"PK\x03\x04 not really")
    assert [p.code for p in ef.check_file(notxlsx).problems] == ["syntax"]
    assert [p.code for p in ef.check_file(tmp_path / "e.toml").problems] == ["syntax"]
    assert [p.code for p in ef.check_file(tmp_path / "missing.yaml").problems] == ["syntax"]


def test_texts_yaml_could_read_as_structure_read_back_as_written(tmp_path: Path) -> None:
    """hypothesis found an alias '?-A' written into a flow list and read back as {'-A': None}."""
    from dataclasses import replace

    d = ef.blank()
    odd = ("?-A", "-x", "#c", "[1]", "{k}", "贵宾?")
    cats = (replace(d.categories[0], aliases=odd, name_en="? who: [x], {y} #z"), *d.categories[1:])
    d = replace(d, categories=cats)
    path = tmp_path / "odd.yaml"
    ef.write_definition(d, path)
    report = ef.check_file(path)
    assert report.errors == ()
    assert report.definition == d


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definitions(), st.sampled_from([".yaml", ".xlsx"]))
def test_random_valid_definitions_read_back_unchanged(tmp_path: Path, d: EventDefinition,
                                                      suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    ef.write_definition(d, path)
    report = ef.check_file(path, templates=("vip", "guest", "delegate", "media"))
    assert report.errors == ()
    assert report.definition == d


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_random_text_gives_a_report_never_a_traceback(text: str) -> None:
    report = ef.check_document(ef.read_yaml(text))
    assert report.definition is None or report.ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["大会 Event", "活动 Activities", "类别 Categories"]),
                          st.integers(1, 6), st.integers(1, 18),
                          st.none() | st.integers() | st.floats(allow_nan=False) | st.booleans()
                          | st.text(max_size=10).filter(lambda s: s.isprintable())),
                min_size=1, max_size=8))
def test_randomly_damaged_workbooks_give_a_report(tmp_path: Path, edits: list[tuple[str, int, int, object]]
                                                  ) -> None:
    path = tmp_path / "d.xlsx"
    ef.write_definition(ef.blank(), path)
    book = load_workbook(path)
    for sheet, row, col, value in edits:
        book[sheet].cell(row, col).value = value
    book.save(path)
    for p in ef.check_file(path).problems:
        assert p.message_en and p.hint_en
