"""A scanner's burst is a scan wherever the focus is: keys caught on their way to any widget.

The scan field and the search box take bursts themselves. Anywhere else in the app — a
dialog's button or list, the recent-scans table, a tab — printable keys do nothing useful,
and a scanner's Return would press a dialog's button. The catcher holds such keys back and,
when they form a burst ending in Enter, Tab or a pause, hands the code to the scan path.
Line edits of dialogs (a walk-in's name, a reason) keep every key as it is typed — a manager
typing is typing — but a burst that ends in Enter and looks like a code is taken back out of
the field and scanned, and its Enter never submits the form.
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
from checkin_app.ui.search_view import looks_like_code

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
        self._typed_in: QLineEdit | None = None  # the line edit a run was typed into
        self._before: tuple[str, int] = ("", 0)
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
        if watched is not focus or focus is None or focus in self._own:
            return False
        if isinstance(focus, QLineEdit):
            return self._line_edit_key(focus, event)
        if takes_text(focus):
            return False
        key = Qt.Key(event.key())
        if key in MODIFIER_KEYS:
            return False
        if event.modifiers() & ~_SCANNER_MODIFIERS:
            self._reset()
            return False
        if key in END_KEYS:
            if len(self._buffer) >= MIN_BURST and self._burst.idle_ms(event.timestamp()) <= PAUSE_MS:
                self._emit()
                return True
            had = bool(self._buffer)
            self._reset()
            return had  # Return right after a few fast keys is the tail of a misread
        text = event.text()
        if not text or not text.isprintable() or (text == " " and not self._buffer):
            self._reset()
            return False  # arrows, Space on a button, Esc: the widget's own
        if self._burst.key(event.timestamp()) == 1:
            self._buffer = []
        self._buffer.append(text)
        if len(self._buffer) >= MIN_BURST:
            self._pause.start()
        return True

    def _line_edit_key(self, edit: QLineEdit, event: QKeyEvent) -> bool:
        """Let the key through; at Enter, take a burst that looks like a code back out."""
        key = Qt.Key(event.key())
        if key in MODIFIER_KEYS:
            return False
        if edit is not self._typed_in:
            self._reset()
            self._typed_in = edit
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = "".join(self._buffer)
            if (len(self._buffer) >= MIN_BURST and self._burst.idle_ms(event.timestamp()) <= PAUSE_MS
                    and looks_like_code(code)):
                text, cursor = self._before
                self._reset()
                edit.setText(text)
                edit.setCursorPosition(cursor)
                self.scanned.emit(code)
                return True
            self._reset()
            return False
        text = event.text()
        if event.modifiers() & ~_SCANNER_MODIFIERS or not text or not text.isprintable():
            self._reset()
            return False
        if self._burst.key(event.timestamp()) == 1:
            self._buffer = []
            self._before = (edit.text(), edit.cursorPosition())
        self._buffer.append(text)
        return False

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
        self._typed_in = None
