"""The event and every activity's rules, read-only, so a volunteer can answer "why was she refused?"."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.messages import both, msg
from checkin_app.domain.types import ActivityInfo, CategoryInfo
from checkin_app.services.catalog import EventInfo
from checkin_app.ui.texts import word


def _pick(lang: str, zh: str, en: str) -> str:
    """Event data (names, halls) in the UI's language."""
    return zh if lang == "zh" else en


def mode_text(a: ActivityInfo, lang: str) -> str:
    """Single entry, re-entry or once per day — and whether exits are scanned."""
    if a.once_per_day:
        mode = word("rules.mode.once_per_day", lang)
    elif a.reentry:
        mode = word("rules.mode.reentry", lang)
    else:
        mode = word("rules.mode.single", lang)
    if a.exits_scanned:
        mode += word("rules.exits_scanned", lang)
    return mode


def doors_text(a: ActivityInfo, tz: ZoneInfo, lang: str) -> str:
    """When the door admits: the programme times widened by the doors-open window."""
    start, end = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
    opens = start - timedelta(minutes=a.doors_open_minutes)
    closes = end + timedelta(minutes=a.doors_after_minutes)
    same = start.date() == end.date()
    times = f"{start:%m-%d %H:%M}–{end:%H:%M}" if same else f"{start:%m-%d %H:%M} –\n{end:%m-%d %H:%M}"
    if not (a.doors_open_minutes or a.doors_after_minutes):
        return times
    span = f"{opens:%H:%M}–{closes:%H:%M}" if same else f"{opens:%m-%d %H:%M} – {closes:%m-%d %H:%M}"
    return f"{times}\n" + word(msg("rules.doors", span=span), lang)


def admitted_text(a: ActivityInfo, categories: list[CategoryInfo], lang: str) -> str:
    """The categories this activity admits, by name, in the event's order."""
    if not categories:
        return ", ".join(sorted(a.admitted_categories))
    names = [_pick(lang, c.name_zh, c.name_en) for c in categories if c.code in a.admitted_categories]
    if len(names) == len(categories):
        return word("rules.every_category", lang)
    return word("rules.list_sep", lang).join(names)


class RulesDialog(QDialog):
    """A read-only table: one row per activity, the main entrance first."""

    HEADERS = ("rules.head.activity", "rules.head.times", "rules.head.capacity", "rules.head.entry",
               "rules.head.categories")

    def __init__(self, event: EventInfo | None, activities: list[ActivityInfo],
                 categories: list[CategoryInfo], *, tz: ZoneInfo, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(both(msg("rules.title"), sep=" / "))
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        if event is not None:
            name = _pick(lang, event.name_zh, event.name_en)
            venue = _pick(lang, event.venue_zh, event.venue_en)
            self.title.setText(f"{name}\n{venue} · {event.starts_on} – {event.ends_on} · {event.timezone}")
        self.table = QTableWidget(len(activities), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels([word(code, lang) for code in self.HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Names wrap in a column of their own width; the categories take what is left.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 250)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for row, a in enumerate(activities):
            hall = _pick(lang, a.hall_zh, a.hall_en)
            name = f"{a.code} · {_pick(lang, a.name_zh, a.name_en)}" + (f"\n{hall}" if hall else "")
            cells = (name, doors_text(a, tz, lang),
                     f"{a.capacity:,}" if a.capacity else word("rules.no_limit", lang),
                     mode_text(a, lang), admitted_text(a, categories, lang))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        # Row heights follow the final column widths (known once the dialog is laid out).
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(both(msg("rules.close"), sep=" / "))
        # A scanner's Return must never close this by surprise; the scan goes to the desk.
        close.setAutoDefault(False)
        close.setDefault(False)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(1100, 600)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        self.table.resizeRowsToContents()
