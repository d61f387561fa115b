"""The scanner input: keeps input methods out, and ends a code on Enter, Tab or a pause.

Input methods. A keyboard-wedge scanner is a keyboard, so a Chinese input method (ibus, fcitx5,
Microsoft Pinyin, Sogou) would turn its letters into pinyin candidates. Qt asks the focused
widget ``inputMethodQuery(ImEnabled)`` before it lets the platform input context see a key —
on X11 (ibus, and fcitx5 through its ibus frontend) at every key, on Windows when the focus
changes (QWindowsInputContext then detaches the IMM context from the window, which also keeps
TSF input methods out through their IMM layer). QLineEdit answers that query itself, so the
widget attribute alone does not reach the platform (FINDINGS.md): the fields here answer it.
Where a platform still sends input-method events, the field says so (``imeInterference``)
instead of silently taking nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

# Scanners type one key every ~0-20 ms; people rarely go below ~60 ms between keys.
FAST_KEY_MS = 45
# A scanner that sends no terminator stops typing; this long a silence after a burst ends the code.
PAUSE_MS = 300
MIN_BURST = 6
# After an input method ate a burst, keys closer together than this still belong to it.
DROP_GAP_MS = 300

END_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab})
# Keys that carry no character: a scanner presses Shift for every capital, and a Shift
# between two letters must not break the run of fast keys.
MODIFIER_KEYS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R,
})


class BurstTracker:
    """Counts consecutive fast keystrokes, to tell a scanner from a person.

    Gaps are measured between the key events' own times (when the keys were typed) where the
    platform gives them: the GUI thread may handle keys late and in a bunch after a busy moment
    (a search result being drawn), and measured on arrival a burst then looked like two.
    """

    def __init__(self) -> None:
        self._clock = QElapsedTimer()
        self._last = -1
        self._last_stamp = 0
        self.burst = 0

    def _now(self) -> int:
        if not self._clock.isValid():
            self._clock.start()
        return int(self._clock.elapsed())

    def _gap(self, now: int, stamp: int) -> int | None:
        if stamp > 0 and self._last_stamp > 0 and stamp >= self._last_stamp:
            return stamp - self._last_stamp
        if self._last >= 0:
            return now - self._last
        return None

    def key(self, stamp: int = 0) -> int:
        """Note one keystroke (`stamp`: its event's time in ms, 0 if unknown); returns the
        length of the current fast run."""
        now = self._now()
        gap = self._gap(now, stamp)
        self.burst = self.burst + 1 if gap is not None and gap <= FAST_KEY_MS else 1
        self._last, self._last_stamp = now, stamp
        return self.burst

    def idle_ms(self, stamp: int = 0) -> int:
        """Milliseconds since the last keystroke (a large number before the first)."""
        gap = self._gap(self._now(), stamp) if self._last >= 0 else None
        return (1 << 30) if gap is None else gap

    def reset(self) -> None:
        """Forget the current run (after a code ends)."""
        self.burst = 0
        self._last = -1
        self._last_stamp = 0


def refresh_input_method(widget: QWidget) -> None:
    """Make the platform input context ask `widget` again whether it takes an input method."""
    if widget.hasFocus():
        im = QGuiApplication.inputMethod()
        im.reset()  # drop a half-composed preedit, it belongs to the old state
        im.update(Qt.InputMethodQuery.ImEnabled | Qt.InputMethodQuery.ImHints)


def is_plain_text(text: str) -> bool:
    """What a scanner can type: printable ASCII (codes are ASCII by design, DESIGN §5)."""
    return bool(text) and all(" " <= c <= "~" for c in text)


class ScanField(QLineEdit):
    """A line edit for a keyboard-wedge scanner.

    Signals:
        scanned(str): a complete code, whatever ended it (Enter, Tab or a pause after a burst).
        imeInterference(): an input method composed text here although it was turned off: the
            platform did not keep it out, so the volunteer must switch it to English.
    """

    scanned = Signal(str)
    imeInterference = Signal()

    def __init__(self, parent: QWidget | None = None, *, pause_ms: int = PAUSE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("scanField")
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
        self._dropping = False
        self._drop = BurstTracker()
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(pause_ms)
        self._pause.timeout.connect(self._on_pause)

    def inputMethodQuery(self, query: Qt.InputMethodQuery, /, *args: Any) -> Any:
        # The platform input context decides from this answer, not from the widget attribute.
        if query == Qt.InputMethodQuery.ImEnabled:
            return False
        return super().inputMethodQuery(query, *args)

    def event(self, e: QEvent) -> bool:
        # Tab never reaches keyPressEvent: QWidget.event turns it into a focus move first.
        if e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent) and e.key() in (
            Qt.Key.Key_Tab, Qt.Key.Key_Backtab
        ):
            self._finish()
            e.accept()
            return True
        return super().event(e)

    def drop_rest_of_burst(self) -> None:
        """Ignore keys until the typing pauses: the rest of a burst an input method ate elsewhere
        (the focus came here in the middle of it) is no code, and must not start the next one."""
        self.clear()
        self._burst.reset()
        self._pause.stop()
        self._dropping = True
        self._drop.reset()
        self._drop.key()

    def _dropped(self, stamp: int, end: bool) -> bool:
        if not self._dropping:
            return False
        if self._drop.idle_ms(stamp) <= DROP_GAP_MS:
            self._drop.key(stamp)
            if end:
                self._dropping = False
            return True
        self._dropping = False
        return False

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() not in MODIFIER_KEYS and self._dropped(e.timestamp(), e.key() in END_KEYS):
            e.accept()
            return
        if e.key() in END_KEYS:
            self._finish()
            e.accept()
            return
        super().keyPressEvent(e)
        if e.text() and e.text().isprintable():
            self._note_key(e.timestamp())

    def _note_key(self, stamp: int = 0) -> None:
        if self._burst.key(stamp) >= MIN_BURST:
            self._pause.start()
        else:
            self._pause.stop()

    def inputMethodEvent(self, e: QInputMethodEvent) -> None:
        # Input methods are off here. An input method that sends plain ASCII anyway (some pass
        # letters through as commits) typed what the scanner typed; anything else — a
        # preedit, converted characters — is not the code, and the volunteer must be told.
        commit = e.commitString()
        if (commit or e.preeditString()) and self._dropped(0, False):
            e.accept()
            return
        if commit and is_plain_text(commit) and not e.preeditString():
            self.insert(commit)
            for _ in commit:
                self._note_key()
        elif commit or e.preeditString():
            self.imeInterference.emit()
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
