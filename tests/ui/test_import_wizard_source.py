"""The wizard names the source list: the sheet's name in a workbook of several sheets, else the
file's name or the preset's remembered source; a name typed is used and saved with the preset."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.ui.import_wizard import REPORT, ImportWizard
from tests.ui.conftest import Demo


def _idle(qtbot: QtBot, w: ImportWizard) -> None:
    qtbot.waitUntil(lambda: not w.running, timeout=20000)


def _sources(db: Database) -> dict[str, str]:
    """registration number → source of the delegates imported."""
    with db.read() as s:
        return {str(c): str(src) for c, src in s.execute(
            select(m.Delegate.registration_code, m.Delegate.source).where(m.Delegate.source != ""))}


def _workbook(path: Path) -> Path:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "嘉宾"
    first.append(["编号", "姓名", "单位", "类别"])
    first.append([1, "张伟", "重庆大学", "参会者"])
    media = wb.create_sheet("媒体")
    media.append(["编号", "姓名", "单位", "类别"])
    media.append([1, "李娜", "重庆日报", "媒体"])
    wb.save(path)
    return path


def test_the_source_follows_the_sheet_and_a_typed_one_is_used_and_remembered(
        qtbot: QtBot, demo: Demo, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    book = _workbook(tmp_path / "报名汇总.xlsx")
    w = ImportWizard(ImportService(demo.db, clock), desk="Test desk")
    qtbot.addWidget(w)
    w.show()
    w.open_file(book)
    _idle(qtbot, w)
    assert w.sheet_combo.currentText() == "嘉宾"
    assert w.source_edit.text() == "嘉宾"  # a workbook of several sheets: one list per sheet
    assert "新来源" in w.source_note.text()
    # Another sheet: the source follows it while nothing was typed.
    w.sheet_combo.setCurrentText("媒体")
    w.sheet_combo.activated.emit(w.sheet_combo.currentIndex())
    _idle(qtbot, w)
    assert w.inspection is not None and w.inspection.sheet == "媒体"
    assert w.source_edit.text() == "媒体"
    # The manager names the list; the check and the import use that name.
    w.source_edit.clear()
    qtbot.keyClicks(w.source_edit, "City media centre")
    assert w.options().source == "City media centre"
    w.dry_run_button.click()
    _idle(qtbot, w)
    assert w.pages.currentIndex() == REPORT and w.outcome is not None
    assert w.outcome.inspection.source == "City media centre" and w.outcome.counts.new == 1
    w.values_page.preset_name.setCurrentText("媒体名单")
    with qtbot.waitSignal(w.imported, timeout=20000):
        w.apply_button.click()
    _idle(qtbot, w)
    assert set(_sources(demo.db).values()) == {"City media centre"}
    # Saved with the preset: the next reading with that preset names the same source.
    preset = w.service.preset("媒体名单")
    assert preset.options["source"] == "City media centre"
    w.close()

    again = ImportWizard(ImportService(demo.db, clock), desk="Test desk")
    qtbot.addWidget(again)
    again.show()
    again.open_file(book)
    _idle(qtbot, again)
    again.preset_combo.setCurrentIndex(again.preset_combo.findData("媒体名单"))
    again.preset_combo.activated.emit(again.preset_combo.currentIndex())
    _idle(qtbot, again)
    assert again.source_edit.text() == "City media centre"
    assert "已导入过" in again.source_note.text()
    again.dry_run_button.click()
    _idle(qtbot, again)
    assert again.outcome is not None and (again.outcome.counts.new, again.outcome.counts.unchanged) == (0, 1)


def test_a_csv_is_its_files_source(qtbot: QtBot, demo: Demo, clock: FixedClock, tmp_path: Path,
                                   app_fonts: list[str]) -> None:
    path = tmp_path / "外事办嘉宾.csv"
    path.write_text("编号,姓名,单位,类别\n1,Ana Jovanović,University of Belgrade,参会者\n", encoding="utf-8")
    w = ImportWizard(ImportService(demo.db, clock), desk="Test desk")
    qtbot.addWidget(w)
    w.show()
    w.open_file(path)
    _idle(qtbot, w)
    assert w.source_edit.text() == "外事办嘉宾"
    assert w.options().source is None  # not typed: the service finds the same default itself


def test_the_report_lets_the_organiser_merge_or_keep_apart_once(
        qtbot: QtBot, demo: Demo, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    from checkin_app.services.importing import APART, MERGE

    survey = tmp_path / "survey.csv"
    survey.write_text("编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,参会者\n"
                      "2,李娜,西南大学,ln@swu.edu.cn,参会者\n", encoding="utf-8")
    guests = tmp_path / "guests.csv"
    guests.write_text("编号,姓名,单位,电子邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,嘉宾\n"
                      "2,李娜,西南大学,ln@swu.edu.cn,嘉宾\n", encoding="utf-8")
    service = ImportService(demo.db, clock)
    service.apply(survey)
    w = ImportWizard(service, desk="Test desk")
    qtbot.addWidget(w)
    w.show()
    w.open_file(guests)
    _idle(qtbot, w)
    w.dry_run_button.click()
    _idle(qtbot, w)
    assert w.same_box.isVisible() and w.same_table.rowCount() == 2
    assert not w.merge_button.isEnabled()  # this file's people are not stored yet
    with qtbot.waitSignal(w.imported, timeout=20000):
        w.apply_button.click()
    _idle(qtbot, w)
    assert w.merge_button.isEnabled() and w.same_table.rowCount() == 2
    w.same_table.selectRow(0)
    w.merge_button.click()
    _idle(qtbot, w)
    assert w.same_table.item(0, 4).text().startswith("已合并")
    w.same_table.clearSelection()
    w.apart_button.click()  # the rest: the one not decided yet
    _idle(qtbot, w)
    assert w.same_table.item(1, 4).text().startswith("两人")
    decided = {(d.kept_code, d.other_code, d.decision) for d in service.same_person_decisions()}
    assert decided == {("1", "GUESTS-1", MERGE), ("2", "GUESTS-2", APART)}
    # Asked once: the next check of the same file shows no pair.
    w.back_button.click()
    w.dry_run_button.click()
    _idle(qtbot, w)
    assert not w.same_box.isVisible() and w.outcome is not None and w.outcome.same_people == ()
