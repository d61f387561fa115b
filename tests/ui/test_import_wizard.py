"""The import wizard: detection shown, mapping editable, dry run report, apply, cancel, no freezing."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.ui.import_wizard import REPORT, SETUP, VALUES, ImportWizard, ui_language
from tests.ui.conftest import Demo

DATA = Path(__file__).resolve().parents[1] / "importers" / "data"


def _wizard(qtbot: QtBot, db: Database, clock: FixedClock) -> ImportWizard:
    w = ImportWizard(ImportService(db, clock), desk="Test desk")
    qtbot.addWidget(w)
    w.show()
    return w


def _idle(qtbot: QtBot, w: ImportWizard, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not w.running, timeout=timeout)


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Delegate)) or 0)


def test_detects_shows_and_applies(qtbot: QtBot, demo: Demo, clock: FixedClock, app_fonts: list[str]) -> None:
    w = _wizard(qtbot, demo.db, clock)
    w.open_file(DATA / "chinese_excel_gb18030.csv")
    _idle(qtbot, w)
    assert w.encoding_combo.currentText() == "gb18030"
    assert w.delimiter_combo.currentData() == ","
    assert w.mapping_table.rowCount() == 9
    assert w._mapping_combo(1).currentData() == "name"
    # Ignore the email column by hand: it must not be checked any more.
    combo = w._mapping_combo(7)
    combo.setCurrentIndex(combo.findData(None))
    before = _count(demo.db)
    w.dry_run_button.click()
    _idle(qtbot, w)
    assert w.pages.currentIndex() == REPORT
    assert w.outcome is not None and not w.outcome.applied
    assert w.outcome.counts.new == 2 and w.outcome.counts.cancelled == 1
    assert [p.code for p in w.problem_model.problems] == ["phone_digits_lost", "activity_extra"]
    assert w.counts_labels["new"].text() == "2\n新增 New"
    assert _count(demo.db) == before
    report = Path(qtbot._request.node.name + ".csv")  # type: ignore[attr-defined]
    try:
        w.export_report(report)
        assert "phone_digits_lost" in report.read_text(encoding="utf-8-sig")
    finally:
        report.unlink(missing_ok=True)
    with qtbot.waitSignal(w.imported, timeout=20000):
        w.apply_button.click()
    _idle(qtbot, w)
    assert _count(demo.db) == before + 3
    assert not w.apply_button.isEnabled()


def test_xlsx_sheet_and_preset(qtbot: QtBot, demo: Demo, clock: FixedClock, app_fonts: list[str]) -> None:
    w = _wizard(qtbot, demo.db, clock)
    w.open_file(DATA / "platform_export.xlsx")
    _idle(qtbot, w)
    assert w.sheet_combo.currentText() == "报名信息"
    assert w.header_spin.value() == 3
    assert not w.encoding_combo.isEnabled()
    ins = w.inspection
    assert ins is not None
    w.service.save_preset("platform", ins, mapping=ins.mapping)
    w._refresh_presets()
    assert w.preset_combo.findData("platform") > 0


def test_cancel_really_stops_and_writes_nothing_and_gui_keeps_running(
        qtbot: QtBot, demo: Demo, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    big = tmp_path / "big.csv"
    rows = "".join(f"G-{i:06d},张{i % 97}伟,重庆大学,中国,参会者,开幕式、SUMMIT\n" for i in range(30000))
    big.write_text("报名编号,姓名,单位,国家,类别,参加活动\n" + rows, encoding="utf-8")
    w = _wizard(qtbot, demo.db, clock)
    w.open_file(big)
    _idle(qtbot, w)
    before = _count(demo.db)
    w.dry_run_button.click()
    _idle(qtbot, w, timeout=120000)
    # The GUI thread keeps turning while the worker applies: a timer must tick often.
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    w.apply_button.click()
    qtbot.waitUntil(lambda: w.progress.value() > 0, timeout=60000)
    assert w.busy_box.isVisible() and w.cancel_button.isEnabled()
    w.cancel_button.click()
    _idle(qtbot, w, timeout=60000)
    timer.stop()
    assert "nothing was written" in w.message.toolTip()
    assert _count(demo.db) == before
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # Work on the GUI thread would stall it for the whole apply (many seconds); the bound leaves
    # room for scheduler jitter on a loaded 2-core CI machine (0.7 s seen) without hiding that.
    assert gaps and max(gaps) < 1.5, max(gaps)


def test_the_file_path_can_be_typed_and_a_missing_file_is_explained(
        qtbot: QtBot, demo: Demo, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    w = _wizard(qtbot, demo.db, clock)
    assert not w.file_edit.isReadOnly()
    # A path that does not exist: Enter says so in both languages and reads nothing.
    missing = tmp_path / "registrations.xlsx"
    w.file_edit.setFocus()
    qtbot.keyClicks(w.file_edit, str(missing))
    assert w.dry_run_button.isEnabled()  # "Check" reads (or explains) a typed path
    qtbot.keyClick(w.file_edit, Qt.Key.Key_Return)
    assert not w.running and w.inspection is None
    assert w.message.toolTip() == f"找不到文件：{missing}\nFile not found: {missing}"
    # "Check" with a folder explains that too.
    w.file_edit.setText(str(tmp_path))
    w.dry_run_button.click()
    assert w.inspection is None and "Not a file" in w.message.toolTip()
    # A real file typed (quoted, as a file manager copies it) is read on Enter.
    good = DATA / "chinese_excel_gb18030.csv"
    w.file_edit.clear()
    qtbot.keyClicks(w.file_edit, f'"{good}"')
    qtbot.keyClick(w.file_edit, Qt.Key.Key_Return)
    _idle(qtbot, w)
    assert w.inspection is not None and w.inspection.path == good
    assert w.mapping_table.rowCount() == 9 and w.message.text() == ""
    # Editing the path again forgets the detection: "Check" reads the new file first.
    qtbot.keyClicks(w.file_edit, "x")
    assert w.inspection is None
    w.dry_run_button.click()
    assert w.pages.currentIndex() == SETUP and "File not found" in w.message.toolTip()


# -- the value-mapping step ------------------------------------------------------------------
EVENT = """\
event:
  code: TECH_EXPO_2025
  name_zh: 2025西部科技博览会
  name_en: 2025 Western Tech Expo
  timezone: Asia/Shanghai
  starts_on: 2025-09-10
  ends_on: 2025-09-11
