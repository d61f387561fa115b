"""The recent list with inline-confirmed undo, and the attendance counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from checkin_app.domain.verdicts import Verdict
from checkin_app.ui import style

if TYPE_CHECKING:
    from tests.ui.conftest import Desk


def test_scan_appears_in_recent_list_and_counts(desk: Desk) -> None:
    w = desk.window
    before = w.counts.stats
    assert before is not None
    r = desk.scan(desk.samples["attendee"])
    assert r.event is not None
    desk.qtbot.waitUntil(lambda: any(row.uuid == r.event.uuid for row in w.recent.rows))
    desk.qtbot.waitUntil(lambda: w.counts.stats is not None
                         and w.counts.stats.checked_in == before.checked_in + 1)
    assert w.recent.table.item(0, 3).text() == r.code
    assert w.recent.table.item(0, 1).text() == "准许入场"
    desk.clock.advance(seconds=5)
    refused = desk.scan("GARBAGE-999999")
    assert refused.verdict is Verdict.UNKNOWN_CODE
    desk.qtbot.waitUntil(lambda: w.recent.rows[0].code == refused.code)
    assert w.recent.rows[0].uuid is None
    assert w.recent.rows[0].severity.value == "red"


def test_undo_needs_two_clicks_and_records_a_reversal(desk: Desk) -> None:
    w = desk.window
    w.manager.session.start("Test manager")  # undo is a manager action (issue 3)
    before = w.counts.stats.checked_in if w.counts.stats else 0
    r = desk.scan(desk.samples["attendee"])
    assert r.event is not None
    uuid = r.event.uuid
    desk.qtbot.waitUntil(lambda: any(row.uuid == uuid for row in w.recent.rows))
    # The counts reload after the scan in the background: wait for them, never read them early.
    checked_in = before + 1
    desk.qtbot.waitUntil(lambda: w.counts.stats is not None
                         and w.counts.stats.checked_in == checked_in)
    row = next(i for i, x in enumerate(w.recent.rows) if x.uuid == uuid)
    rect = w.recent.table.visualItemRect(w.recent.table.item(row, 2))
    desk.qtbot.mouseClick(w.recent.table.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert w.recent.selected() is not None
    assert w.recent.undo_button.isEnabled()
    with desk.qtbot.assertNotEmitted(w.recent.undoRequested):
        desk.qtbot.mouseClick(w.recent.undo_button, Qt.MouseButton.LeftButton)
    assert w.recent.confirming
    with desk.qtbot.waitSignal(w.controller.undoFinished, timeout=5000) as blocker:
        desk.qtbot.mouseClick(w.recent.undo_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].undoes == uuid
    assert w.result.state == "undo"
    assert w.result.background_colour() == style.UNDONE.background
    desk.qtbot.waitUntil(lambda: any(x.uuid == uuid and x.undone for x in w.recent.rows))
    desk.qtbot.waitUntil(lambda: w.counts.stats is not None
                         and w.counts.stats.checked_in == checked_in - 1)
    undone_row = next(i for i, x in enumerate(w.recent.rows) if x.uuid == uuid)
    assert w.recent.table.item(undone_row, 2).font().strikeOut()
    # Undone means not in: the next scan admits again instead of saying "already in".
    assert desk.scan(desk.samples["attendee"]).verdict is Verdict.ADMIT
    assert w.focusWidget() is w.scan_field


def test_undo_confirmation_times_out(desk: Desk) -> None:
    w = desk.window
    r = desk.scan(desk.samples["attendee"])
    assert r.event is not None
    uuid = r.event.uuid
    desk.qtbot.waitUntil(lambda: w.recent.select_uuid(uuid))
    w.recent._confirm_timer.setInterval(100)
    desk.qtbot.mouseClick(w.recent.undo_button, Qt.MouseButton.LeftButton)
    assert w.recent.confirming
    desk.qtbot.waitUntil(lambda: not w.recent.confirming, timeout=2000)


def test_refused_rows_cannot_be_undone(desk: Desk) -> None:
    w = desk.window
    desk.scan(desk.samples["cancelled"])
    desk.qtbot.waitUntil(lambda: bool(w.recent.rows))
    w.recent.table.selectRow(0)
    assert not w.recent.undo_button.isEnabled()


def test_counts_refresh_in_background(desk: Desk) -> None:
    w = desk.window
    with desk.qtbot.waitSignal(w.controller.statsLoaded, timeout=8000):
        pass
    assert w.counts.checked_in.value.text() != "—"
