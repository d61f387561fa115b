"""The walk-in registration form: names (native and Latin), organisation, country, category, activities."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.countries import COUNTRIES
from checkin_app.domain.types import ActivityInfo, CategoryInfo
from checkin_app.services.walkin import WalkInForm, form_problems
from checkin_app.ui.pin_dialog import pair
from checkin_app.ui.texts import say


class WalkInDialog(QDialog):
    """Collects a walk-in; stays open until the desk has saved it (or shows why not).

    Signals:
        submitted(WalkInForm): a complete form to register.
    """

    submitted = Signal(object)

    def __init__(self, categories: list[CategoryInfo], activities: list[ActivityInfo], *,
                 lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkInDialog")
        self.lang = lang
        self.setWindowTitle(say("ui.walkin.title", lang, " / "))
        self.setMinimumSize(860, 660)
        intro = QLabel(say("ui.walkin.intro", lang, "\n"))
        intro.setWordWrap(True)
        self.name_native = QLineEdit()
        self.name_native.setPlaceholderText(say("ui.walkin.native_hint", lang, " / "))
        self.name_latin = QLineEdit()
        self.name_latin.setPlaceholderText(say("ui.walkin.latin_hint", lang, " / "))
        self.organisation = QLineEdit()
        self.country = QComboBox()
        self.country.addItem("—", "")
        for code, (zh, en) in sorted(COUNTRIES.items(), key=lambda kv: kv[1][1]):
            self.country.addItem(f"{pair(lang, zh, en)} ({code})", code)
        cn = self.country.findData("CN")
        self.country.setCurrentIndex(max(0, cn))
        self.category = QComboBox()
        for c in categories:
            self.category.addItem(pair(lang, c.name_zh, c.name_en), c.code)
        attendee = self.category.findData("ATTENDEE")
        if attendee >= 0:
            self.category.setCurrentIndex(attendee)
        self.activities = QListWidget()
        for a in activities:
            if a.is_main:
                continue
            item = QListWidgetItem(pair(lang, a.name_zh, a.name_en))
            item.setData(Qt.ItemDataRole.UserRole, a.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.activities.addItem(item)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828; font-weight: bold;")
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(say("ui.walkin.name_native", lang, " / "), self.name_native)
        form.addRow(say("ui.walkin.name_latin", lang, " / "), self.name_latin)
        form.addRow(say("ui.walkin.organisation", lang, " / "), self.organisation)
        form.addRow(say("ui.walkin.country", lang, " / "), self.country)
        form.addRow(say("ui.walkin.category", lang, " / "), self.category)
        form.addRow(say("ui.walkin.also", lang, " / "), self.activities)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            say("button.cancel", lang, " / "))
        self.ok.setText(say("ui.walkin.submit", lang, " / "))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(10)
        lay.addWidget(intro)
        lay.addLayout(form, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.name_native.setFocus()

    def form(self) -> WalkInForm:
        """What is typed now."""
        chosen = tuple(
            str(self.activities.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.activities.count())
            if self.activities.item(i).checkState() == Qt.CheckState.Checked
        )
        return WalkInForm(
            name_native=self.name_native.text().strip(), name_latin=self.name_latin.text().strip(),
            organisation=self.organisation.text().strip(),
            country=str(self.country.currentData() or ""),
            category=str(self.category.currentData() or ""), activities=chosen,
        )

    def _on_ok(self) -> None:
        form = self.form()
        problems = form_problems(form)
        if problems:
            self.show_error("\n".join(pair(self.lang, zh, en) for zh, en in problems))
            return
        self.ok.setEnabled(False)
        self.error.setVisible(False)
        self.submitted.emit(form)

    def show_error(self, message: str) -> None:
        """Why the walk-in was not saved; the form keeps what was typed."""
        self.error.setText(message)
        self.error.setVisible(True)
        self.ok.setEnabled(True)
