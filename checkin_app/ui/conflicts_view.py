"""The conflicts tab: admissions the hub flagged, with the earlier admission, and items the hub refused."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.clock import zone
from checkin_app.domain.messages import msg
from checkin_app.services.conflicts import ConflictItem, RefusedItem
from checkin_app.ui.icons import Glyph, glyph_icon
from checkin_app.ui.style import AMBER, RED
from checkin_app.ui.texts import word

# What a refused item was, by its synced table (catalogue ui.conflicts.<table>).
KINDS = frozenset({"checkins", "delegates", "badge_prints", "badge_revocations"})


def words(key: str, lang: str) -> str:
    """A fixed text in the desk's language (catalogue ui.conflicts.<key>)."""
    return word(f"ui.conflicts.{key}", lang)


def tab_title(conflicts: int, refused: int, lang: str) -> str:
    """The tab's title: the conflict count always, refusals when there are any."""
    text = word(msg("ui.text.bracket", text=words("tab", lang), note=conflicts), lang)
    if refused:
        text += f" · {words('tab_refused', lang)} {refused}"
    return text


def reason_text(reason: str, lang: str) -> str:
    """The hub's bilingual reason on one line, the UI language first (the start shows when cut)."""
    if "\n" in reason:
        parts = reason.split("\n")
    else:
        parts = reason.split(" / ") if reason.count(" / ") == 1 else [reason]
    if len(parts) == 2 and lang == "en":
        parts.reverse()
    return " / ".join(p.strip() for p in parts)


