"""Search by name: type-ahead in the background, stale answers dropped, check-in from a result."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from checkin_app.domain.types import DelegateView
from checkin_app.services.views import delegate_view
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

if TYPE_CHECKING:
    from tests.ui.conftest import Desk

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_person(db: Database) -> DelegateView:
    with db.read() as s:
        for d in s.scalars(select(m.Delegate).where(m.Delegate.status != "cancelled")):
            if _CJK.search(d.name_native or ""):
                return delegate_view(d)
    raise AssertionError("the demo has no Chinese name")


def _ime_type(widget: QWidget, text: str) -> None:
    """Type Chinese the way a volunteer does: the input method commits the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _row_names(desk: Desk) -> list[str]:
    t = desk.window.search.table
    return [t.item(i, 0).text() for i in range(t.rowCount())]


def test_type_ahead_finds_chinese_name_and_checks_in(desk: Desk) -> None:
    person = _chinese_person(desk.db)
    w = desk.window
    w.act_search.trigger()
    assert w.focusWidget() is w.search.field
    _ime_type(w.search.field, person.name_native)
    desk.qtbot.waitUntil(
        lambda: any(person.name_native in n for n in _row_names(desk)), timeout=5000)
    # Walk down to the person with the keyboard, as a volunteer without a mouse would.
    for _ in range(w.search.table.rowCount()):
        sel = w.search.selected()
        if sel is not None and sel.id == person.id:
            break
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Down)
    assert w.search.selected() is not None
    assert w.search.selected().id == person.id  # type: ignore[union-attr]
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    result = blocker.args[0]
    assert result.delegate.id == person.id
    assert w.result.state == "result"
    assert w.result.name_native.text() == person.name_native
    assert w.focusWidget() is w.scan_field
    assert w.search.field.text() == ""


def test_check_in_button_and_escape(desk: Desk) -> None:
    person = _chinese_person(desk.db)
    w = desk.window
    w.focus_search()
    desk.qtbot.keyClicks(w.search.field, person.registration_code[:4])
    desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Escape)
    assert w.focusWidget() is w.scan_field
    w.focus_search()
    w.search.field.clear()
    _ime_type(w.search.field, person.name_native)
    desk.qtbot.waitUntil(lambda: w.search.button.isEnabled(), timeout=5000)
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000):
        desk.qtbot.mouseClick(w.search.button, Qt.MouseButton.LeftButton)
    assert w.focusWidget() is w.scan_field


def test_stale_results_are_dropped(desk: Desk) -> None:
    person = _chinese_person(desk.db)
    panel = desk.window.search
    desk.qtbot.keyClicks(panel.field, "zz")
    old = panel.sequence
    desk.qtbot.keyClicks(panel.field, "z")
    assert panel.sequence > old
    panel.show_results(old, [person])
    assert panel.table.rowCount() == 0
    panel.show_results(panel.sequence, [person])
    assert panel.table.rowCount() == 1


def test_cancelled_people_are_marked(desk: Desk) -> None:
    with desk.db.read() as s:
        d = s.scalar(select(m.Delegate).where(
            m.Delegate.registration_code == desk.samples["cancelled"]))
        assert d is not None
        view = delegate_view(d)
    panel = desk.window.search
    desk.qtbot.keyClicks(panel.field, "x")
    panel.show_results(panel.sequence, [view])
    item = panel.table.item(0, 0)
    assert item.font().strikeOut()
    assert "已取消" in panel.table.item(0, 3).text()


def test_scanner_burst_into_search_field_is_a_scan(desk: Desk) -> None:
    w = desk.window
    w.focus_search()
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        desk.qtbot.keyClicks(w.search.field, code)
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    assert blocker.args[0].code == code.upper()
    assert w.search.field.text() == ""
    assert w.focusWidget() is w.scan_field
