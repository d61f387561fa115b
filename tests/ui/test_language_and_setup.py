"""Runtime language switching, the status bar, and the start-up desk choice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import FixedClock, OffsetClock
from checkin_app.services.catalog import CatalogService
from checkin_app.ui.main_window import MainWindow

if TYPE_CHECKING:
    from tests.ui.conftest import Demo, Desk


def test_language_switch_changes_texts_at_runtime(desk: Desk) -> None:
    w = desk.window
    assert w.languages.language == "zh"
    zh_scan_label = w.scan_label.text()
    assert zh_scan_label != "Scan here"
    assert w.search.button.text() == "签到"
    assert w.result.title_primary.text() == "请扫描"
    w.act_language.trigger()
    assert w.languages.language == "en"
    assert w.scan_label.text() == "Scan here"
    assert w.search.button.text() == "Check in"
    assert w.recent.title.text() == "Recent scans at this desk"
    assert w.counts.title.text() == "Attendance"
    assert w.act_setup.text() == "Switch desk / activity…"
    # The verdict panel keeps both languages, with the UI language first.
    assert w.result.title_primary.text() == "Please scan"
    assert w.result.title_secondary.text() == "请扫描"
    r = desk.scan(desk.samples["attendee"])
    assert w.result.title_primary.text() == r.title_en
    assert w.result.title_secondary.text() == r.title_zh
    catalog = CatalogService(desk.db, desk.clock)
    desk.qtbot.waitUntil(lambda: catalog.settings().language == "en")
    w.act_language.trigger()
    assert w.scan_label.text() == zh_scan_label
    assert w.result.title_primary.text() == r.title_zh
    desk.qtbot.waitUntil(lambda: catalog.settings().language == "zh")


def test_status_bar_shows_desk_activity_event_and_clock(desk: Desk) -> None:
    w = desk.window
    assert w.controller.desk_name in w.status_desk.text()
    assert "MAIN" in w.status_activity.text()
    assert w.status_event.text()
    assert w.status_clock.text() == "11-23 09:30:00"
    assert not w.status_rehearsal.isVisibleTo(w)


def test_rehearsal_clock_is_marked(qtbot: QtBot, configured: Demo, app_fonts: list[str]
                                   ) -> None:
    clock = OffsetClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    w = MainWindow(DeskCore(configured.db, clock))
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.readyToScan, timeout=10000):
        w.start()
    assert w.status_rehearsal.isVisibleTo(w)
    assert "演练时钟" in w.status_rehearsal.text()
    assert "Rehearsal clock" in w.status_rehearsal.text()
    w.shutdown()


def test_first_start_asks_for_desk_and_activity(qtbot: QtBot, demo: Demo, clock: FixedClock,
                                                app_fonts: list[str]) -> None:
    w = MainWindow(DeskCore(demo.db, clock))
    qtbot.addWidget(w)
    w.start()
    qtbot.waitUntil(lambda: w.setup_dialog is not None and w.setup_dialog.isVisible(),
                    timeout=5000)
    dlg = w.setup_dialog
    assert dlg is not None
    assert not w.isVisible()
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert dlg.list.count() >= 2
    # Activities show both names and their times.
    second = dlg.list.item(1).text()
    assert ":" in second and "/" in second
    qtbot.keyClicks(dlg.desk_edit, "North gate 2")
    code = str(dlg.list.item(1).data(Qt.ItemDataRole.UserRole))
    dlg.select_activity(code)
    with qtbot.waitSignal(w.readyToScan, timeout=10000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert w.isVisible()
    settings = CatalogService(demo.db, clock).settings()
    assert settings.desk_name == "North gate 2"
    assert settings.activity_code == code
    assert code in w.status_activity.text()
    w.shutdown()


def test_cancelling_first_start_asks_the_app_to_quit(qtbot: QtBot, demo: Demo,
                                                     clock: FixedClock) -> None:
    w = MainWindow(DeskCore(demo.db, clock))
    qtbot.addWidget(w)
    w.start()
    qtbot.waitUntil(lambda: w.setup_dialog is not None, timeout=5000)
    assert w.setup_dialog is not None
    with qtbot.waitSignal(w.setupCancelled):
        w.setup_dialog.reject()
    w.shutdown()


def test_switching_activity_from_menu(make_desk: Callable[..., Desk]) -> None:
    d = make_desk()
    w = d.window
    w.manager.session.start("Test manager")  # switching is a manager action (issue 3)
    w.act_setup.trigger()
    dlg = w.setup_dialog
    assert dlg is not None
    assert dlg.desk_name() == w.controller.desk_name
    code = str(dlg.list.item(dlg.list.count() - 1).data(Qt.ItemDataRole.UserRole))
    dlg.select_activity(code)
    with d.qtbot.waitSignal(w.controller.settingsSaved, timeout=5000):
        dlg.accept()
    assert w.controller.activity_code == code
    d.qtbot.waitUntil(lambda: w.counts.stats is not None
                      and w.counts.stats.activity_code == code)
