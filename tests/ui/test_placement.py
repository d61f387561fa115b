"""Windows and dialogs are kept whole on their screen, title bar included."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from checkin_app.ui.placement import keep_on_screen


def test_a_window_above_and_taller_than_the_screen_is_brought_inside(qtbot: QtBot) -> None:
    screen = QApplication.primaryScreen()
    assert screen is not None
    avail = screen.availableGeometry()
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(avail.width() + 300, avail.height() + 400)
    w.move(avail.left() - 50, avail.top() - 120)
    w.show()
    qtbot.waitExposed(w)
    keep_on_screen(w)
    frame = w.frameGeometry()
    assert avail.contains(frame), (frame, avail)


def test_a_window_that_fits_is_left_where_it_is(qtbot: QtBot) -> None:
    screen = QApplication.primaryScreen()
    assert screen is not None
    avail = screen.availableGeometry()
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(200, 100)
    w.move(avail.left() + 10, avail.top() + 20)
    w.show()
    qtbot.waitExposed(w)
    before = w.frameGeometry()
    keep_on_screen(w)
    assert w.frameGeometry() == before
