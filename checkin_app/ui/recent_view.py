"""This desk's recent scans, newest first, with an inline-confirmed undo."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
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
from checkin_app.domain.messages import both, msg
from checkin_app.domain.verdicts import title_message
from checkin_app.ui import style
from checkin_app.ui.controller import RecentRow
from checkin_app.ui.icons import Glyph, glyph_for, glyph_icon
from checkin_app.ui.mode_switch import EXIT_COLOUR
from checkin_app.ui.texts import other, say, word

CONFIRM_MS = 4000
# Compact rows (still 15 px type, bold verdict) so a 1366×768 desk shows several scans.
ROW_PX = 26
FONT_PX = 15


def verdict_words(verdict: str, lang: str, direction: str = "in") -> str:
    """Short verdict word in one language (the list has no room for both)."""
    if direction == "out" and verdict != "UNDO":
        return word("recent.exit", lang)
    if verdict == "UNDO":
        return word("recent.undo", lang)
    if verdict == "OVERRIDE":  # a manager's forced admission
        return word("recent.override", lang)
    return word(title_message(verdict), lang)  # an unknown code stays as it is


class RecentPanel(QFrame):
    """Recent scans and the undo control.

    Signals:
        undoRequested(str): the uuid of the check-in the volunteer confirmed to undo.
    """

    undoRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.language = "zh"
        self.tz = zone()
        self.rows: list[RecentRow] = []
        # Check-ins the hub flagged as conflicts (set by the conflicts tab after each load).
        self.conflicts: set[str] = set()
        self._confirming: str | None = None

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.table = QTableWidget(0, 4)
        # No focus: a click selects a row without taking keystrokes away from the scanner.
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setMinimumSectionSize(ROW_PX)
        self.table.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setIconSize(QSize(18, 18))
        self.table.setStyleSheet(
            f"QTableWidget {{ font-size: {FONT_PX}px; }}"
            " QTableWidget::item { padding: 0px 4px; }")
        header = self.table.horizontalHeader()
        # No header row: time, verdict (icon and word), name and code say what they are, and
        # the row it took is worth a scan more in sight on a 1366×768 laptop.
        header.setVisible(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.undo_button = QPushButton()
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_button.setEnabled(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.setVisible(False)
        for b in (self.undo_button, self.cancel_button):
            b.setStyleSheet("font-size: 14px; padding: 3px 10px;")

        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button, 1)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(4)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)

        self._confirm_timer = QTimer(self)
        self._confirm_timer.setSingleShot(True)
        self._confirm_timer.setInterval(CONFIRM_MS)
        self._connect_callbacks()
        self.retranslate()

    def _connect_callbacks(self) -> None:
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.cancel_button.clicked.connect(self._end_confirm)
        self._confirm_timer.timeout.connect(self._end_confirm)

    # -- public API ------------------------------------------------------------------------
    def set_rows(self, rows: list[RecentRow]) -> None:
        """Replace the list, keeping the selected event selected; a new scan scrolls to the top.

        The newest row is always in sight after a scan, even when the volunteer had selected
        (and so scrolled to) an older one: the selection stays, the view goes to the top.
        """
        keep = self.selected()
        newest = _key(self.rows[0]) if self.rows else None
        self.rows = list(rows)
        self._fill()
        if keep is not None and keep.uuid:
            for i, r in enumerate(self.rows):
                if r.uuid == keep.uuid:
                    self.table.selectRow(i)
                    break
        if self.rows and _key(self.rows[0]) != newest:
            self.table.scrollToTop()
        self._on_selection_changed()

    def set_conflicts(self, uuids: set[str]) -> None:
        """Mark these check-ins as conflicts (the hub flagged them)."""
        if uuids != self.conflicts:
            self.conflicts = set(uuids)
            self._fill()

    def set_language(self, lang: str) -> None:
        """Verdict words, titles and buttons in `lang`."""
        self.language = lang
        self._fill()
        self.retranslate()

    def selected(self) -> RecentRow | None:
        """The highlighted row."""
        sel = self.table.selectionModel().selectedRows()
        if not sel:
            return None
        i = sel[0].row()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def select_uuid(self, uuid: str) -> bool:
        """Highlight the row of one event (used by tests and after an undo)."""
        for i, r in enumerate(self.rows):
            if r.uuid == uuid:
                self.table.selectRow(i)
                return True
        return False

    def retranslate(self) -> None:
        """Re-read every translatable text."""
        lang = self.language
        self.title.setText(word("ui.recent.title", lang))
        self.table.setHorizontalHeaderLabels(
            [word(f"ui.recent.{c}", lang) for c in ("time", "verdict", "name", "code")])
        self._update_button()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    # -- undo with inline confirmation -----------------------------------------------------
    def _on_undo_clicked(self) -> None:
        row = self.selected()
        if row is None or not row.undoable or row.uuid is None:
            return
        if self._confirming == row.uuid:
            self._end_confirm()
            self.undoRequested.emit(row.uuid)
            return
        # Two clicks instead of a dialog: a dialog would take focus from the scanner.
        self._confirming = row.uuid
        self._confirm_timer.start()
        self._update_button()

    def _end_confirm(self) -> None:
        self._confirming = None
        self._confirm_timer.stop()
        self._update_button()

    def _on_selection_changed(self) -> None:
        row = self.selected()
        if self._confirming is not None and (row is None or row.uuid != self._confirming):
            self._end_confirm()
        self._update_button()

    @property
    def confirming(self) -> bool:
        """Whether the button now asks for confirmation."""
        return self._confirming is not None

    def _update_button(self) -> None:
        row = self.selected()
        self.undo_button.setEnabled(row is not None and row.undoable)
        # Both languages, the UI's first: whoever confirms an undo must understand it.
        lang = self.language
        self.cancel_button.setText(say("recent.keep", lang, " / "))
        if self._confirming is not None and row is not None:
            self.undo_button.setObjectName("danger")
            who = row.name or row.code
            # The name once, in the first language.
            self.undo_button.setText(f"{word(msg('recent.confirm_undo_who', who=who), lang)} / "
                                     f"{word('recent.confirm_undo', other(lang))}")
            self.cancel_button.setVisible(True)
        else:
            self.undo_button.setObjectName("")
            self.undo_button.setText(say("recent.undo_selected", lang, " / "))
            self.cancel_button.setVisible(False)
        # The object name drives the stylesheet; re-polish so the new look applies now.
        self.undo_button.style().unpolish(self.undo_button)
        self.undo_button.style().polish(self.undo_button)

    # -- drawing ---------------------------------------------------------------------------
    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            pal = style.BY_SEVERITY[r.severity]
            conflict = r.uuid is not None and r.uuid in self.conflicts
            direction = r.direction
            verdict = verdict_words(r.verdict, self.language, direction)
            if conflict:
                verdict += " · " + word("recent.conflict", self.language)
            cells = [
                r.at.astimezone(self.tz).strftime("%H:%M:%S"),
                verdict,
                r.name or "—",
                r.code,
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                font = QFont(self.table.font())
                font.setPixelSize(FONT_PX)
                if r.undone:
                    font.setStrikeOut(True)
                    item.setForeground(QBrush(QColor("#78909C")))
                if r.is_undo:
                    font.setItalic(True)
                    item.setForeground(QBrush(QColor("#6D4C41")))
                if col == 1:
                    font.setBold(True)
                    if direction == "out" and not r.is_undo:
                        item.setIcon(glyph_icon(Glyph.EXIT, "#FFFFFF", EXIT_COLOUR, 18))
                        if not r.undone:
                            item.setForeground(QBrush(QColor(EXIT_COLOUR)))
                    else:
                        item.setIcon(glyph_icon(glyph_for(r.verdict, r.severity), "#FFFFFF",
                                                pal.background, 18))
                item.setFont(font)
                item.setToolTip(r.activity_code)
                if conflict:
                    item.setBackground(QBrush(QColor("#FFE0B2")))
                    item.setToolTip(f"{r.activity_code} · {both(msg('recent.conflict_tip'))}")
                self.table.setItem(i, col, item)


def _key(row: RecentRow) -> tuple[object, ...]:
    """What tells one row from another (refusals have no uuid)."""
    return (row.uuid, row.at, row.code, row.verdict)
