"""Search by name: type-ahead in the background, stale answers dropped, check-in from a result."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
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


def _scanner_type(desk: Desk, widget: QWidget, code: str, *, shift: bool = True) -> None:
    """Type like a keyboard-wedge scanner: fast keys, Shift pressed for every capital."""
    for ch in code:
        if shift and ch.isupper():
            QTest.keyPress(widget, Qt.Key.Key_Shift)
        QTest.keyClick(widget, ch, Qt.KeyboardModifier.ShiftModifier if ch.isupper()
                       else Qt.KeyboardModifier.NoModifier)
        if shift and ch.isupper():
            QTest.keyRelease(widget, Qt.Key.Key_Shift)


def _scanned_person(desk: Desk, code: str) -> int:
    with desk.db.read() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == code))
        assert d is not None
        return d.id


def test_scan_into_a_half_typed_search_admits_the_scanned_person(desk: Desk) -> None:
    # Seen at the real window: with "zhou" in the search and a row highlighted, a scan
    # admitted the highlighted person and printed their badge.
    w = desk.window
    searched = _chinese_person(desk.db)
    w.focus_search()
    _ime_type(w.search.field, searched.name_native)
    desk.qtbot.waitUntil(lambda: w.search.selected() is not None, timeout=5000)
    highlighted = w.search.selected()
    assert highlighted is not None
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        _scanner_type(desk, w.search.field, code)
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    result = blocker.args[0]
    assert result.delegate.id == _scanned_person(desk, code) != highlighted.id
    assert result.code == code.upper()
    # The search is left as it was: same text, same person highlighted.
    assert w.search.field.text() == searched.name_native
    desk.qtbot.waitUntil(lambda: w.search.selected() is not None, timeout=5000)
    assert w.search.selected().id == highlighted.id  # type: ignore[union-attr]
    assert w.focusWidget() is w.scan_field


def test_upper_case_code_with_shift_into_empty_search_is_a_scan(desk: Desk) -> None:
    w = desk.window
    w.focus_search()
    code = desk.samples["attendee"].upper()
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        _scanner_type(desk, w.search.field, code)
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    assert blocker.args[0].delegate.id == _scanned_person(desk, desk.samples["attendee"])
    assert w.search.field.text() == ""


def test_slow_typing_then_enter_checks_in_the_highlighted_person(desk: Desk) -> None:
    # Enter after typing by hand is still "check in whom I picked".
    w = desk.window
    person = _chinese_person(desk.db)
    w.focus_search()
    for ch in person.registration_code:
        desk.qtbot.keyClick(w.search.field, ch)
        desk.qtbot.wait(60)
    desk.qtbot.waitUntil(lambda: w.search.selected() is not None, timeout=5000)
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    assert blocker.args[0].delegate.id == person.id


def test_search_box_keeps_the_input_method_out_until_asked(desk: Desk) -> None:
    w = desk.window
    field = w.search.field
    w.focus_search()
    assert field.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is False
    w.search.hanzi.click()
    assert field.chinese_input
    assert field.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is True
    assert w.focusWidget() is field
    # Back to the scanner: the input method goes off again.
    w.focus_scanner()
    assert not field.chinese_input and not w.search.hanzi.isChecked()
    assert w.scan_field.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is False


def test_input_method_eating_a_scan_in_search_is_reported_and_never_guessed(desk: Desk) -> None:
    w = desk.window
    field = w.search.field
    w.focus_search()
    w.search.hanzi.click()
    _ime_type(field, "周")
    desk.qtbot.wait(400)  # a person's pace
    scans: list[str] = []
    w.controller.scanQueued.connect(scans.append)
    with desk.qtbot.waitSignal(w.search.imeInterference, timeout=2000):
        # What libpinyin made of a scanner's "cq24-abcdef" (one change a key).
        for preedit in ("从", "采取", "此前", "此前4", "此前4-", "此前4-阿", "此前4-阿布", "此前4-阿保存"):
            ev = QInputMethodEvent(preedit, [])
            QApplication.sendEvent(field, ev)
    assert field.text() == "周"
    assert not field.chinese_input
    # The rest of the burst arrives as plain keys: dropped, never looked up as a partial code.
    desk.qtbot.keyClicks(field, "4-ABCDEF12")
    desk.qtbot.keyClick(field, Qt.Key.Key_Return)
    desk.qtbot.wait(200)
    assert scans == []
    assert w.result.state == "error"
    assert "输入法" in w.status_error.toolTip() and "Input method" in w.status_error.toolTip()


def test_pinyin_typed_by_a_person_is_not_taken_for_a_scan(desk: Desk) -> None:
    # At the real window with ibus and fcitx5: 80 ms a key (some input methods send two events
    # a key) set off the alarm after three keys.
    w = desk.window
    field = w.search.field
    w.focus_search()
    w.search.hanzi.click()
    alarms: list[int] = []
    w.search.imeInterference.connect(lambda: alarms.append(1))
    for preedit in ("z", "zh", "zho", "zhou", "周", "周l", "周li", "周lin"):
        for _ in range(2):
            QApplication.sendEvent(field, QInputMethodEvent(preedit, []))
        desk.qtbot.wait(80)
    assert alarms == []
    assert field.chinese_input


def test_search_gives_the_keyboard_back_after_idle(desk: Desk) -> None:
    w = desk.window
    w._search_idle.setInterval(300)
    w.focus_search()
    desk.qtbot.keyClicks(w.search.field, "li")
    assert w.focusWidget() is w.search.field
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field, timeout=3000)
    assert w.search.field.text() == "li"
    desk.scan(desk.samples["attendee"])


def test_results_show_who_is_already_checked_in(desk: Desk) -> None:
    w = desk.window
    person = _chinese_person(desk.db)
    desk.qtbot.keyClicks(w.search.field, "x")
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000):
        w.controller.check_in_delegate(person.id, person.name_native)
    w.search.field.clear()
    w.focus_search()
    _ime_type(w.search.field, person.name_native)
    desk.qtbot.waitUntil(lambda: w.search.table.rowCount() > 0, timeout=5000)
    row = next(i for i in range(w.search.table.rowCount())
               if w.search._rows[i].id == person.id)
    assert "已签到 09:30" in w.search.table.item(row, 3).text()


def test_a_display_cap_is_not_shown_as_the_count(desk: Desk) -> None:
    w = desk.window
    w.focus_search()
    desk.qtbot.keyClicks(w.search.field, "a")  # matches far more than the 20 shown
    desk.qtbot.waitUntil(lambda: w.search.table.rowCount() == 20, timeout=5000)
    assert "显示前 20 条" in w.search.hint.text()


def test_letters_an_input_method_commits_one_by_one_are_still_a_scan(desk: Desk) -> None:
    # Seen with ibus and fcitx5 right after Ctrl+F: the scanner's letters came as commits, not
    # key events, the burst went unseen and Enter checked in the highlighted person.
    w = desk.window
    searched = _chinese_person(desk.db)
    w.focus_search()
    _ime_type(w.search.field, searched.name_native)
    desk.qtbot.waitUntil(lambda: w.search.selected() is not None, timeout=5000)
    desk.qtbot.wait(200)
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        for ch in code:
            _ime_type(w.search.field, ch)
        desk.qtbot.keyClick(w.search.field, Qt.Key.Key_Return)
    assert blocker.args[0].delegate.id == _scanned_person(desk, code) != searched.id
    assert w.search.field.text() == searched.name_native


def test_enter_right_after_a_fast_run_that_is_no_code_checks_in_nobody(desk: Desk) -> None:
    w = desk.window
    searched = _chinese_person(desk.db)
    w.focus_search()
    _ime_type(w.search.field, searched.name_native)
    desk.qtbot.waitUntil(lambda: w.search.selected() is not None, timeout=5000)
    desk.qtbot.wait(200)
    checked: list[object] = []
    w.controller.scanFinished.connect(checked.append)
    with desk.qtbot.waitSignal(w.search.unreadBurst, timeout=2000):
        QTest.keyClicks(w.search.field, "QXZ")  # the tail of a burst that lost its digits
        QTest.keyClick(w.search.field, Qt.Key.Key_Return)
    desk.qtbot.wait(300)
    assert checked == []
    assert w.result.state == "error" and "scan again" in w.status_error.toolTip()


def test_function_keys_for_hanzi_entry_and_exit(desk: Desk) -> None:
    w = desk.window
    w.focus_search()
    QTest.keyClick(w, Qt.Key.Key_F2)
    assert w.search.field.chinese_input
    QTest.keyClick(w, Qt.Key.Key_F7)
    assert w.mode_switch.direction == "out"
    QTest.keyClick(w, Qt.Key.Key_F6)
    assert w.mode_switch.direction == "in"


def test_the_rest_of_an_eaten_burst_that_reaches_the_scan_field_is_dropped(desk: Desk) -> None:
    # At the real window (fcitx5): the focus went to the scan field in the middle of the burst the
    # input method ate; its last keys ("UY") were put in front of the next scan.
    w = desk.window
    field = w.search.field
    w.focus_search()
    w.search.hanzi.click()
    desk.qtbot.wait(400)
    with desk.qtbot.waitSignal(w.search.imeInterference, timeout=2000):
        for preedit in ("从", "采取", "此前", "此前4", "此前4-", "此前4-阿", "此前4-阿布", "此前4-阿保存"):
            QApplication.sendEvent(field, QInputMethodEvent(preedit, []))
    assert w.focusWidget() is w.scan_field
    QTest.keyClicks(w.scan_field, "UY")  # the tail of the eaten burst
    assert w.scan_field.text() == ""
    desk.qtbot.wait(400)
    result = desk.scan(desk.samples["attendee"])
    assert result.code == desk.samples["attendee"].upper()
