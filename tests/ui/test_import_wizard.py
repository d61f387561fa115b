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
from checkin_app.ui.import_wizard import ImportWizard
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
    assert w.pages.currentIndex() == 1
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
    assert w.pages.currentIndex() == 0 and "File not found" in w.message.toolTip()
