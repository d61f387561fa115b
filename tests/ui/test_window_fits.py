"""The desk window fits a 1366×768 laptop screen in both languages, with the longest realistic status bar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import OffsetClock
from checkin_app.hub.app import _clock_warnings
from checkin_app.services.badges import PrintSettings
from checkin_app.services.catalog import CatalogService
from checkin_app.services.conflicts import Admission, ConflictItem, RefusedItem
from checkin_app.sync.client import SyncStatus
from checkin_app.sync.protocol import bilingual
from checkin_app.ui.conflicts_view import reason_text
from checkin_app.ui.elided_label import ElidedLabel
from checkin_app.ui.main_window import MainWindow
from checkin_app.ui.print_controller import Preview
from checkin_app.ui.sync_status import SyncStatusLabel, status_text, status_tip, warning_mark
from tests.ui.conftest import DESK, Demo, Desk, make_window, sync_of

# A 1366×768 laptop, maximised: a 40-px taskbar and a title bar of about 31 px leave the window
# 697 px, and a window that cannot shrink to that hides its status bar behind the taskbar.
SCREEN_W, SCREEN_H = 1366, 768 - 40 - 31
# A desk name as organisers write them (hall, entrance, number, purpose).
LONG_DESK = "悦来B厅 北入口 12号签到台（贵宾）"
LAST_SYNC = datetime(2024, 11, 23, 1, 31, 5, tzinfo=UTC)


def _hub_clock_warning() -> str:
    # The hub's own words, as the desk receives them (a desk two minutes fast).
    [w] = _clock_warnings(125_000)
    return bilingual(w["message_zh"], w["message_en"])


def _states() -> dict[str, SyncStatus]:
    url = "https://192.168.100.200:8443"
    return {
        "online": SyncStatus(True, True, 0, LAST_SYNC, desk=LONG_DESK, hub_url=url),
        # Hours without the hub at a busy door, people the hub refused, a skewed clock.
        "offline, everything": SyncStatus(
            True, False, 12345, LAST_SYNC, desk=LONG_DESK, hub_url=url, refused=123,
            last_error=bilingual("无法连接中心服务器：连接超时", "Cannot reach the hub: timed out"),
            warnings=(_hub_clock_warning(),), warning_codes=("clock",)),
    }


def _settle(w: MainWindow) -> None:
    """Let size hints travel up from the status bar to the window."""
    for _ in range(3):
        QApplication.processEvents()
        bar_layout = w.statusBar().layout()
        if bar_layout is not None:
            bar_layout.activate()
        w.layout().activate()


@pytest.fixture
def rehearsal_window(qtbot: QtBot, configured: Demo, app_fonts: list[str]
                     ) -> Iterator[MainWindow]:
    """A desk on the rehearsal clock (its marker takes room too) with a long name, at the
    activity with the longest English name."""
    clock = OffsetClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    CatalogService(configured.db, clock).save_settings(desk_name=LONG_DESK)
    w = make_window(qtbot, DeskCore(configured.db, clock))
    longest = max(w.activities, key=lambda a: len(a.name_en))
    with qtbot.waitSignal(w.controller.settingsSaved, timeout=5000):
        w.switch_activity(longest.code)
    label = sync_of(w).label
    assert isinstance(label, SyncStatusLabel)
    # The desk's own (standalone) status arrives from a thread: wait for it, so it cannot
    # replace a status the test sets.
    qtbot.waitUntil(lambda: label.status is not None, timeout=5000)
    yield w
    w.shutdown()


def test_minimum_width_fits_a_laptop_screen_in_both_languages(rehearsal_window: MainWindow) -> None:
    w = rehearsal_window
    label = sync_of(w).label
    error = bilingual("保存失败：数据库或磁盘已满（database or disk is full）",
                      "Could not save the check-in: database or disk is full")
    standalone = label.status
    assert standalone is not None and not standalone.enrolled
    widths: dict[tuple[str, str, bool], int] = {}
    for lang in ("zh", "en"):
        w.set_language(lang, save=False)
        w.name_index._on_progress(45, 100)  # a big import's name index being built, too
        assert w.search.note.isVisible() and w.search.note.text() == w.name_index.text
        for name, status in {"standalone": standalone, **_states()}.items():
            label.set_status(status)
            for with_error in (False, True):
                w.show_error(error if with_error else "")
                _settle(w)
                hint = w.minimumSizeHint()
                widths[(lang, name, with_error)] = hint.width()
                assert hint.width() <= SCREEN_W, (lang, name, with_error, hint.width())
                assert hint.height() <= SCREEN_H, (lang, name, with_error, hint.height())
    # The check means something: the longest state asks for more room than the shortest.
    assert widths[("en", "offline, everything", True)] > widths[("zh", "standalone", False)] + 300


def test_a_busy_desk_still_fits_a_laptop_screen(rehearsal_window: MainWindow, configured: Demo,
                                               qtbot: QtBot) -> None:
    """Rows in recent scans and a second scan's longer verdict must not make the window taller."""
    w = rehearsal_window
    for code in (configured.samples["VIP"], configured.samples["VIP"], configured.samples["attendee"]):
        with qtbot.waitSignal(w.controller.scanFinished, timeout=5000):
            qtbot.keyClicks(w.scan_field, code)
            qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.recent.table.rowCount() >= 3, timeout=5000)
    w.print_panel.set_settings(PrintSettings(True, "folder:/media/volunteer/U盘/badges/hall-a", ""))
    badge = QImage(420, 600, QImage.Format.Format_RGB32)
    badge.fill(QColor("white"))
    w.print_panel.show_preview(Preview(badge, "弗拉基米尔·彼得罗维奇 Vladimir PETROVIĆ", "CQ24-J6K2JZ", 2))
    for lang in ("zh", "en"):
        w.set_language(lang, save=False)
        for tab in range(w.lower_tabs.count()):
            w.lower_tabs.setCurrentIndex(tab)
            _settle(w)
            assert w.minimumSizeHint().height() <= SCREEN_H, (lang, tab, w.minimumSizeHint().height())
    # What the check covers is there: rows, the printer line, a badge preview with its caption
    # (two lines of caption made this window 704 px tall).
    assert w.recent.table.rowCount() >= 3 and w.print_panel.status.text()
    assert w.print_panel.preview_caption.text() == "CQ24-J6K2JZ · 2"
    assert "PETROVIĆ" in w.print_panel.preview_caption.toolTip()


