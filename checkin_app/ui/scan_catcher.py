"""A scanner's burst is a scan wherever the focus is: keys caught on their way to any widget.

The scan field and the search box take bursts themselves. Anywhere else in the app — a
dialog's button or list, the recent-scans table, a tab — printable keys do nothing useful,
and a scanner's Return would press a dialog's button. The catcher holds such keys back and,
when they form a burst ending in Enter, Tab or a pause, hands the code to the scan path.
Widgets that take text (line edits, spin boxes) keep their keys: a manager typing a walk-in's
name is typing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from checkin_app.ui.scan_field import END_KEYS, MIN_BURST, MODIFIER_KEYS, PAUSE_MS, BurstTracker

# Only keys with no modifier but Shift (capitals) can be a scanner's; Ctrl/Alt keys are the
# volunteer's shortcuts and mnemonics.
_SCANNER_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def takes_text(widget: QObject | None) -> bool:
    """Whether keys typed at `widget` are text someone means to type."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)


class ScanCatcher(QObject):
    """An application event filter that turns a scanner's burst anywhere into a scan.

    Signals:
        scanned(str): a burst typed at a widget that does not take text.
    """

    scanned = Signal(str)

    def __init__(self, own: tuple[QWidget, ...], parent: QObject | None = None, *,
                 pause_ms: int = PAUSE_MS) -> None:
        super().__init__(parent)
        self._own = own  # the fields that take bursts themselves
        self._burst = BurstTracker()
        self._buffer: list[str] = []
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(pause_ms)
        self._pause.timeout.connect(self._on_pause)
        self._installed = False

    def install(self) -> None:
        """Start watching every key of the application."""
        app = QApplication.instance()
        if isinstance(app, QApplication) and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def remove(self) -> None:
        """Stop watching (idempotent)."""
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self._pause.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        # Application filters see an event once per widget it travels through; only the
        # focus widget's copy counts.
        focus = QApplication.focusWidget()
        if watched is not focus or focus is None or focus in self._own or takes_text(focus):
            return False
        key = Qt.Key(event.key())
        if key in MODIFIER_KEYS:
            return False
        if event.modifiers() & ~_SCANNER_MODIFIERS:
            self._reset()
            return False
        if key in END_KEYS:
            if len(self._buffer) >= MIN_BURST and self._burst.idle_ms() <= PAUSE_MS:
                self._emit()
                return True
            had = bool(self._buffer)
            self._reset()
            return had  # Return right after a few fast keys is the tail of a misread
        text = event.text()
        if not text or not text.isprintable() or (text == " " and not self._buffer):
            self._reset()
            return False  # arrows, Space on a button, Esc: the widget's own
        if self._burst.key() == 1:
            self._buffer = []
        self._buffer.append(text)
        if len(self._buffer) >= MIN_BURST:
            self._pause.start()
        return True

    def _on_pause(self) -> None:
        if len(self._buffer) >= MIN_BURST:
            self._emit()

    def _emit(self) -> None:
        code = "".join(self._buffer)
        self._reset()
        self.scanned.emit(code)

    def _reset(self) -> None:
        self._pause.stop()
        self._burst.reset()
        self._buffer = []