activities:
  - code: MAIN
    name_zh: 主入口
    name_en: Main entrance
    day: 2025-09-10
    end_day: 2025-09-11
    start: '08:00'
    end: '18:00'
    admits: ['*']
    mode: once_per_day
    main: true
categories:
  - code: GUEST
    name_zh: 特邀嘉宾
    name_en: Invited guest
    colour: '#AD1457'
  - code: PRESS
    name_zh: 新闻记者
    name_en: Press
    colour: '#5D4037'
    aliases: [媒体记者]
  - code: CREW
    name_zh: 会务
    name_en: Crew
    colour: '#263238'
"""
PEOPLE = [("EX-001", "王芳", "嘉宾"), ("EX-002", "李雷", "媒体"), ("EX-003", "赵敏", "工作人员"),
          ("EX-004", "陈静", "嘉宾"), ("EX-005", "刘洋", "媒体"), ("EX-006", "孙丽", "嘉宾")]


def _expo(tmp_path: Path) -> tuple[Database, Path]:
    """The organiser's own event (嘉宾 / 媒体 / 工作人员 are no alias of it) and its GB18030 export."""
    from checkin_app.services.event_setup import EventSetupService

    db = Database(tmp_path / "expo.sqlite3")
    definition = tmp_path / "expo.yaml"
    definition.write_text(EVENT, encoding="utf-8")
    EventSetupService(db).apply_file(definition)
    export = tmp_path / "registrations.csv"
    export.write_bytes(("报名编号,姓名,工作单位,参会身份\n" + "".join(
        f"{code},{name},重庆大学,{cat}\n" for code, name, cat in PEOPLE)).encode("gb18030"))
    return db, export


def _categories(db: Database) -> dict[str, str]:
    with db.read() as s:
        rows = s.execute(select(m.Delegate.registration_code, m.Category.code)
                         .join(m.Category, m.Delegate.category_id == m.Category.id)).all()
    return {str(a): str(b) for a, b in rows}


def _preset_saves(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEntry)
                            .where(m.AuditEntry.action == "import.preset")) or 0)


