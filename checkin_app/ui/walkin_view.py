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
        self.setWindowTitle(pair(lang, "现场登记", "Walk-in registration"))
        self.setMinimumSize(860, 660)
        intro = QLabel(pair(lang, "登记后本台签发证件代码并立即签到；此人在各处标为“现场登记”。",
                            "The desk signs a badge code and checks them in at once; they are "
                            "marked as a walk-in everywhere.", "\n"))
        intro.setWordWrap(True)
        self.name_native = QLineEdit()
        self.name_native.setPlaceholderText(pair(lang, "例：张伟、Đorđe Petrović", "e.g. 张伟"))
        self.name_latin = QLineEdit()
        self.name_latin.setPlaceholderText(pair(lang, "例：ZHANG Wei", "e.g. ZHANG Wei"))
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
        form.addRow(pair(lang, "姓名（本国文字）", "Name (native script)"), self.name_native)
        form.addRow(pair(lang, "姓名（拉丁字母）", "Name (Latin)"), self.name_latin)
        form.addRow(pair(lang, "单位", "Organisation"), self.organisation)
        form.addRow(pair(lang, "国家/地区", "Country/region"), self.country)
        form.addRow(pair(lang, "类别", "Category"), self.category)
        form.addRow(pair(lang, "另可参加", "Also admit to"), self.activities)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            pair(lang, "取消", "Cancel"))
        self.ok.setText(pair(lang, "登记并签到", "Register and check in"))
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
