"""The conflicts tab with a real hub: flagged admissions pulled in, the recent-scans mark, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.badges import BadgeService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.pins import PinService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.ui.conflicts_ui import ConflictsDesk
from checkin_app.ui.pin_dialog import PinDialog
from tests.factories import local
from tests.sync.conftest import HubRig, make_rig  # noqa: F401  (fixture)
from tests.ui.conftest import DESK, Demo, Desk, sync_of


def _enrolled(d: Desk, rig: HubRig, qtbot: QtBot, name: str = DESK) -> ConflictsDesk:
    bridge = sync_of(d.window).bridge
    assert bridge is not None
    with qtbot.waitSignal(bridge.enrolled, timeout=15000):
        bridge.enrol(rig.code(name))
    # From now on the desk goes by the name the hub gave it.
    qtbot.waitUntil(lambda: d.window.controller.desk_name == name, timeout=10000)
    label = sync_of(d.window).label
    qtbot.waitUntil(lambda: label.status is not None and label.status.online, timeout=20000)
    conflicts = d.window.conflicts
    assert isinstance(conflicts, ConflictsDesk)
    return conflicts


def _opening_people(store_db: Database, n: int) -> list[str]:
    """Codes of people the opening ceremony (single entry, open at 09:30) admits."""
    with store_db.read() as s:
        act = s.scalars(select(m.Activity).where(m.Activity.code == "OPENING")).one()
        cats = [c.id for c in act.categories]
        return list(s.scalars(select(m.Delegate.registration_code)
                              .where(m.Delegate.status == "approved", m.Delegate.category_id.in_(cats),
                                     m.Delegate.walk_in.is_(False))
                              .order_by(m.Delegate.id).limit(n)))


def _admit(db: Database, desk: str, code: str, at: datetime) -> str:
    r = CheckInService(db, FixedClock(at)).scan(code, activity_code="OPENING", desk=desk)
    assert r.event is not None, r.verdict
    return r.event.uuid


def test_conflicts_pulled_from_the_hub_show_in_the_tab_and_mark_recent_scans(
        make_desk: Callable[..., Desk], request: pytest.FixtureRequest, qtbot: QtBot,
        tmp_path: Path) -> None:
    rig: HubRig = request.getfixturevalue("make_rig")()
    d = make_desk()
    w = d.window
    here = "A厅 3号台"  # enrolled under another name than the desk had before
    conflicts = _enrolled(d, rig, qtbot, here)
    assert here in w.status_desk.text()
    tabs = w.lower_tabs
    index = tabs.indexOf(w.conflicts_panel)
    qtbot.waitUntil(lambda: tabs.tabText(index) == "冲突（0）", timeout=10000)
    mine, theirs = _opening_people(rig.store.db, 2)  # type: ignore[arg-type]

    # Hall B was offline since before the doors opened: it admits both people at 09:20 …
    b_db, b = rig.desk(tmp_path, "Hall B")
    b.sync_once()
    b_mine = _admit(b_db, "Hall B", mine, local(23, 9, 20))
    _admit(b_db, "Hall B", theirs, local(23, 9, 20))
    # … while this desk, online, admits one of them at 09:30 and pushes it at once.
    d.switch_activity("OPENING")
    result = d.scan(mine)
    assert result.event is not None and result.verdict.value.startswith("ADMIT")
    my_uuid = result.event.uuid
    qtbot.waitUntil(lambda: _on_hub(rig, my_uuid), timeout=15000)
    # Hall C, also offline, admitted the other person later than Hall B did.
    c_db, c = rig.desk(tmp_path, "Hall C")
    c.sync_once()
    c_theirs = _admit(c_db, "Hall C", theirs, local(23, 9, 26))
    c.push_once()
    b.push_once()  # now the hub sees who came first: this desk's and Hall C's are the later ones

    qtbot.waitUntil(lambda: len(conflicts.conflicts) == 2, timeout=20000)
    assert [i.uuid for i in conflicts.conflicts] == [my_uuid, c_theirs]  # newest first
    assert tabs.tabText(index) == "冲突（2）"
    table = w.conflicts_panel.table
    tabs.setCurrentIndex(index)  # a manager opens the tab
    assert table.rowCount() == 2 and table.isVisibleTo(w) and not w.conflicts_panel.empty.isVisibleTo(w)
    mine_row = [table.item(0, col).text() for col in range(3)]
    person = conflicts.conflicts[0]
    assert mine_row[0] == f"{person.name_native}\n{person.name_latin} · {mine}"
    assert mine_row[1] == "OPENING\n开幕式"
    assert mine_row[2] == f"后：{here}（本台）  09:30:00\n先：Hall B  09:20:00"
    assert table.item(1, 2).text() == "后：Hall C  09:26:00\n先：Hall B  09:20:00"
    assert "11-23 09:26:00" in table.item(1, 2).toolTip()  # the date, where there is room
    assert conflicts.conflicts[0].earlier is not None
    assert conflicts.conflicts[0].earlier.uuid == b_mine

    # The recent-scans row of this desk's flagged admission is marked, in words and colour.
    recent = w.recent
    qtbot.waitUntil(lambda: my_uuid in recent.conflicts, timeout=5000)
    row = next(i for i, r in enumerate(recent.rows) if r.uuid == my_uuid)
    assert recent.table.item(row, 1).text().endswith("· 冲突")
    assert recent.table.item(row, 1).background().color().name() == "#ffe0b2"
    # English too.
    w.set_language("en")
    assert tabs.tabText(index) == "Conflicts (2)"
    assert recent.table.item(row, 1).text().endswith("· conflict")
    assert table.item(0, 2).text() == f"Later: {here} (this desk)  09:30:00\nFirst: Hall B  09:20:00"
    assert w.scan_field.hasFocus()
    b.close_clients()
    c.close_clients()


def test_refused_checkins_show_with_their_reason_and_in_the_status_bar(
        make_desk: Callable[..., Desk], configured: Demo, request: pytest.FixtureRequest,
        qtbot: QtBot) -> None:
    rig: HubRig = request.getfixturevalue("make_rig")()
    # No automatic badge here: its print record would be a second refusal, arriving whenever
    # the print finishes.
    BadgeService(configured.db).save_settings(desk=DESK, operator="setup", auto_print=False)
    d = make_desk()
    w = d.window
    conflicts = _enrolled(d, rig, qtbot)
    with d.db.write() as s:  # someone on this desk's list whom the hub does not know yet
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "ATTENDEE"))
        s.add(m.Delegate(uid="late-gui-0001", registration_code="CQ24-LATEGUI", name_native="晚到",
                         name_latin="WAN Dao", category_id=cat, status="approved",
                         updated_at=datetime(2024, 11, 22, tzinfo=UTC)))
    result = d.scan("CQ24-LATEGUI")
    assert result.event is not None
    label = sync_of(w).label
    qtbot.waitUntil(lambda: label.status is not None and label.status.refused == 1, timeout=20000)
    assert "中心拒收 1 条" in label.text() and "未上传 0" in label.text()
    qtbot.waitUntil(lambda: len(conflicts.refused) == 1, timeout=10000)
    index = w.lower_tabs.indexOf(w.conflicts_panel)
    assert w.lower_tabs.tabText(index) == "冲突（0） · 拒收 1"
    panel = w.conflicts_panel
    w.lower_tabs.setCurrentIndex(index)
    assert panel.refused_box.isVisibleTo(w) and panel.empty.isVisibleTo(w)
    what, reason = panel.refused_table.item(0, 1).text(), panel.refused_table.item(0, 2).text()
    assert what == "签到：晚到 · CQ24-LATEGUI · MAIN"
    assert "未知人员" in reason and "unknown delegate" in reason

    # The organiser adds the person at the hub (not yet sent to desks); a manager retries now.
    with rig.store.db.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "ATTENDEE"))
        s.add(m.Delegate(uid="late-gui-0001", registration_code="CQ24-LATEGUI", name_native="晚到",
                         name_latin="WAN Dao", category_id=cat, status="approved",
                         updated_at=datetime(2024, 11, 22, tzinfo=UTC)))
    PinService(d.db, d.clock).set_pin("Li Lei", "2468", desk=DESK, operator="setup")
    panel.retry_button.click()
    qtbot.waitUntil(lambda: isinstance(w.manager.dialog, PinDialog), timeout=5000)
    pin = w.manager.dialog
    assert isinstance(pin, PinDialog)
    qtbot.keyClicks(pin.pin, "2468")
    pin.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: label.status is not None and label.status.refused == 0, timeout=20000)
    qtbot.waitUntil(lambda: _on_hub(rig, result.event.uuid if result.event else ""), timeout=10000)
    qtbot.waitUntil(lambda: conflicts.refused == [], timeout=10000)
    assert "拒收" not in label.text() and w.lower_tabs.tabText(index) == "冲突（0）"
    assert not panel.refused_box.isVisibleTo(w)
    qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field, timeout=5000)


def _on_hub(rig: HubRig, uuid: str) -> bool:
    with rig.store.db.read() as s:
        return s.scalar(select(m.CheckIn.id).where(m.CheckIn.uuid == uuid)) is not None
