"""The manager PIN prompt, and the form that sets a desk's first manager PIN.

The desk calls its manager 负责人 in Chinese everywhere (MANAGER_ZH), the word volunteers use for
the person in charge of their desk.
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

MANAGER_ZH = "负责人"
MANAGER_EN = "manager"


def pair(lang: str, zh: str, en: str, sep: str = " / ") -> str:
    """Both languages, the UI language first (manager dialogs are read by whoever is there)."""
    return f"{zh}{sep}{en}" if lang == "zh" else f"{en}{sep}{zh}"


def _name_buttons(buttons: QDialogButtonBox, lang: str, ok_zh: str = "确定", ok_en: str = "OK") -> None:
    """OK / Cancel in both languages (Qt's own words follow only the system language)."""
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(pair(lang, ok_zh, ok_en))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(pair(lang, "取消", "Cancel"))


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
        self.setWindowTitle(pair(lang, f"{MANAGER_ZH}验证", "Manager PIN"))
        # Each language names the action in its own words (never "PIN needed: 撤销签到").
        self.intro = QLabel(pair(lang, f"需要{MANAGER_ZH} PIN：{action_zh}",
                                 f"Manager PIN needed: {action_en}", "\n"))
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
        self.setWindowTitle(pair(lang, f"设置{MANAGER_ZH} PIN", "Set the manager PIN"))
        self.lang = lang
        intro = QLabel(pair(
            lang, f"本签到台还没有{MANAGER_ZH} PIN。请现场{MANAGER_ZH}填写姓名并设置 PIN（4–12 位数字）；"
            "之后撤销、特许放行、现场登记和设置都需要此 PIN。",
            "This desk has no manager yet. The desk lead sets a name and a PIN (4–12 digits); "
            "undo, overrides, walk-ins and settings will ask for it.", "\n\n"))
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.pin = _pin_edit()
        self.again = _pin_edit()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828; font-weight: bold;")
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(pair(lang, "姓名", "Name"), self.name)
        form.addRow("PIN", self.pin)
        form.addRow(pair(lang, "再输一次", "Again"), self.again)
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
            self.show_error(pair(self.lang, "两次输入的 PIN 不一致", "The two PINs differ", "\n"))
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