def test_on_a_laptop_screen_the_sync_state_shows_whole_and_long_names_give_way(
        rehearsal_window: MainWindow) -> None:
    w = rehearsal_window
    label = sync_of(w).label
    w.set_language("en", save=False)
    label.set_status(_states()["offline, everything"])
    w.resize(SCREEN_W, SCREEN_H)
    _settle(w)
    assert w.width() == SCREEN_W
    # What a volunteer needs at a glance is never cut: online/offline, last sync, queue.
    text = label.text()
    # (The time is the sync's real time moved onto this desk's rehearsal clock.)
    assert re.match(r"● Offline · last sync \d\d:\d\d:\d\d · 12345 not on hub", text), text
    assert "123 refused" in text and "⚠ clock off" in text
    assert label.width() >= label.sizeHint().width()
    assert label.geometry().right() < w.statusBar().width()
    # The activity shortened to fit, starts with its code, and says all in its tooltip.
    activity = w.status_activity
    assert isinstance(activity, ElidedLabel)
    assert activity.is_elided() and activity.width() < activity.sizeHint().width()
    assert activity.shown_text().startswith(w.controller.activity_code)
    assert activity.shown_text().endswith("…")
    assert activity.toolTip() == activity.text()
    # The event name, shown in full in the toolbar, gave up its room first.
    assert w.status_event.width() <= w.status_activity.width()
    assert w.event_title.text() == w.status_event.text()
    # The status tooltip spells out what the short words mean, and the hub's warning.
    tip = label.toolTip()
    assert "Not on the hub yet: 12345" in tip and "Refused by the hub: 123" in tip
    assert "clock is 125 s ahead of the hub" in tip
    # An error starts in the UI language; the whole message is in its tooltip.
    w.show_error(bilingual("保存失败：磁盘已满", "Could not save: disk full"))
    _settle(w)
    assert w.status_error.text().startswith("Could not save: disk full")
    assert w.status_error.toolTip() == "保存失败：磁盘已满\nCould not save: disk full"


def test_status_words_for_refusals_and_the_hubs_clock_warning() -> None:
    states = _states()
    full = states["offline, everything"]
    text, _note, state = status_text(full, "zh")
    assert text == "● 离线 · 上次同步 09:31:05 · 未上传 12345 · 中心拒收 123 条 · ⚠ 时钟不准"
    assert state == "offline"
    assert status_text(full, "en")[0] == (
        "● Offline · last sync 09:31:05 · 12345 not on hub · 123 refused · ⚠ clock off")
    assert status_text(states["online"], "en")[0] == "● Online · last sync 09:31:05 · 0 not on hub"
    # A warning of another kind is still marked, in general words.
    assert warning_mark(("maintenance",), "en") == "⚠ hub warning"
    tip = status_tip(full, "zh").split("\n")
    assert tip[:4] == ["中心服务器：https://192.168.100.200:8443", "离线（扫描照常，联网后自动补传）",
                       "上次同步：11-23 09:31:05", "未上传到中心服务器：12345 条"]
    assert tip[4] == "中心服务器拒收：123 条（见“冲突”标签页）"
    assert "本签到台的时钟比中心服务器快 125 秒" in tip[-2]


