"""The desk window with sync: status bar text, enrol from the GUI, other desks' check-ins in the counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkin_app.services.checkin import CheckInService
from checkin_app.sync.client import SyncStatus
from checkin_app.ui.sync_status import SyncStatusLabel, status_text
from tests.sync.conftest import make_rig  # noqa: F401  (fixture)
from tests.ui.conftest import Desk, sync_of


def test_status_text_says_online_offline_last_sync_and_queue() -> None:
    at = datetime(2024, 11, 23, 1, 31, 5, tzinfo=UTC)
    online = SyncStatus(True, True, 3, at, desk="A", hub_url="https://hub")
    text, note, state = status_text(online, "en")
    assert (text, state) == ("● Online · last sync 09:31:05 · 3 not on hub", "online")
    assert note == "incl. other desks as of 09:31:05"
    text, _, state = status_text(SyncStatus(True, False, 0, at), "zh")
    assert text.startswith("● 离线") and "09:31:05" in text and state == "offline"
    assert status_text(None, "en")[2] == "off"


def test_sync_times_are_shown_on_the_desk_clock() -> None:
    from datetime import timedelta

    from checkin_app.domain.clock import FixedClock, OffsetClock
    from checkin_app.ui.sync_status import status_tip

    real = FixedClock(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    rehearsal = OffsetClock(datetime(2024, 11, 23, 1, 20, tzinfo=UTC), real.now)  # 09:20 Chongqing
    synced = SyncStatus(True, True, 0, real.now() - timedelta(seconds=5))
    text, note, _ = status_text(synced, "en", rehearsal)
    assert "last sync 09:19:55" in text and note.endswith("09:19:55")
    assert "11-23 09:19:55" in status_tip(synced, "en", rehearsal)
    assert "last sync 18:00:00" in status_text(
        SyncStatus(True, True, 0, real.now()), "en")[0]  # real time without a clock


def test_window_without_hub_shows_standalone(desk: Desk, qtbot: QtBot) -> None:
    label = sync_of(desk.window).label
    assert isinstance(label, SyncStatusLabel)
    qtbot.waitUntil(lambda: label.status is not None, timeout=5000)
    assert "未连接中心服务器" in label.text() or "No hub" in label.text()
    assert desk.window.scan_field.hasFocus()


def test_enrol_from_the_gui_then_other_desks_checkins_show_in_counts(
        make_desk: Callable[..., Desk], request: pytest.FixtureRequest, qtbot: QtBot,
        tmp_path: Path) -> None:
    from sqlalchemy import select

    from checkin_app.storage import models as m
    from checkin_app.ui.enrol_dialog import EnrolDialog
    from tests.sync.conftest import HubRig

    rig = request.getfixturevalue("make_rig")()
    assert isinstance(rig, HubRig)
    d = make_desk()
    w = d.window
    bridge = sync_of(w).bridge
    assert bridge is not None
    dlg = EnrolDialog(bridge, parent=w)
    dlg.show()
    qtbot.keyClicks(dlg.field, rig.code("GUI desk"))
    with qtbot.waitSignal(bridge.enrolled, timeout=10000):
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    label = sync_of(w).label
    qtbot.waitUntil(lambda: label.status is not None and label.status.online, timeout=15000)
    assert "在线" in label.text() or "Online" in label.text()
    # Another desk checks someone in; it reaches this desk's counts through the hub.
    other_db, other = rig.desk(tmp_path, "Other desk")
    other.sync_once()
    with rig.store.db.read() as s:
        code = s.scalar(select(m.Delegate.registration_code).where(m.Delegate.status == "approved")
                        .order_by(m.Delegate.id.desc()).limit(1))
    assert code is not None
    r = CheckInService(other_db, d.clock).scan(code, desk="Other desk")
    assert r.event is not None
    other.push_once()
    qtbot.waitUntil(lambda: _has_event(d, r.event.uuid if r.event else ""), timeout=10000)
    assert label.counts_note is not None and ("含其他签到台" in label.counts_note.text()
                                              or "other desks" in label.counts_note.text())
    other.close_clients()


def _has_event(d: Desk, uuid: str) -> bool:
    from sqlalchemy import select

    from checkin_app.storage import models as m

    with d.db.read() as s:
        return s.scalar(select(m.CheckIn.id).where(m.CheckIn.uuid == uuid)) is not None


def test_activities_from_the_hub_reach_the_desk_without_a_restart(desk: Desk, qtbot: QtBot) -> None:
    """A pull (or a USB import) that brings a new or renamed activity updates the switch list."""
    from sqlalchemy import select

    from checkin_app.storage import models as m

    w = desk.window
    assert w.sync is not None and "EXTRA" not in {a.code for a in w.activities}
    with desk.db.write() as s:  # what applying the hub's changes does
        main = s.scalars(select(m.Activity).where(m.Activity.code == w.controller.activity_code)).one()
        main.name_en = "Main entrance (hall B)"
        s.add(m.Activity(code="EXTRA", name_zh="加场", name_en="Extra session",
                         starts_at=main.starts_at, ends_at=main.ends_at))
    w.set_language("en", save=False)
    w.sync.bridge.changesArrived.emit(2)
    qtbot.waitUntil(lambda: "EXTRA" in {a.code for a in w.activities}, timeout=5000)
    assert "Main entrance (hall B)" in w.status_activity.text()


def test_a_new_desk_gets_its_activities_from_the_hub_in_the_setup_dialog(
        qtbot: QtBot, request: pytest.FixtureRequest, tmp_path: Path, app_fonts: list[str]) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from checkin_app.desk import DeskCore
    from checkin_app.domain.clock import FixedClock
    from checkin_app.storage.db import Database
    from checkin_app.ui.main_window import MainWindow
    from tests.sync.conftest import HubRig

    rig = request.getfixturevalue("make_rig")()
    assert isinstance(rig, HubRig)
    db = Database(tmp_path / "new-laptop.sqlite3")
    w = MainWindow(DeskCore(db, FixedClock(datetime(2024, 11, 23, 1, 30, tzinfo=UTC))))
    qtbot.addWidget(w)
    try:
        w.start()
        qtbot.waitUntil(lambda: w.setup_dialog is not None, timeout=5000)
        dlg = w.setup_dialog
        assert dlg is not None and dlg.list.count() == 0
        assert dlg.empty.isVisibleTo(dlg) and dlg.connect_button.isEnabled()
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        dlg.desk_edit.setText("Hall A desk 9")
        assert not ok.isEnabled()  # nothing to admit to yet
        dlg.connect_button.click()  # a manager action: the first PIN is asked for
        qtbot.waitUntil(lambda: w.manager.dialog is not None, timeout=5000)
        w.manager.dialog.reject()
        qtbot.waitUntil(lambda: w.manager.dialog is None, timeout=5000)
        assert w.sync is not None
        with qtbot.waitSignal(w.sync.bridge.enrolled, timeout=10000):
            w.sync.bridge.enrol(rig.code("Hall A desk 9 (hub)"))  # what the enrolment dialog does
        qtbot.waitUntil(lambda: dlg.list.count() > 5, timeout=20000)  # the first pull arrived
        assert not dlg.empty.isVisibleTo(dlg) and ok.isEnabled()
        assert dlg.desk_name() == "Hall A desk 9 (hub)"  # the name the hub gave, not the typed one
    finally:
        w.shutdown()
        w.close()
        db.close()
