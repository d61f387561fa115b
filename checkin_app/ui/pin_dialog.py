"""The manager PIN prompt, and the form that sets a desk's first manager PIN.

The desk calls its manager 负责人 in Chinese everywhere (MANAGER_ZH, catalogue code manager.word),
the word volunteers use for the person in charge of their desk; the catalogue's texts say it so.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.clock import Clock
from checkin_app.domain.messages import Words, msg
from checkin_app.ui.texts import say, word

MANAGER_ZH = word("manager.word", "zh")
MANAGER_EN = word("manager.word", "en")


def pair(lang: str, zh: str, en: str, sep: str = " / ") -> str:
    """Both languages, the UI language first (manager dialogs are read by whoever is there)."""
    return f"{zh}{sep}{en}" if lang == "zh" else f"{en}{sep}{zh}"


def _name_buttons(buttons: QDialogButtonBox, lang: str) -> None:
    """OK / Cancel in both languages (Qt's own words follow only the system language)."""
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(say("button.ok", lang, " / "))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(say("button.cancel", lang, " / "))


def _pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(12)
    edit.setValidator(QRegularExpressionValidator(r"[0-9]{0,12}"))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return edit


class PinDialog(QDialog):
    """Asks for a manager PIN for one named action.

    Signals:
        submitted(str): the PIN typed (checked by the caller in the background).
    """

    submitted = Signal(str)

    def __init__(self, action_zh: str, action_en: str, *, lang: str, clock: Clock,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.lang = lang
        self.clock = clock
        self.locked_until: datetime | None = None
        self.setWindowTitle(say("pin.dialog_title", lang, " / "))
        # Each language names the action in its own words (never "PIN needed: 撤销签到").
        self.intro = QLabel(say(msg("pin.needed_for", action=Words(action_zh, action_en)), lang,
                                "\n"))
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("font-size: 17px;")
        self.pin = _pin_edit()
        self.pin.setPlaceholderText("PIN")
        self.error = QLabel()
        self.error.setObjectName("pinError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828; font-weight: bold;")
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        _name_buttons(self.buttons, lang)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        lay.addWidget(self.intro)
        lay.addWidget(self.pin)
        lay.addWidget(self.error)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        # Room for a two-line bilingual message; the dialog grows when one wraps further.
        self.setMinimumWidth(460)
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(500)
        self._connect_callbacks()
        self.pin.setFocus()

    def _connect_callbacks(self) -> None:
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self._lock_timer.timeout.connect(self._on_lock_tick)

    def _on_ok(self) -> None:
        if self.pin.text() and self.pin.isEnabled():
            self.set_busy(True)
            self.submitted.emit(self.pin.text())

    def set_busy(self, busy: bool) -> None:
        """While the PIN is checked (a few tens of milliseconds), nothing can be typed."""
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        self.pin.setEnabled(not busy and not self._locked())

    def show_error(self, message: str, locked_until: datetime | None = None) -> None:
        """A wrong PIN (with tries left) or a lock-out (typing disabled until it ends)."""
        self.locked_until = locked_until
        self.error.setText(ui_first(message, self.lang))
        self.error.setVisible(True)
        _make_room(self)
        self.pin.clear()
        self.set_busy(False)
        if self._locked():
            self._lock_timer.start()
        else:
            self.pin.setFocus()

    def _locked(self) -> bool:
        return self.locked_until is not None and self.clock.now() < self.locked_until

    def _on_lock_tick(self) -> None:
        if not self._locked():
            self._lock_timer.stop()
            self.locked_until = None
            self.error.setVisible(False)
            self.set_busy(False)
            self.pin.setFocus()


class FirstPinDialog(QDialog):
    """Sets the desk's first manager PIN (offered only while the desk has no manager).

    Signals:
        submitted(str, str): the manager's name and the new PIN (typed twice, equal).
    """

    submitted = Signal(str, str)

    def __init__(self, *, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstPinDialog")
        self.setWindowTitle(say("pin.first_title", lang, " / "))
        self.lang = lang
        intro = QLabel(say("pin.first_intro", lang, "\n\n"))
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.pin = _pin_edit()
        self.again = _pin_edit()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828; font-weight: bold;")
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(say("pin.name_label", lang, " / "), self.name)
        form.addRow("PIN", self.pin)
        form.addRow(say("pin.again_label", lang, " / "), self.again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        _name_buttons(self.buttons, lang)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.name.setFocus()

    def _on_ok(self) -> None:
        if self.pin.text() != self.again.text():
            self.show_error(say("pin.differ", self.lang, "\n"))
            return
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.submitted.emit(self.name.text().strip(), self.pin.text())

    def show_error(self, message: str) -> None:
        """Why the PIN was not set (too short, too simple, ...)."""
        self.error.setText(ui_first(message, self.lang))
        self.error.setVisible(True)
        _make_room(self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self.pin.clear()
        self.again.clear()
        self.pin.setFocus()


def ui_first(message: str, lang: str) -> str:
    """A "Chinese line\nEnglish line" message with the UI language's line first."""
    zh, sep, en = message.partition("\n")
    return f"{en}\n{zh}" if lang == "en" and sep and en else message


def _make_room(dlg: QDialog) -> None:
    """Grow the dialog so a wrapped message is shown whole, never under the buttons."""
    lay = dlg.layout()
    if lay is None:
        return
    lay.activate()
    need = lay.totalHeightForWidth(dlg.width()) if lay.hasHeightForWidth() else \
        lay.totalSizeHint().height()
    if need > dlg.height():
        dlg.resize(dlg.width(), need)