def test_the_value_step_maps_unknown_categories_and_the_preset_remembers_them(
        qtbot: QtBot, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    db, export = _expo(tmp_path)
    try:
        w = ImportWizard(ImportService(db, clock), desk="Test desk", lang="zh")
        qtbot.addWidget(w)
        w.show()
        w.open_file(export)
        _idle(qtbot, w)
        assert w.inspection is not None and w.inspection.encoding == "gb18030"
        w.dry_run_button.click()
        _idle(qtbot, w)
        # The three values the event does not know, each once with its count.
        page = w.values_page
        assert w.pages.currentIndex() == VALUES
        assert [(r.kind, r.value, r.count) for r in page._order] == [
            ("category", "嘉宾", 3), ("category", "媒体", 2), ("category", "工作人员", 1)]
        assert [page.table.item(i, 2).text() for i in range(3)] == ["×3", "×2", "×1"]
        assert "Rejected 6" in page.counts.text()
        # Close matches pre-selected: 媒体 by PRESS's alias 媒体记者, 嘉宾 by GUEST's name 特邀嘉宾.
        assert page.choice("category", "嘉宾") == "GUEST"
        assert page.choice("category", "媒体") == "PRESS"
        assert page.choice("category", "工作人员") is None
        crew = page.combo("category", "工作人员")
        assert crew.itemText(crew.findData("GUEST")) == "特邀嘉宾 / Invited guest  (GUEST)"  # UI's first
        # Reject first: the row is refused with a reason, and the counts follow.
        crew.setCurrentIndex(crew.findData("reject"))
        w.recheck_button.click()
        _idle(qtbot, w)
        assert w.pages.currentIndex() == REPORT and w.outcome is not None
        assert (w.outcome.counts.new, w.outcome.counts.rejected) == (5, 1)
        assert [(p.code, p.value) for p in w.problem_model.problems] == [("mapped_reject", "工作人员")]
        assert w.counts_labels["rejected"].text() == "1\n拒绝 Rejected"
        # Back to the values (mapped ones are still listed) and map 工作人员 to the crew.
        assert w.values_button.isVisible()
        w.values_button.click()
        assert w.pages.currentIndex() == VALUES and page.table.rowCount() == 3
        assert page.choice("category", "工作人员") == "reject"
        page.choose("category", "工作人员", "CREW")
        page.preset_name.setCurrentText("registration-platform")
        w.recheck_button.click()
        _idle(qtbot, w)
        assert w.pages.currentIndex() == REPORT and w.outcome is not None
        assert w.outcome.unknown_values == () and (w.outcome.counts.new, w.outcome.counts.rejected) == (6, 0)
        with qtbot.waitSignal(w.imported, timeout=20000):
            w.apply_button.click()
        _idle(qtbot, w)
        assert _categories(db) == {"EX-001": "GUEST", "EX-002": "PRESS", "EX-003": "CREW",
                                   "EX-004": "GUEST", "EX-005": "PRESS", "EX-006": "GUEST"}
        preset = w.service.preset("registration-platform")
        assert preset.values == {"category": {"嘉宾": "GUEST", "媒体": "PRESS", "工作人员": "CREW"}}
        assert "registration-platform" in w.message.toolTip()
        w.close()

        # The next import of the same source: its preset is found by the headers, no value is
        # unknown, the report comes straight away, and nothing new is imported.
        again = ImportWizard(ImportService(db, clock), desk="Test desk", lang="en")
        qtbot.addWidget(again)
        again.show()
        again.open_file(export)
        _idle(qtbot, again)
        assert again.preset_combo.currentData() == "registration-platform"
        again.dry_run_button.click()
        _idle(qtbot, again)
        assert again.pages.currentIndex() == REPORT and again.outcome is not None
        assert again.outcome.unknown_values == () and again.values_page.unresolved() == []
        assert (again.outcome.counts.new, again.outcome.counts.unchanged) == (0, 6)
        # The saved mapping is listed for a change, English first in an English UI.
        combo = again.values_page.combo("category", "媒体")
        assert combo.currentText() == "Press / 新闻记者  (PRESS)"
        with qtbot.waitSignal(again.imported, timeout=20000):
            again.apply_button.click()
        _idle(qtbot, again)
        assert again.outcome.applied and again.outcome.counts.new == 0
        assert _preset_saves(db) == 1  # the preset already held the values: not saved again
        assert len(_categories(db)) == 6
    finally:
        db.close()


def test_the_wizard_fits_a_1366x768_screen_and_speaks_the_desks_language(
        qtbot: QtBot, clock: FixedClock, tmp_path: Path, app_fonts: list[str]) -> None:
    from checkin_app.ui import style
    from checkin_app.ui.i18n import LanguageSwitcher

    db, export = _expo(tmp_path)
    try:
        w = _wizard(qtbot, db, clock)
        w.setStyleSheet(style.STYLESHEET)  # as the desk opens it: its bigger type
        w.open_file(export)
        _idle(qtbot, w)
        w.dry_run_button.click()
        _idle(qtbot, w)
        assert w.pages.currentIndex() == VALUES
        for page in (SETUP, VALUES, REPORT):
            w.pages.setCurrentIndex(page)
            hint = w.minimumSizeHint()
            assert hint.width() <= 1280 and hint.height() <= 700, (page, hint)
        assert w.width() <= 1280 and w.height() <= 700
        assert ui_language() == "en" and w.lang == "en"  # no translator: the source language
        languages = LanguageSwitcher()
        try:
            languages.set_language("zh")
            assert ui_language() == "zh"
        finally:
            languages.remove()
    finally:
        db.close()
