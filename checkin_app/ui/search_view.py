"""Search by name: type-ahead results, keyboard selection, check-in of the chosen person."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.codes import normalise_scan
from checkin_app.domain.types import DelegateView
from checkin_app.ui.scan_field import MIN_BURST, BurstTracker

DEBOUNCE_MS = 150

_STATUS = {
    "cancelled": ("已取消", "Cancelled"),
    "registered": ("已报名", "Registered"),
    "approved": ("已审核", "Approved"),
}


def looks_like_code(text: str) -> bool:
    """A scanner's output rather than a name: a long ASCII token with a digit in it."""
    code = normalise_scan(text)
    return code is not None and len(code) >= MIN_BURST and any(c.isdigit() for c in code)


class SearchField(QLineEdit):
    """The search box; arrows move through the results while typing continues here.

    Signals:
        moveSelection(int): -1 up, +1 down, ±10 for page keys.
        activated(): Enter on a selected result.
        escaped(): Esc; the window gives focus back to the scanner.
        scanned(str): a fast burst ending in Enter that looks like a code (a scan typed here).
    """

    moveSelection = Signal(int)
    activated = Signal()
    escaped = Signal()
    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchField")
        self.setClearButtonEnabled(True)
        self._burst = BurstTracker()
        self._all_fast = False

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = Qt.Key(e.key())
        moves = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10,
                 Qt.Key.Key_PageDown: 10}
        if key in moves:
            self.moveSelection.emit(moves[key])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = self.text()
            if self._all_fast and looks_like_code(text):
                self.clear()
                self._reset_burst()
                self.scanned.emit(text)
            else:
                self.activated.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        was_empty = not self.text()
        super().keyPressEvent(e)
        if e.text() and e.text().isprintable():
            if was_empty:
                self._burst.reset()
            # A scan is a field typed entirely in one fast run, from the first key to Enter.
            self._all_fast = self._burst.key() == len(self.text())
        else:
            self._reset_burst()

    def _reset_burst(self) -> None:
        self._burst.reset()
        self._all_fast = False


class SearchPanel(QFrame):
    """Search box, results table and a check-in button.

    Signals:
        searchRequested(int, str): after typing pauses; a sequence number and the text.
        checkInRequested(int, str): the chosen delegate's id and a label for the panel.
        scanned(str): a scanner burst typed into the search box.
        escaped(): the volunteer is done searching.
    """

    searchRequested = Signal(int, str)
    checkInRequested = Signal(int, str)
    scanned = Signal(str)
    escaped = Signal()

    COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.language = "zh"
        self._seq = 0
        self._rows: list[DelegateView] = []

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.field = SearchField()
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setEnabled(False)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Two lines per person (native over Latin name, etc.) so seven facts fit a narrow column.
        self.table.verticalHeader().setDefaultSectionSize(52)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.field, 1)
        top.addWidget(self.button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(self.title)
        lay.addLayout(top)
        lay.addWidget(self.hint)
        lay.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._connect_callbacks()
        self.retranslate()

    def _connect_callbacks(self) -> None:
        self.field.textChanged.connect(self._on_text_changed)
        self._debounce.timeout.connect(self._on_debounced)
        self.field.moveSelection.connect(self._on_move_selection)
        self.field.activated.connect(self._on_activate)
        self.field.escaped.connect(self.escaped)
        self.field.scanned.connect(self.scanned)
        self.button.clicked.connect(self._on_activate)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_activate())
        self.table.itemSelectionChanged.connect(self._on_selection_changed)

    # -- public API ------------------------------------------------------------------------
    def show_results(self, seq: int, rows: list[DelegateView]) -> None:
        """Show results unless a newer search was started since this one."""
        if seq != self._seq:
            return
        self._rows = list(rows)
        self._fill()
        if self._rows:
            self.table.selectRow(0)
        self._update_hint()

    def set_language(self, lang: str) -> None:
        """Order bilingual cells with `lang` first."""
        self.language = lang
        self._fill()

    def clear(self) -> None:
        """Empty the search box and the results."""
        self.field.clear()

    def selected(self) -> DelegateView | None:
        """The highlighted person."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        i = rows[0].row()
        return self._rows[i] if 0 <= i < len(self._rows) else None

    @property
    def sequence(self) -> int:
        """Sequence number of the newest search request."""
        return self._seq

    def retranslate(self) -> None:
        """Re-read every translatable text."""
        self.title.setText(self.tr("Search by name (Ctrl+F)"))
        self.field.setPlaceholderText(self.tr("Name in Chinese, pinyin or Latin letters, or a code"))
        self.button.setText(self.tr("Check in"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Organisation · country/region"), self.tr("Category"),
            self.tr("Code · status"),
        ])
        self._update_hint()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    # -- slots -----------------------------------------------------------------------------
    def _on_text_changed(self, _text: str) -> None:
        # Every keystroke invalidates earlier answers, even before the debounce fires.
        self._seq += 1
        self._debounce.start()

    def _on_debounced(self) -> None:
        text = self.field.text().strip()
        if not text:
            self._rows = []
            self._fill()
            self._update_hint()
            return
        self.searchRequested.emit(self._seq, text)

    def _on_move_selection(self, step: int) -> None:
        if not self._rows:
            return
        cur = self.selected()
        i = self._rows.index(cur) if cur in self._rows else -1
        self.table.selectRow(max(0, min(len(self._rows) - 1, i + step)))

    def _on_activate(self) -> None:
        person = self.selected()
        if person is None:
            return
        label = person.name_native or person.name_latin or person.registration_code
        self.checkInRequested.emit(person.id, label)

    def _on_selection_changed(self) -> None:
        self.button.setEnabled(self.selected() is not None)

    # -- drawing ---------------------------------------------------------------------------
    def _update_hint(self) -> None:
        text = self.field.text().strip()
        if not text:
            self.hint.setText(self.tr("Up/Down to choose, Enter to check in, Esc back to scanning"))
        elif not self._rows:
            self.hint.setText(self.tr("No match yet"))
        else:
            self.hint.setText(self.tr("%n match(es): Enter checks in the highlighted person", "",
                                      len(self._rows)))

    def _fill(self) -> None:
        lang = self.language
        self.table.setRowCount(len(self._rows))
        for i, d in enumerate(self._rows):
            cancelled = d.status == "cancelled"
            status_zh, status_en = _STATUS.get(d.status, (d.status, d.status))
            org = (d.organisation_zh if lang == "zh" else d.organisation_en) or d.organisation
            country = (d.country_name_zh if lang == "zh" else d.country_name_en) or d.country
            native = d.name_native or d.display_name
            latin = d.name_latin if d.name_latin != native else ""
            cells = [
                "\n".join(t for t in (native, latin) if t),
                "\n".join(t for t in (org, country) if t),
                d.category.name_zh if lang == "zh" else d.category.name_en,
                "\n".join((d.registration_code, status_zh if lang == "zh" else status_en)),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                font = QFont(self.table.font())
                if col == 0:
                    font.setBold(True)
                if cancelled:
                    # Struck through and red, so nobody checks in a cancelled registration by eye.
                    font.setStrikeOut(col != 3)
                    item.setForeground(QBrush(QColor("#B71C1C")))
                item.setFont(font)
                if col == 2:
                    item.setData(Qt.ItemDataRole.DecorationRole, QColor(d.category.colour))
                self.table.setItem(i, col, item)
        self.button.setEnabled(self.selected() is not None)
