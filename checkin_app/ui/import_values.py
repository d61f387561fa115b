"""The import wizard's value-mapping step: each value the event does not know ×count → a choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.countries import COUNTRIES
from checkin_app.importers.report import KIND_NAMES, UnknownValue
from checkin_app.importers.rows import IGNORE, REJECT, Catalog
from checkin_app.importers.text import fold
from checkin_app.ui.texts import say

_UNRESOLVED = QColor("#FFF3C4")
_REJECTED = QColor("#FFCDD2")


def two(lang: str, zh: str, en: str) -> str:
    """Both languages, the UI's first (one of them alone when the other is empty or the same)."""
    if not zh or not en or zh == en:
        return zh or en
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


@dataclass(eq=False)
class _Row:
    kind: str
    column: str
    value: str
    count: int | None  # None: a mapping saved with the preset, not met as unknown in this file
    lines: tuple[int, ...]
    target: str | None  # None: not chosen yet


class ValueMappingPage(QWidget):
    """A table "value ×count → choice" for the vocabulary columns' unknown values.

    The choice is one of the event's categories / activities, a status or a country, or
    "reject" (the rows are refused with a reason in the report). Rows stay across dry runs of
    the same file, so a value once mapped (and no longer unknown) can still be changed.

    Signals:
        changed(): a choice was changed.
    """

    changed = Signal()

    def __init__(self, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._catalog: Catalog | None = None
        self.rows: dict[tuple[str, str], _Row] = {}
        self._order: list[_Row] = []  # the rows as the table shows them
        # Whether there is something to save: a value met as unknown, or a choice changed.
        self.dirty = False
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.counts = QLabel()
        self.counts.setObjectName("valueCounts")
        self.counts.setWordWrap(True)
        self.counts.setStyleSheet("font-size: 15px;")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [say(f"import.values.head.{c}", "zh", sep=" / ")
             for c in ("column", "value", "rows", "target", "lines")])
        self.table.verticalHeader().setVisible(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((220, 220, 90, 420)):
            self.table.setColumnWidth(col, width)
        self.save_check = QCheckBox()
        self.save_check.setChecked(True)
        self.preset_name = QComboBox()
        self.preset_name.setEditable(True)
        self.preset_name.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_name.setMinimumContentsLength(24)
        save = QHBoxLayout()
        save.addWidget(self.save_check)
        save.addWidget(self.preset_name)
        save.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.counts)
        lay.addWidget(self.table, 1)
        lay.addLayout(save)
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        """Words with the UI language first (the choices are rebuilt at the next update)."""
        self.lang = lang
        self.title.setText(say("import.values.title", lang, sep=" / "))
        self.save_check.setText(say("import.values.save", lang, sep=" / "))

    # -- filling -----------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every row (a new file)."""
        self.rows.clear()
        self._order = []
        self.dirty = False
        self.table.setRowCount(0)

    def add_values(self, catalog: Catalog, unknown: Sequence[UnknownValue],
                   suggestions: Mapping[tuple[str, str], str],
                   saved: Mapping[str, Mapping[str, str]]) -> None:
        """Add the values of a dry run the event does not know (a suggestion pre-selected) and
        the preset's saved mappings; rows already shown keep their choice."""
        self._catalog = catalog
        for u in unknown:
            key = (u.kind, fold(u.value))
            row = self.rows.get(key)
            self.dirty = True
            if row is None:
                self.rows[key] = _Row(u.kind, u.column, u.value, u.count, u.lines,
                                      suggestions.get((u.kind, u.value)))
            else:
                row.count, row.lines, row.column = u.count, u.lines, u.column
        for kind, table in saved.items():
            for value, target in table.items():
                key = (kind, fold(value))
                if key not in self.rows:
                    self.rows[key] = _Row(kind, "", value, None, (), target)
        self._show()

    def _choices(self, kind: str) -> list[tuple[str, str | None]]:
        lang, c = self.lang, self._catalog
        out: list[tuple[str, str | None]] = [
            (say("import.values.not_chosen", lang, sep=" / "), None)]
        if kind == "category" and c is not None:
            out += [(f"{two(lang, x.name_zh, x.name_en)}  ({x.code})", x.code)
                    for x in c.categories.values()]
        elif kind in ("activity", "track") and c is not None:
            # A track is one of the competitions' track activities; an activity is any.
            acts = c.track_activities if kind == "track" else c.activities
            out += [(f"{two(lang, a.name_zh, a.name_en)}  ({a.code})", a.code)
                    for a in acts.values()]
            out.append((say("import.values.no_activity", lang, sep=" / "), IGNORE))
        elif kind == "status":
            out += [(say("import.values.approved", lang, sep=" / "), "approved"),
                    (say("import.values.cancelled", lang, sep=" / "), "cancelled")]
        elif kind == "country":
            out.append((say("import.values.leave_empty", lang, sep=" / "), IGNORE))
            out += [(f"{two(lang, zh, en)}  ({code})", code) for code, (zh, en) in COUNTRIES.items()]
        out.append((say("import.values.reject", lang, sep=" / "), REJECT))
        return out

    def _combo(self, row: _Row) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"valueChoice_{row.kind}")
        for label, data in self._choices(row.kind):
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, combo.findData(row.target)))

        def on_changed(_index: int) -> None:
            data = combo.currentData()
            row.target = None if data is None else str(data)
            self.dirty = True
            self._colour()
            self.changed.emit()

        combo.currentIndexChanged.connect(on_changed)
        return combo

    def _show(self) -> None:
        order = list(KIND_NAMES)
        rows = sorted(self.rows.values(), key=lambda r: (
            order.index(r.kind) if r.kind in order else len(order), -(r.count or 0), r.value))
        t = self.table
        self._order = rows
        t.setRowCount(0)  # the old combos go with their rows
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            zh, en = KIND_NAMES.get(r.kind, (r.kind, r.kind))
            kind = two(self.lang, zh, en)
            count = (f"×{r.count:,}" if r.count is not None
                     else say("import.values.preset", self.lang, sep=" / "))
            lines = ", ".join(str(n) for n in r.lines)
            if r.count is not None and r.count > len(r.lines):
                lines += " …"
            for col, text in enumerate((f"{r.column} · {kind}" if r.column else kind, r.value, count,
                                        None, lines)):
                if text is None:
                    continue
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(i, col, item)
            t.setCellWidget(i, 3, self._combo(r))
        self._colour()

    def _colour(self) -> None:
        """Rows still unknown in yellow, rejected ones in red (the words say it too)."""
        for i, r in enumerate(self._order):
            colour = _UNRESOLVED if r.target is None else _REJECTED if r.target == REJECT else None
            for col in (0, 1, 2, 4):
                item = self.table.item(i, col)
                if item is not None:
                    item.setBackground(colour if colour is not None else QColor("#FFFFFF"))

    # -- reading -----------------------------------------------------------------------------
    def value_map(self) -> dict[str, dict[str, str]]:
        """kind → {value: target} for every row with a choice."""
        out: dict[str, dict[str, str]] = {}
        for r in self.rows.values():
            if r.target is not None:
                out.setdefault(r.kind, {})[r.value] = r.target
        return out

    def unresolved(self) -> list[tuple[str, str]]:
        """(kind, value) of the rows without a choice."""
        return [(r.kind, r.value) for r in self.rows.values() if r.target is None]

    def choose(self, kind: str, value: str, target: str) -> None:
        """Pick a target for one row (as a click in its combo would)."""
        combo = self.combo(kind, value)
        idx = combo.findData(target)
        if idx < 0:
            raise KeyError(target)
        combo.setCurrentIndex(idx)

    def combo(self, kind: str, value: str) -> QComboBox:
        """The choice widget of one row."""
        row = self.rows[(kind, fold(value))]
        w = self.table.cellWidget(self._order.index(row), 3)
        assert isinstance(w, QComboBox)
        return w

    def choice(self, kind: str, value: str) -> str | None:
        """The target chosen for one row, None when there is none."""
        return self.rows[(kind, fold(value))].target
