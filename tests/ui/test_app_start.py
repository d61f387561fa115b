"""The desk process as `checkin-app gui` runs it: the first start survives its set-up dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import FixedClock
from checkin_app.services.catalog import CatalogService
from checkin_app.ui.app import run_gui
from checkin_app.ui.main_window import MainWindow
from checkin_app.ui.setup_dialog import SetupDialog
from tests.ui.conftest import Demo


def _visible(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_first_start_goes_on_to_the_desk_after_set_up(
        qtbot: QtBot, demo: Demo, clock: FixedClock, app_fonts: list[str],
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    # Seen on a fresh clone: OK in the set-up dialog closed the only window there was, and
    # the app ended with exit code 0 before the desk window ever showed.
    monkeypatch.setenv("CHECKIN_EXIT_WHEN_READY", "1")  # the desk closes itself once ready
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen: dict[str, bool] = {}

    def fill_in() -> None:
        dialogs = _visible(SetupDialog)
        if not dialogs:
            QTimer.singleShot(50, fill_in)
            return
        dlg = dialogs[0]
        dlg.desk_edit.setText("North gate 2")
        dlg.select_activity("MAIN")
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        seen["accepted"] = True

    def watch() -> None:
        if _visible(MainWindow):
            seen["window"] = True
        QTimer.singleShot(20, watch)

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(app.quit)  # never hang the suite
    guard.start(20000)
    QTimer.singleShot(50, fill_in)
    QTimer.singleShot(20, watch)
    try:
        code = run_gui(DeskCore(demo.db, clock))
    finally:
        guard.stop()
        app.setQuitOnLastWindowClosed(True)
    assert code == 0
    assert seen.get("accepted")
    assert seen.get("window"), "the desk window never showed after set-up"
    assert "READY" in capfd.readouterr().out
    assert CatalogService(demo.db, clock).settings().desk_name == "North gate 2"
