"""Choose this desk's name and the activity it admits to (at first start, and from the menu)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.messages import both
from checkin_app.domain.types import ActivityInfo
from checkin_app.ui.texts import say


def _both(key: str, lang: str, sep: str = " / ") -> str:
    """Every text in both languages, the UI language first: a new desk's volunteer may read either.

    The words are the catalogue's setup.<key> (domain.messages).
    """
    return say(f"setup.{key}", lang, sep)


def activity_label(a: ActivityInfo, tz: ZoneInfo, lang: str) -> str:
    """Two lines: both names (UI language first), then code, times and hall."""
    first, second = (a.name_zh, a.name_en) if lang == "zh" else (a.name_en, a.name_zh)
    start = a.starts_at.astimezone(tz)
    end = a.ends_at.astimezone(tz)
    same_day = start.date() == end.date()
    times = (f"{start:%m-%d %H:%M}–{end:%H:%M}" if same_day
             else f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}")
    hall = a.hall_zh if lang == "zh" else a.hall_en
    cap = f" · {a.capacity:,}" if a.capacity else ""
    return f"{first}  /  {second}\n{a.code} · {times} · {hall or ''}{cap}".rstrip(" ·")


class SetupDialog(QDialog):
    """Desk name and activity.

    A desk with no event data yet (a new laptop) says so and offers the two ways to get it.

    Signals (besides QDialog's accepted / rejected):
        connectRequested(): the volunteer asked to connect this desk to a hub.
        bundleRequested(): the volunteer asked to load the hub's data from a USB stick.
    """

    connectRequested = Signal()
    bundleRequested = Signal()

    def __init__(self, activities: list[ActivityInfo], *, desk_name: str, activity_code: str,
                 tz: ZoneInfo, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setMinimumSize(QSize(720, 560))
        self._activities = activities
        self._tz = tz
        self._lang = lang
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("font-size: 18px;")
        self.desk_label = QLabel()
        self.desk_label.setObjectName("sectionTitle")
        self.desk_edit = QLineEdit(desk_name)
        self.activity_label = QLabel()
        self.activity_label.setObjectName("sectionTitle")
        self.list = QListWidget()
        self.list.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        # Fixed bilingual texts: a new desk may be in either language.
        self.empty = QLabel(both("setup.no_data"))
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("font-size: 15px; font-weight: 600; color: #8A5300;")
        self.connect_button = QPushButton(both("setup.connect", sep=" / "))
        self.bundle_button = QPushButton(both("setup.bundles", sep=" / "))
        self.empty_row = QWidget()
        row = QHBoxLayout(self.empty_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.connect_button)
        row.addWidget(self.bundle_button)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(10)
        lay.addWidget(self.intro)
        lay.addWidget(self.desk_label)
        lay.addWidget(self.desk_edit)
        lay.addWidget(self.activity_label)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.empty)
        lay.addWidget(self.empty_row)
        lay.addWidget(self.buttons)
        self._fill(activity_code)
        self._connect_callbacks()
        self.retranslate()
        self.desk_edit.setFocus()

    def _connect_callbacks(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.desk_edit.textChanged.connect(self._on_changed)
        self.list.currentRowChanged.connect(self._on_changed)
        self.list.itemDoubleClicked.connect(lambda _i: self._on_double_clicked())
        self.connect_button.clicked.connect(self.connectRequested.emit)
        self.bundle_button.clicked.connect(self.bundleRequested.emit)

    def set_activities(self, activities: list[ActivityInfo]) -> None:
        """New activities (data arrived from the hub); the choice made so far is kept."""
        current = self.activity_code() if self.list.currentItem() is not None else ""
        self._activities = activities
        self._fill(current)
        self._on_changed()

    def desk_name(self) -> str:
        """The desk name typed."""
        return self.desk_edit.text().strip()

    def activity_code(self) -> str:
        """The code of the chosen activity."""
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else "MAIN"

    def select_activity(self, code: str) -> None:
        """Highlight one activity by code."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentRow(i)
                return

    def set_language(self, lang: str) -> None:
        """Put `lang` ("zh" or "en") first in every text."""
        self._lang = lang
        self.retranslate()
        self._fill(self.activity_code() if self.list.currentItem() is not None else "")

    def retranslate(self) -> None:
        """Every text, both languages (the dialog's language first)."""
        lang = self._lang
        self.setWindowTitle(_both("title", lang))
        self.intro.setText(_both("intro", lang, "\n"))
        self.desk_label.setText(_both("desk", lang))
        self.desk_edit.setPlaceholderText(_both("desk_hint", lang))
        self.activity_label.setText(_both("activity", lang))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        ok.setText(say("button.ok", lang, " / "))
        cancel.setText(say("button.cancel", lang, " / "))
        self._on_changed()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    def _fill(self, current: str) -> None:
        self.list.clear()
        for a in self._activities:
            item = QListWidgetItem(activity_label(a, self._tz, self._lang))
            item.setData(Qt.ItemDataRole.UserRole, a.code)
            self.list.addItem(item)
        self.select_activity(current)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        has_data = bool(self._activities)
        self.empty.setVisible(not has_data)
        self.empty_row.setVisible(not has_data)

    def _on_changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.desk_name()) and self.list.currentItem() is not None)

    def _on_double_clicked(self) -> None:
        if self.desk_name():
            self.accept()
