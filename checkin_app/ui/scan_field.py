"""The scanner input: keeps focus, ignores input methods, and ends a code on Enter, Tab or a pause."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

# Scanners type one key every ~5-20 ms; people rarely go below ~60 ms between keys.
FAST_KEY_MS = 45
# A scanner that sends no terminator stops typing; this long a silence after a burst ends the code.
PAUSE_MS = 300
MIN_BURST = 6

_END_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


class BurstTracker:
    """Counts consecutive fast keystrokes, to tell a scanner from a person."""

    def __init__(self) -> None:
        self._clock = QElapsedTimer()
        self._last = -1
        self.burst = 0

    def key(self) -> int:
        """Note one keystroke; returns the length of the current fast run."""
        if not self._clock.isValid():
            self._clock.start()
        now = self._clock.elapsed()
        if self._last >= 0 and now - self._last <= FAST_KEY_MS:
            self.burst += 1
        else:
            self.burst = 1
        self._last = now
        return self.burst

    def reset(self) -> None:
        """Forget the current run (after a code ends)."""
        self.burst = 0
        self._last = -1


class ScanField(QLineEdit):
    """A line edit for a keyboard-wedge scanner.

    Signals:
        scanned(str): a complete code, whatever ended it (Enter, Tab or a pause after a burst).
    """

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, pause_ms: int = PAUSE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("scanField")
        # The scanner is a keyboard; if a Chinese IME is active it would turn the code into
        # candidate pinyin. Turning input methods off for this widget sends keys straight here.
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhLatinOnly
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
            | Qt.InputMethodHint.ImhPreferLatin
            | Qt.InputMethodHint.ImhSensitiveData
        )
        self.setMaxLength(512)
        self._burst = BurstTracker()
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(pause_ms)
        self._pause.timeout.connect(self._on_pause)

    def event(self, e: QEvent) -> bool:
        # Tab never reaches keyPressEvent: QWidget.event turns it into a focus move first.
        if e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent) and e.key() in (
            Qt.Key.Key_Tab, Qt.Key.Key_Backtab
        ):
            self._finish()
            e.accept()
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in _END_KEYS:
            self._finish()
            e.accept()
            return
        super().keyPressEvent(e)
        if e.text() and e.text().isprintable():
            if self._burst.key() >= MIN_BURST:
                self._pause.start()
            else:
                self._pause.stop()

    def inputMethodEvent(self, e: QInputMethodEvent) -> None:
        # Input methods are off here; anything that still arrives (a preedit, or a commit of
        # converted text) is not what the scanner typed, so it must not reach the code.
        e.accept()

    def _on_pause(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self._pause.stop()
        self._burst.reset()
        code = self.text()
        self.clear()
        if code.strip():
            self.scanned.emit(code)
