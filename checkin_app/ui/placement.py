"""Keep a top-level window, title bar included, on the screen it opened on."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move a shown window until its whole frame is inside the available area.

    Dialogs are centred on their parent by the window manager or Qt; one taller than the room
    above and below that centre opened with its title bar above the screen, out of reach.
    """
    if window.isMaximized() or window.isFullScreen() or not window.isVisible():
        return
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    w = max(window.minimumWidth(), min(inner.width(), avail.width() - extra_w))
    h = max(window.minimumHeight(), min(inner.height(), avail.height() - extra_h))
    if (w, h) != (inner.width(), inner.height()):
        window.resize(w, h)
    x = max(avail.left(), min(frame.left(), avail.left() + avail.width() - (w + extra_w)))
    y = max(avail.top(), min(frame.top(), avail.top() + avail.height() - (h + extra_h)))
    if (x, y) != (frame.left(), frame.top()):
        window.move(x, y)  # a top-level window's position is its frame's
