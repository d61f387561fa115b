"""The badge side of the desk window: a reprint is confirmed on screen, and no scan presses a
button of a manager's badge dialog (batch printing opened a Save-As dialog on a scan)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from checkin_app.badges.templates import load_templates
from checkin_app.domain.types import CategoryInfo
from checkin_app.services.badges import DONE, BadgeService
from checkin_app.ui.badge_dialogs import BatchDialog, ReprintDialog
from checkin_app.ui.main_window import MainWindow
from tests.ui.conftest import DESK, Demo, Desk


def _use_printer(demo: Demo, spec: str) -> None:
    BadgeService(demo.db).save_settings(desk=DESK, operator="test", printer=spec)


def _ready(desk: Desk) -> MainWindow:
    w = desk.window
    desk.qtbot.waitUntil(lambda: w.controller.printing.settings is not None, timeout=5000)
    return w


def _states(w: MainWindow) -> list[str]:
    return [j.state for j in w.print_panel.jobs]


def test_a_reprint_is_confirmed_in_the_badge_panel_without_a_dialog(
        configured: Demo, make_desk: Callable[..., Desk], tmp_path: Path) -> None:
    _use_printer(configured, f"folder:{tmp_path / 'out'}")
    desk = make_desk()
    w = _ready(desk)
    desk.scan(desk.samples["french"])
    desk.qtbot.waitUntil(lambda: _states(w) == [DONE], timeout=15000)
    w.lower_tabs.setCurrentIndex(0)  # the volunteer looks at recent scans
    w.manager.session.start("Li Lei")
    w.badges.on_reprint()
    dlg = next(d for d in w.findChildren(ReprintDialog) if d.isVisible())
    dlg.radios["lost"].setChecked(True)
    with desk.qtbot.waitSignal(w.controller.printing.reprintQueued, timeout=5000):
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    panel = w.print_panel
    # At once: what happens, in both languages, where it is seen (the badge tab comes forward).
    assert w.lower_tabs.currentWidget() is panel
    assert "补打已提交" in panel.notice_text and "Reprint sent" in panel.notice_text
    assert "第 2 号" in panel.notice_text and "no. 2" in panel.notice_text
    assert panel.notice.isVisibleTo(w) and not panel.status.isVisibleTo(w)
    # When the badge is out: done, in green.
    desk.qtbot.waitUntil(lambda: "补打完成" in panel.notice_text, timeout=15000)
    assert "Reprinted" in panel.notice_text and "#1B7F3A" in panel.notice.styleSheet()
    assert panel.notice.toolTip().split("\n")[1].startswith("✔ Reprinted:")
    # No dialog took the scanner's keyboard.
    assert QApplication.activeModalWidget() is None
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field, timeout=3000)
    panel.clear_notice()
    assert panel.status.isVisibleTo(w) and panel.notice_text == ""


def test_a_scan_while_the_batch_dialog_is_open_presses_no_button(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, app_fonts: list[str]) -> None:
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    cats = [CategoryInfo("VIP", "贵宾", "VIP", "#C62828")]
    dlg = BatchDialog(cats, [], load_templates())
    qtbot.addWidget(dlg)
    started: list[bool] = []
    dlg.start_button.clicked.connect(lambda: started.append(True))
    dlg.open()
    qtbot.waitExposed(dlg)
    for b in dlg.findChildren(QPushButton):
        assert not b.isDefault() and not b.autoDefault(), b.text()
    output = dlg.output.text()
    browse = next(b for b in dlg.findChildren(QPushButton) if "Browse" in b.text())
    # A scanner's code and Return, wherever the dialog's focus is.
    for target in (dlg.categories, dlg.output, browse, dlg.start_button):
        target.setFocus()
        qtbot.keyClicks(target, "cq24-ab23cd") if target is not dlg.output else None
        qtbot.keyClick(target, Qt.Key.Key_Return)
        qtbot.keyClick(target, Qt.Key.Key_Enter)
    assert asked == [] and started == [] and dlg.isVisible()
    assert dlg.output.text().startswith(output)


def test_return_does_not_confirm_a_reprint(qtbot: QtBot) -> None:
    dlg = ReprintDialog("张伟", "CQ24-AB23CD")
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitExposed(dlg)
    dlg.radios["lost"].setChecked(True)
    with qtbot.assertNotEmitted(dlg.accepted):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
    assert dlg.isVisible()
