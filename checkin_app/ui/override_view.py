"""Manager override of a red verdict: the strip under the result panel and the reason form."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.messages import Words, msg
from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import Severity
from checkin_app.ui.pin_dialog import pair
from checkin_app.ui.texts import say


def overridable(result: ScanResult | None) -> bool:
    """A red verdict about a known person (a forged or unknown code has nobody to admit)."""
    return (result is not None and result.severity is Severity.RED and not result.admitted
            and result.delegate is not None)


class OverrideBar(QFrame):
    """Shows "Manager override…" while the panel shows a red verdict that can be overridden.

    Signals:
        overrideRequested(object): the ScanResult to override.
    """

    overrideRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideBar")
        self.result: ScanResult | None = None
        self.lang = "zh"
        self.button = QPushButton()
        self.button.setObjectName("danger")
        # No focus: clicking it must not take the keyboard from the scanner.
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addStretch(1)
        lay.addWidget(self.button)
        self.button.clicked.connect(self._on_clicked)
        self.set_result(None)

    def set_language(self, lang: str) -> None:
        """Button words in `lang` first."""
        self.lang = lang
        self.button.setText(say("ui.override.button", lang, " / "))

    def set_result(self, result: ScanResult | None) -> None:
        """Follow the result panel: a new verdict replaces the old."""
        self.result = result if overridable(result) else None
        self.set_language(self.lang)
        self.setVisible(self.result is not None)

    def _on_clicked(self) -> None:
        if self.result is not None:
            self.overrideRequested.emit(self.result)


class OverrideDialog(QDialog):
    """Who, which verdict is set aside, and the reason (required).

    Signals: those of QDialog; `reason()` holds the text once accepted.
    """

    def __init__(self, result: ScanResult, *, manager: str, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideDialog")
        self.setWindowTitle(say("ui.override.title", lang, " / "))
        self.setMinimumWidth(560)
        d = result.delegate
        who = (d.name_native or d.display_name or d.name_latin) if d else ""
        title = pair(lang, result.title_zh, result.title_en)
        verdict_words = Words(result.title_zh, result.title_en)
        info = QLabel(say(msg("ui.override.info", manager=manager, who=who, verdict=verdict_words),
                          lang, "\n"))
        info.setWordWrap(True)
        info.setStyleSheet("font-size: 16px;")
        verdict = QLabel(title)
        verdict.setStyleSheet("background: #C62828; color: white; font-weight: bold;"
                              " border-radius: 6px; padding: 6px 12px; font-size: 16px;")
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(300)
        self.reason_edit.setPlaceholderText(say("ui.override.reason_hint", lang, " / "))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            say("button.cancel", lang, " / "))
        self.ok.setText(say("ui.override.admit", lang, " / "))
        self.ok.setEnabled(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        lay.addWidget(verdict)
        lay.addWidget(info)
        lay.addWidget(self.reason_edit)
        lay.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.setFocus()

    def _on_ok(self) -> None:
        if self.reason():
            self.accept()

    def reason(self) -> str:
        """The reason typed."""
        return self.reason_edit.text().strip()