def test_elided_label_gives_way_and_tells_all_in_its_tooltip(qtbot: QtBot) -> None:
    label = ElidedLabel("MAIN · Main entrance / registration", min_px=80)
    qtbot.addWidget(label)
    label.show()
    fm = label.fontMetrics()
    whole = fm.horizontalAdvance(label.text())
    assert label.sizeHint().width() >= whole
    assert label.minimumSizeHint().width() < whole
    label.resize(label.sizeHint())
    assert not label.is_elided() and label.toolTip() == ""
    label.resize(label.minimumSizeHint())
    assert label.is_elided() and label.shown_text().startswith("MAIN")
    assert label.toolTip() == "MAIN · Main entrance / registration"
    label.setToolTip("explicit")
    assert label.toolTip() == "explicit"
    # Too narrow for anything useful: blank, not a lone "…".
    label.resize(label.minimumSizeHint().width() - 75, label.height())
    assert label.shown_text() == ""
    # A short text never asks for less than itself.
    label.setText("Hi")
    assert label.minimumSizeHint().width() == label.sizeHint().width()


def _conflict(uuid: str, native: str, latin: str, code: str, desk: str, minute: int,
              first_desk: str) -> ConflictItem:
    at = datetime(2024, 11, 23, 9, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
    return ConflictItem(uuid, 1, code, native, latin, "OPENING", "开幕式", "Opening ceremony", desk,
                        at, "volunteer", Admission(uuid + "-first", first_desk, at.replace(minute=20)))


def test_conflicts_tab_shows_two_conflicts_and_a_refusal_without_scrolling(desk: Desk) -> None:
    w = desk.window
    conflicts = w.conflicts
    assert conflicts is not None
    desk.qtbot.waitUntil(lambda: not conflicts._loading and not conflicts._timer.isActive(),
                         timeout=5000)
    panel = w.conflicts_panel
    items = [_conflict("u1", "李娜", "LI Na", "CQ24-P3WSVT", DESK, 30, "B厅 1号台"),
             _conflict("u2", "Claire Dubois", "Claire DUBOIS", "CQ24-7QXK2M", "C厅 2号台", 26,
                       "B厅 1号台")]
    refused = [RefusedItem("checkins", "uuid-late", "未知人员 / unknown delegate late-0001",
                           datetime(2024, 11, 23, 1, 31, tzinfo=UTC), "周晓岚", "CQ24-LATE01",
                           "OPENING")]
    panel.set_items(items, refused)
    conflicts.conflicts, conflicts.refused = items, refused  # the tab title counts these
    conflicts.retitle()
    tabs = w.lower_tabs
    tabs.setCurrentIndex(tabs.indexOf(panel))
    for lang in ("zh", "en"):
        w.set_language(lang, save=False)
        _settle(w)
        assert w.width() <= SCREEN_W
        # Both conflicts whole, no scrolling; the refusal below them in two lines, no header.
        assert panel.table.rowCount() == 2 and panel.table.verticalScrollBar().maximum() == 0
        assert panel.refused_box.isVisibleTo(w)
        assert not panel.refused_table.horizontalHeader().isVisibleTo(w)
        assert panel.refused_table.item(0, 0).text() == "11-23\n09:31:00"
        reason = panel.refused_table.item(0, 2).text()
        assert reason.startswith("未知人员" if lang == "zh" else "unknown delegate late-0001")
        # Every tab title in sight (shortened if need be, never scrolled away).
        bar = tabs.tabBar()
        assert all(bar.tabRect(i).right() <= bar.width() and bar.tabRect(i).left() >= 0
                   for i in range(tabs.count()))
    assert tabs.tabText(tabs.indexOf(panel)) == "Conflicts (2) · refused 1"


def test_hub_reasons_start_in_the_ui_language() -> None:
    assert reason_text("未知人员 / unknown delegate x", "en") == "unknown delegate x / 未知人员"
    assert reason_text("未知人员 / unknown delegate x", "zh") == "未知人员 / unknown delegate x"
    assert reason_text("活动已满\nActivity full", "en") == "Activity full / 活动已满"
    # Not a pair: as the hub wrote it.
    assert reason_text("a / b / c", "en") == "a / b / c"
