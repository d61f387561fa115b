"""A scanner's burst is a scan wherever the focus is: a dialog's button never takes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from tests.ui.conftest import Desk


def _dialog(desk: Desk) -> tuple[QDialog, QPushButton, QLineEdit, list[str]]:
    dlg = QDialog(desk.window)
    button = QPushButton("Save as…", dlg)
    button.setDefault(True)
    edit = QLineEdit(dlg)
    lay = QVBoxLayout(dlg)
    lay.addWidget(button)
    lay.addWidget(edit)
    pressed: list[str] = []
    button.clicked.connect(lambda: pressed.append("clicked"))
    desk.qtbot.addWidget(dlg)
    dlg.show()
    desk.qtbot.waitExposed(dlg)
    dlg.activateWindow()
    return dlg, button, edit, pressed


def _focus(desk: Desk, widget: QWidget) -> None:
    widget.setFocus()
    desk.qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def test_burst_at_a_dialog_button_is_a_scan_and_presses_nothing(desk: Desk) -> None:
    _dlg, button, _edit, pressed = _dialog(desk)
    _focus(desk, button)
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(desk.window.controller.scanFinished, timeout=5000) as blocker:
        QTest.keyClicks(button, code)
        QTest.keyClick(button, Qt.Key.Key_Return)
    assert blocker.args[0].code == code.upper()
    assert pressed == []


def test_keys_a_person_types_at_a_button_stay_theirs(desk: Desk) -> None:
    _dlg, button, _edit, pressed = _dialog(desk)
    _focus(desk, button)
    QTest.keyClick(button, Qt.Key.Key_Space)  # Space presses the focused button, as always
    assert pressed == ["clicked"]


def test_text_fields_of_a_dialog_keep_their_keys(desk: Desk) -> None:
    _dlg, _button, edit, _pressed = _dialog(desk)
    _focus(desk, edit)
    QTest.keyClicks(edit, "Zhang Wei 12345")
    assert edit.text() == "Zhang Wei 12345"


def test_burst_with_enter_in_a_dialog_text_field_is_a_scan_not_a_submit(desk: Desk) -> None:
    # A walk-in form's name field had the focus: the code was typed in and Enter sent the form.
    _dlg, _button, edit, pressed = _dialog(desk)
    _focus(desk, edit)
    edit.setText("Zhang")
    edit.setCursorPosition(5)
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(desk.window.controller.scanFinished, timeout=5000) as blocker:
        QTest.keyClicks(edit, code)
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args[0].code == code.upper()
    assert edit.text() == "Zhang"
    assert pressed == []


def test_enter_after_typing_by_hand_still_submits(desk: Desk) -> None:
    _dlg, _button, edit, pressed = _dialog(desk)
    _focus(desk, edit)
    for ch in "Wei 2024":
        QTest.keyClick(edit, ch)
        desk.qtbot.wait(70)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "Wei 2024"
    assert pressed == ["clicked"]