def _table(columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    # No focus: reading the list never takes keystrokes away from the scanner.
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.setShowGrid(False)
    t.setWordWrap(True)
    header = t.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return t


class ConflictsPanel(QFrame):
    """Flagged admissions newest first, and the hub's refusals with their reasons.

    Signals:
        retryRequested(): a manager wants the refused items sent again now.
    """

    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.language = "zh"
        self.tz = zone()
        self.desk_name = ""
        self.items: list[ConflictItem] = []
        self.refused: list[RefusedItem] = []

        # The tab shares a small corner of a 1366x768 screen: the explanation is the empty
        # state's text and the list's tooltip, not a permanent paragraph.
        self.table = _table(3)
        # Two lines per conflict, elided rather than wrapped: a third line hid the next conflict.
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel()
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.refused_box = QWidget()
        self.refused_title = QLabel()
        self.refused_title.setObjectName("sectionTitle")
        # Two lines a refusal and no header row (each cell says what it is: the time, then
        # "check-in: who", then the hub's reason): with a header and one line, the item took
        # the width and the reason was cut after a word, and the conflicts above lost a row.
        self.refused_table = _table(3)
        self.refused_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.refused_table.horizontalHeader().setVisible(False)
        rv = self.refused_table.verticalHeader()
        rv.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rv.setDefaultSectionSize(2 * self.refused_table.fontMetrics().lineSpacing() + 8)
        rh = self.refused_table.horizontalHeader()
        rh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        rh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.retry_button = QPushButton()
        self.retry_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.retry_button.setStyleSheet("font-size: 13px; padding: 3px 10px;")
        head = QHBoxLayout()
        head.addWidget(self.refused_title, 1)
        head.addWidget(self.retry_button)
        box = QVBoxLayout(self.refused_box)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(2)
        box.addLayout(head)
        box.addWidget(self.refused_table, 1)
        self.refused_box.setVisible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(4)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.refused_box, 2)
        self.retry_button.clicked.connect(self.retryRequested.emit)
        self.retranslate()

    # -- public API ------------------------------------------------------------------------
    def set_items(self, items: list[ConflictItem], refused: list[RefusedItem]) -> None:
        """Show a freshly loaded list (conflicts newest first) and the refusals."""
        self.items = list(items)
        self.refused = list(refused)
        self._fill()

    def set_language(self, lang: str) -> None:
        """Texts in `lang`."""
        self.language = lang
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every text."""
        lang = self.language
        self.empty.setText(f"{words('none', lang)}\n{words('explain', lang)}")
        self.table.setToolTip(words("explain", lang))
        self.table.setHorizontalHeaderLabels([words(k, lang) for k in (
            "col_person", "col_activity", "col_admissions")])
        self.refused_title.setToolTip(words("refused_explain", lang))
        self.refused_table.setToolTip(words("refused_explain", lang))
        self.refused_table.setHorizontalHeaderLabels([words(k, lang) for k in (
            "col_refused_at", "col_what", "col_reason")])
        self.retry_button.setText(words("retry", lang))
        self._fill()

    # -- drawing ---------------------------------------------------------------------------
    def _when(self, moment: datetime | None, *, date: bool = True) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(self.tz).strftime("%m-%d %H:%M:%S" if date else "%H:%M:%S")

    def _desk(self, name: str) -> str:
        if name and name == self.desk_name:
            lang = self.language
            return word(msg("ui.text.bracket", text=name, note=words("this_desk", lang)), lang)
        return name or "—"

    def _labelled(self, key: str, value: str) -> str:
        return word(msg("ui.text.labelled", label=words(key, self.language), value=value),
                    self.language)

    def _fill(self) -> None:
        lang = self.language
        self.empty.setVisible(not self.items)
        self.table.setVisible(bool(self.items))
        self.table.setRowCount(len(self.items))
        flag_icon = glyph_icon(Glyph.ATTENTION, AMBER.text, AMBER.background, 22)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, c in enumerate(self.items):
            latin = c.name_latin if c.name_latin and c.name_latin != c.name_native else ""
            person = c.name_native or c.name_latin or "—"
            act_name = c.activity_zh if lang == "zh" else c.activity_en
            # The date only when the two admissions were on different days (the tooltip has both).
            dated = c.earlier is None or self._when(c.at)[:5] != self._when(c.earlier.at)[:5]

            def admissions(date: bool, c: ConflictItem = c) -> str:
                first = (self._labelled("first", f"{self._desk(c.earlier.desk)}  "
                                        f"{self._when(c.earlier.at, date=date)}") if c.earlier
                         else words("earlier_gone", lang))
                later = self._labelled("later", f"{self._desk(c.desk)}  {self._when(c.at, date=date)}")
                return f"{later}\n{first}"

            cells = [
                f"{person}\n" + " · ".join(p for p in (latin, c.registration_code) if p),
                f"{c.activity_code}\n{act_name if len(act_name) <= 12 else act_name[:11] + '…'}",
                admissions(dated),
            ]
            tips = [cells[0], f"{c.activity_code} · {act_name}", admissions(True)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setIcon(flag_icon)
                    item.setFont(bold)
                if col == 2:
                    item.setForeground(QBrush(QColor(RED.accent)))
                item.setToolTip(tips[col].replace("\n", " · "))
                self.table.setItem(i, col, item)
        self.table.resizeRowsToContents()

        self.refused_box.setVisible(bool(self.refused))
        n = len(self.refused)
        title = words("refused_title", lang)
        self.refused_title.setText(word(msg("ui.text.bracket", text=title, note=n), lang))
        self.refused_table.setRowCount(n)
        for i, r in enumerate(self.refused):
            kind = words(r.table, lang) if r.table in KINDS else r.table
            who = " · ".join(p for p in (r.name, r.registration_code, r.activity_code) if p)
            what = word(msg("ui.text.labelled", label=kind, value=who), lang) if who else kind
            when = self._when(r.refused_at)
            cells = [when.replace(" ", "\n"), what, reason_text(r.reason, lang)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{when if col == 0 else text}\n{r.key}")
                if col == 0:
                    item.setForeground(QBrush(QColor("#607D8B")))
                self.refused_table.setItem(i, col, item)
        # As tall as its rows (up to two; more scroll), so the conflicts above keep the room.
        rt = self.refused_table
        rows = min(max(n, 1), 2) * rt.verticalHeader().defaultSectionSize()
        rt.setFixedHeight(rows + 2 * rt.frameWidth() + 2)
