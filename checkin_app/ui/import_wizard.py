"""Registration import wizard: choose a file, check the columns, dry run, map unknown values, apply.

Never freezes: every step that reads the file or the database runs on the wizard's worker thread.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.messages import both, msg
from checkin_app.importers.fields import BY_KEY, FIELDS, KEY_FIELDS, PRIVATE_FIELDS
from checkin_app.importers.readers import ENCODINGS
from checkin_app.importers.report import REPORT_HEADER, Problem, report_rows, write_report
from checkin_app.importers.rows import Catalog
from checkin_app.services.importing import (
    APART,
    MERGE,
    FileInspection,
    ImportCancelled,
    ImportOptions,
    ImportResult,
    ImportService,
    SamePerson,
)
from checkin_app.ui.i18n import current_language
from checkin_app.ui.import_values import ValueMappingPage
from checkin_app.ui.tasks import Task, TaskRunner
from checkin_app.ui.texts import error_text, word

_DELIMITERS = [(",", both("import.wizard.delim.comma", sep=" ")),
               ("\t", both("import.wizard.delim.tab", sep=" ")),
               (";", both("import.wizard.delim.semicolon", sep=" ")),
               ("|", both("import.wizard.delim.bar", sep=" "))]
_STAGES = {stage: both(f"import.wizard.stage.{stage}", sep=" / ")
           for stage in ("read", "check", "apply", "inspect")}
_SEVERITY_COLOURS = {"error": "#FFCDD2", "warning": "#FFF3C4", "info": "#E3F2FD"}
# The pages, in the order a manager meets them.
SETUP, VALUES, REPORT = 0, 1, 2


def ui_language() -> str:
    """The desk's UI language, "zh" or "en" (ui/i18n.py keeps it), so the wizard follows the desk."""
    return current_language()


@dataclass(frozen=True, slots=True)
class _Checked:
    """A dry run with what the value-mapping step needs (read on the worker thread)."""

    result: ImportResult
    catalog: Catalog
    suggestions: dict[tuple[str, str], str]


@dataclass(frozen=True, slots=True)
class _Applied:
    """An applied import and the preset its mapping was saved to ("" when none), or why not."""

    result: ImportResult
    preset: str = ""
    preset_error: str = ""


class _Worker(QObject):
    """Runs one import step on the wizard's own task lane; Cancel sets a flag the service checks
    per chunk.

    Signals:
        progress(str, int, int): stage, done, total (throttled).
        finished(object): the step's result.
        failed(str): a bilingual message ("" when the user cancelled).
    """

    progress = Signal(str, int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Its own lane: an import takes minutes and must not hold up the desk's scans.
        self.tasks = TaskRunner(self, readers=1)
        self._task: Task | None = None

    @property
    def busy(self) -> bool:
        """Whether a step is running (until its result has been handed over)."""
        return self._task is not None

    def start(self, fn: Callable[[Callable[[str, int, int], None], Callable[[], bool]], Any]) -> None:
        """Run fn(progress, cancelled) off the GUI thread."""
        last = [0.0]

        def work(task: Task) -> Any:
            def progress(stage: str, done: int, total: int) -> None:
                pct = done / max(total, 1)
                if pct - last[0] >= 0.01 or done >= total:
                    last[0] = pct
                    task.progress(stage, done, total)

            return fn(progress, task.cancelled)

        self._task = self.tasks.start(work, self._on_done, self._on_error,
                                      on_progress=self.progress.emit)

    def _on_done(self, result: object) -> None:
        self._task = None
        self.finished.emit(result)

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.failed.emit("" if isinstance(exc, ImportCancelled) else error_text(exc))

    def cancel(self) -> None:
        """Ask the running step to stop (it writes nothing)."""
        if self._task is not None:
            self._task.cancel()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the step ends (used when the wizard closes)."""
        self.tasks.wait(int(timeout * 1000))


class ProblemModel(QAbstractTableModel):
    """The report lines as a table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.problems: list[Problem] = []
        self._rows: list[list[str]] = []

    def set_problems(self, problems: list[Problem]) -> None:
        """Replace the lines shown."""
        self.beginResetModel()
        self.problems = problems
        self._rows = list(report_rows(problems))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(REPORT_HEADER)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
             ) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(_SEVERITY_COLOURS.get(self.problems[index.row()].severity, "#FFFFFF"))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return REPORT_HEADER[section]
        return None


def _counts_line(result: ImportResult) -> str:
    c = result.counts
    return (f"{both('import.wizard.dry_run', sep=' / ')} — "
            + " · ".join(f"{both(f'import.count.{key}', sep=' ')} {n:,}" for key, n in (
                ("new", c.new), ("changed", c.changed), ("unchanged", c.unchanged),
                ("rejected", c.rejected), ("unknown_values", len(result.unknown_values)))))


class ImportWizard(QDialog):
    """Choose file → check columns → dry run → map unknown values → report → apply.

    A manager tool (behind the PIN). A file whose headers match a saved preset is read with it,
    so the same platform's next export needs no clicks.

    Signals:
        imported(object): the ImportResult of an applied import.
    """

    imported = Signal(object)

    def __init__(self, service: ImportService, *, operator: str = "manager", desk: str = "",
                 lang: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(both("import.wizard.title", sep=" / "))
        self.resize(1180, 680)  # inside a 1366×768 screen with its panel and title bar
        self.lang = lang or ui_language()
        self.service = service
        self.operator = operator
        self.desk = desk
        self.inspection: FileInspection | None = None
        self.outcome: ImportResult | None = None
        self.worker = _Worker(self)
        self._on_done: Callable[[Any], None] = lambda _r: None
        # True from starting a step until its result has been handled on the GUI thread (the
        # worker thread itself ends a little earlier).
        self.running = False
        # The same-person pairs the report shows (rows of same_table).
        self._same: list[SamePerson] = []
        # Each dry run and apply streams its full report (every line) here; the table shows the
        # result's bounded lines, Export copies the full file. Removed with the wizard (or at exit).
        self._reports = Path(tempfile.mkdtemp(prefix="checkin-import-report-"))
        weakref.finalize(self, shutil.rmtree, str(self._reports), True)
        self._report_runs = itertools.count(1)
        self._build()
        self._connect_callbacks()
        self._set_page(0)
        self._refresh_presets()

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_setup_page())
        self.values_page = ValueMappingPage(self.lang)
        self.pages.addWidget(self.values_page)
        self.pages.addWidget(self._build_report_page())
        self.stage_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton(both("import.wizard.cancel", sep=" / "))
        busy = QHBoxLayout()
        busy.addWidget(self.stage_label)
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        self.busy_box = QWidget()
        self.busy_box.setLayout(busy)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("importMessage")
        self.message.setStyleSheet("color: #B71C1C; font-size: 14px;")
        self.back_button = QPushButton(both("import.wizard.back", sep=" / "))
        self.dry_run_button = QPushButton(both("import.wizard.check", sep="/"))
        self.dry_run_button.setDefault(True)
        self.apply_button = QPushButton(both("import.wizard.apply", sep=" / "))
        self.close_button = QPushButton(both("import.wizard.close", sep=" / "))
        self.values_button = QPushButton(both("import.wizard.values", sep=" / "))
        self.recheck_button = QPushButton(both("import.wizard.recheck", sep=" / "))
        self.report_button = QPushButton(both("import.wizard.report", sep=" / "))
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.values_button)
        nav.addStretch(1)
        nav.addWidget(self.close_button)
        nav.addWidget(self.dry_run_button)
        nav.addWidget(self.report_button)
        nav.addWidget(self.recheck_button)
        nav.addWidget(self.apply_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.busy_box)
        lay.addWidget(self.message)
        lay.addLayout(nav)
        self.busy_box.setVisible(False)

    def _build_setup_page(self) -> QWidget:
        page = QWidget()
        # Typed or pasted (a path from a file manager or an e-mail), or chosen with the button;
        # checked on Enter and on "Check".
        self.file_edit = QLineEdit()
        self.file_edit.setClearButtonEnabled(True)
        self.file_edit.setPlaceholderText(both("import.wizard.file_hint", sep=" / "))
        self.browse_button = QPushButton(both("import.wizard.browse", sep=" / "))
        self.sheet_combo = QComboBox()
        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(list(ENCODINGS))
        self.delimiter_combo = QComboBox()
        for value, label in _DELIMITERS:
            self.delimiter_combo.addItem(label, value)
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 30)
        # The registration list this file is: its numbers are unique within it, never across
        # lists. Filled with the sheet's name (a workbook of several sheets), else the file's
        # name or the preset's remembered source; what is typed here is saved with the preset.
        self.source_edit = QLineEdit()
        self.source_edit.setObjectName("importSource")
        self.source_edit.setMaxLength(100)
        self.source_edit.setPlaceholderText(both("import.wizard.source_hint", sep=" / "))
        self.source_note = QLabel()
        self.source_note.setWordWrap(True)
        # Whether the manager typed the source (else it follows the sheet and the file).
        self._source_typed = False
        self.preset_combo = QComboBox()
        # A long preset name must not widen the wizard past a 1366×768 screen.
        self.preset_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(14)
        self.save_preset_button = QPushButton(both("import.wizard.save_preset", sep=" / "))
        self.key_combo = QComboBox()
        for k in KEY_FIELDS:
            self.key_combo.addItem(f"{BY_KEY[k].name_zh} / {BY_KEY[k].name_en}", k)
        self.full_check = QCheckBox(both("import.wizard.full", sep="/"))
        self.photos_edit = QLineEdit()
        self.photos_edit.setPlaceholderText(both("import.wizard.optional", sep=" / "))
        self.photos_button = QPushButton(both("import.wizard.photos", sep=" / "))
        self.keep_checks: dict[str, QCheckBox] = {}
        keep_box = QGroupBox(both("import.wizard.keep", sep="/"))
        keep_lay = QHBoxLayout(keep_box)
        for f in FIELDS:
            if f.key in PRIVATE_FIELDS:
                cb = QCheckBox(f"{f.name_zh} {f.name_en}")
                self.keep_checks[f.key] = cb
                keep_lay.addWidget(cb)
        keep_lay.addStretch(1)

        self.reread_button = QPushButton(both("import.wizard.reread", sep=" / "))
        form = QGridLayout()
        form.addWidget(QLabel(both("import.wizard.file", sep=" / ")), 0, 0)
        form.addWidget(self.file_edit, 0, 1, 1, 3)
        form.addWidget(self.browse_button, 0, 4)
        form.addWidget(QLabel(both("import.wizard.sheet", sep=" / ")), 1, 0)
        form.addWidget(self.sheet_combo, 1, 1)
        form.addWidget(QLabel(both("import.wizard.encoding", sep=" / ")), 1, 2)
        form.addWidget(self.encoding_combo, 1, 3)
        form.addWidget(QLabel(both("import.wizard.delimiter", sep=" / ")), 2, 0)
        form.addWidget(self.delimiter_combo, 2, 1)
        form.addWidget(QLabel(both("import.wizard.header_line", sep=" / ")), 2, 2)
        form.addWidget(self.header_spin, 2, 3)
        form.addWidget(self.reread_button, 2, 4)
        form.addWidget(QLabel(both("import.wizard.preset", sep=" / ")), 3, 0)
        form.addWidget(self.preset_combo, 3, 1)
        form.addWidget(self.save_preset_button, 3, 2)
        form.addWidget(QLabel(both("import.wizard.key", sep=" / ")), 3, 3)
        form.addWidget(self.key_combo, 3, 4)
        form.addWidget(QLabel(both("import.wizard.photos_label", sep=" / ")), 4, 0)
        form.addWidget(self.photos_edit, 4, 1, 1, 3)
        form.addWidget(self.photos_button, 4, 4)
        form.addWidget(QLabel(both("import.wizard.source", sep=" / ")), 5, 0)
        form.addWidget(self.source_edit, 5, 1)
        form.addWidget(self.source_note, 5, 2, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        self.mapping_title = QLabel(both("import.wizard.mapping", sep="/"))
        self.mapping_title.setObjectName("sectionTitle")
        self.mapping_title.setWordWrap(True)  # a long file name must not widen the wizard
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(
            [both("import.wizard.head.column", sep=" / "), both("import.wizard.head.field", sep=" / "),
             both("import.wizard.head.sample", sep=" / ")])
        self.mapping_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.mapping_table.setColumnWidth(0, 260)
        self.mapping_table.setColumnWidth(1, 300)
        self.mapping_table.verticalHeader().setVisible(False)
        lay = QVBoxLayout(page)
        lay.addLayout(form)
        lay.addWidget(self.full_check)
        lay.addWidget(keep_box)
        lay.addWidget(self.mapping_title)
        lay.addWidget(self.mapping_table, 1)
        return page

    def _build_report_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 16px;")
        self.counts_labels: dict[str, QLabel] = {}
        counts = QHBoxLayout()
        for key, colour in (("new", "#1B7F3A"), ("changed", "#1565C0"), ("unchanged", "#546E7A"),
                            ("cancelled", "#6A1B9A"), ("rejected", "#C62828"), ("missing", "#EF6C00"),
                            ("warnings", "#B37F00")):
            box = QLabel()
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setStyleSheet(f"border: 2px solid {colour}; border-radius: 8px; padding: 6px 14px;"
                              f"color: {colour}; font-size: 15px;")
            box.setProperty("caption", both(f"import.count.{key}", sep=" "))
            self.counts_labels[key] = box
            counts.addWidget(box)
        self.problem_model = ProblemModel(self)
        self.problem_view = QTableView()
        self.problem_view.setModel(self.problem_model)
        self.problem_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problem_view.verticalHeader().setVisible(False)
        self.problem_view.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((90, 60, 130, 150, 110, 130, 300)):
            self.problem_view.setColumnWidth(col, width)
        self.export_button = QPushButton(both("import.wizard.export", sep=" / "))
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.export_button)
        # People another source lists too: the organiser merges them or keeps them apart, once.
        self.same_box = QGroupBox(both("import.wizard.same", sep="/"))
        self.same_table = QTableWidget(0, 5)
        self.same_table.setHorizontalHeaderLabels(
            [both(f"import.wizard.same.{c}", sep=" ") for c in ("line", "mine", "other", "by", "decision")])
        self.same_table.horizontalHeader().setStretchLastSection(True)
        self.same_table.verticalHeader().setVisible(False)
        self.same_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.same_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.same_table.setMaximumHeight(150)
        self.merge_button = QPushButton(
            both("import.wizard.merge", sep=" / "))
        self.apart_button = QPushButton(both("import.wizard.apart", sep=" / "))
        same_buttons = QHBoxLayout()
        same_buttons.addStretch(1)
        same_buttons.addWidget(self.merge_button)
        same_buttons.addWidget(self.apart_button)
        same_lay = QVBoxLayout(self.same_box)
        same_lay.addWidget(self.same_table)
        same_lay.addLayout(same_buttons)
        self.same_box.setVisible(False)
        lay = QVBoxLayout(page)
        lay.addLayout(head)
        lay.addLayout(counts)
        lay.addWidget(self.problem_view, 1)
        lay.addWidget(self.same_box)
        return page

    def _connect_callbacks(self) -> None:
        self.browse_button.clicked.connect(self._on_browse)
        self.file_edit.returnPressed.connect(self._on_path_entered)
        self.file_edit.textEdited.connect(self._on_path_edited)
        self.source_edit.textEdited.connect(self._on_source_edited)
        self.photos_button.clicked.connect(self._on_photos)
        self.reread_button.clicked.connect(lambda: self.inspect_file())
        self.sheet_combo.activated.connect(lambda _i: self.inspect_file())
        self.preset_combo.activated.connect(lambda _i: self.inspect_file())
        self.save_preset_button.clicked.connect(self._on_save_preset)
        self.dry_run_button.clicked.connect(self.dry_run)
        self.apply_button.clicked.connect(self.apply)
        self.back_button.clicked.connect(lambda: self._set_page(SETUP))
        self.values_button.clicked.connect(lambda: self._set_page(VALUES))
        self.report_button.clicked.connect(lambda: self._set_page(REPORT))
        self.recheck_button.clicked.connect(self.dry_run)
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.export_button.clicked.connect(self._on_export)
        self.merge_button.clicked.connect(lambda: self.decide_same_person(MERGE))
        self.apart_button.clicked.connect(lambda: self.decide_same_person(APART))
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)

    # -- state -------------------------------------------------------------------------------
    def _set_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.running
        page = self.pages.currentIndex()
        on_setup = page == SETUP
        self.busy_box.setVisible(busy)
        for w in (self.browse_button, self.reread_button, self.save_preset_button, self.sheet_combo,
                  self.preset_combo, self.source_edit, self.mapping_table, self.back_button,
                  self.export_button, self.values_page, self.values_button, self.recheck_button,
                  self.report_button):
            w.setEnabled(not busy)
        self.dry_run_button.setVisible(on_setup)
        self.recheck_button.setVisible(page == VALUES)
        self.report_button.setVisible(page == VALUES and self.outcome is not None)
        self.values_button.setVisible(page == REPORT and bool(self.values_page.rows))
        # Enabled with a typed path too: "Check" then reads (or explains) the file first.
        self.dry_run_button.setEnabled(not busy and (self.inspection is not None
                                                     or bool(self.file_edit.text().strip())))
        self.back_button.setVisible(not on_setup)
        can_apply = (page == REPORT and self.outcome is not None and not self.outcome.applied
                     and not busy)
        self.apply_button.setVisible(page == REPORT)
        self.apply_button.setEnabled(can_apply)
        self.close_button.setEnabled(not busy)

    def _refresh_presets(self) -> None:
        current = self.preset_combo.currentData()
        self.preset_combo.clear()
        self.preset_combo.addItem(
            word(msg("import.wizard.parens", words=both("import.wizard.automatic", sep=" / ")), "zh"), None)
        try:
            names = [p.name for p in self.service.presets()]
        except Exception as exc:  # a broken database must not stop the wizard from opening
            self._show_message(error_text(exc))
            names = []
        for n in names:
            self.preset_combo.addItem(n, n)
        idx = self.preset_combo.findData(current)
        self.preset_combo.setCurrentIndex(max(idx, 0))

    def _show_message(self, text: str, *, done: bool = False) -> None:
        """A problem in red; something done (`done`) in green, so it never reads as an error."""
        self.message.setStyleSheet(f"color: {'#1B5E20' if done else '#B71C1C'}; font-size: 14px;")
        self.message.setText(text.replace("\n", "  ·  "))
        self.message.setToolTip(text)

    def options(self, *, with_mapping: bool = True) -> ImportOptions:
        """The options the form shows."""
        ins = self.inspection
        mapping: tuple[str | None, ...] | None = None
        if with_mapping and ins is not None:
            mapping = tuple(self._mapping_combo(i).currentData() for i in range(len(ins.headers)))
        keep = frozenset(k for k, cb in self.keep_checks.items() if cb.isChecked())
        photos = self.photos_edit.text().strip()
        is_csv = ins is not None and ins.kind == "csv"
        return ImportOptions(
            sheet=self.sheet_combo.currentText() or None if ins is not None and ins.kind == "xlsx" else None,
            encoding=self.encoding_combo.currentText().strip() or None if is_csv else None,
            delimiter=self.delimiter_combo.currentData() if is_csv else None,
            mapping=mapping, preset=self.preset_combo.currentData(),
            header_line=self.header_spin.value() if ins is not None else None,
            key_field=self.key_combo.currentData(), full=self.full_check.isChecked(),
            photos_dir=Path(photos) if photos else None, keep=keep,
            operator=self.operator, desk=self.desk,
            value_map=self.values_page.value_map() or None,
            source=self.source() if self._source_typed else None,
        )

    def source(self) -> str:
        """The source list the form names."""
        return " ".join(self.source_edit.text().split())

    def _on_source_edited(self, _text: str) -> None:
        self._source_typed = True
        self._show_source_note()

    def _show_source_note(self) -> None:
        ins = self.inspection
        if ins is None:
            self.source_note.setText("")
        elif self._source_typed and self.source() != ins.source:
            self.source_note.setText(both("import.wizard.source.typed", sep=" / "))
        elif ins.source_known:
            self.source_note.setText(both("import.wizard.source.known", sep=" / "))
        else:
            self.source_note.setText(both("import.wizard.source.new", sep=" / "))

    def _mapping_combo(self, row: int) -> QComboBox:
        w = self.mapping_table.cellWidget(row, 1)
        assert isinstance(w, QComboBox)
        return w

    # -- steps -------------------------------------------------------------------------------
    def _on_browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, both("import.wizard.choose_file", sep=" / "), "",
            "Excel / CSV (*.xlsx *.xlsm *.csv *.txt *.tsv);;All files (*)")
        if path:
            self.open_file(Path(path))

    def _on_photos(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, both("import.wizard.photos_folder", sep=" / "))
        if folder:
            self.photos_edit.setText(folder)

    def typed_path(self) -> Path | None:
        """The path in the file field, "~" expanded and quotes stripped; None when empty."""
        text = self.file_edit.text().strip().strip('"').strip("'").strip()
        return Path(text).expanduser() if text else None

    def check_path(self) -> Path | None:
        """The typed path when it names a readable file; else say why (both languages)."""
        path = self.typed_path()
        if path is None:
            self._show_message(both("import.wizard.no_file", sep=" / "))
        elif not path.exists():
            self._show_message(both(msg("import.file_not_found", path=path)))
        elif not path.is_file():
            self._show_message(both(msg("import.wizard.not_a_file", path=path)))
        else:
            return path
        self.file_edit.setFocus()
        self.file_edit.selectAll()
        return None

    def _on_path_edited(self, _text: str) -> None:
        # The file shown is no longer the one detected: "Check" must read the new one first.
        if self.inspection is not None and not self.running:
            self.inspection = None
            self.outcome = None
        self._update_buttons()

    def _on_path_entered(self) -> None:
        if self.running:
            return
        path = self.check_path()
        if path is not None and (self.inspection is None or self.inspection.path != path):
            self.open_file(path)

    def open_file(self, path: Path) -> None:
        """Start over with a new file: detect everything afresh."""
        self.file_edit.setText(str(path))
        self.inspection = None
        self.outcome = None
        self._source_typed = False
        self.values_page.clear()
        self.inspect_file(fresh=True)

    def inspect_file(self, *, fresh: bool = False) -> None:
        """Detect reading options and mapping in the background (also after a changed option)."""
        text = self.file_edit.text()
        if not text or self.running:
            return
        path = Path(text)
        opts = ImportOptions(preset=self.preset_combo.currentData()) if fresh else \
            self.options(with_mapping=False)
        service = self.service

        def work(_p: Any, _c: Any) -> FileInspection:
            ins = service.inspect(path, opts)
            if fresh and not opts.preset:
                # The same platform's export again: read it with the preset saved for it.
                saved = service.matching_preset(ins)
                if saved is not None:
                    ins = service.inspect(path, ImportOptions(preset=saved.name))
            return ins

        self._start("inspect", work, self._on_inspected)

    def _on_inspected(self, ins: FileInspection) -> None:
        self.inspection = ins
        self.outcome = None
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(ins.sheets))
        self.sheet_combo.setCurrentText(ins.sheet)
        self.sheet_combo.setEnabled(ins.kind == "xlsx")
        self.encoding_combo.setEnabled(ins.kind == "csv")
        self.delimiter_combo.setEnabled(ins.kind == "csv")
        if ins.kind == "csv":
            self.encoding_combo.setCurrentText(ins.encoding)
            self.delimiter_combo.setCurrentIndex(max(0, self.delimiter_combo.findData(ins.delimiter)))
        self.header_spin.setValue(ins.header_line)
        o = ins.options
        if o.key_field:
            self.key_combo.setCurrentIndex(max(0, self.key_combo.findData(o.key_field)))
        if o.keep is not None:
            for k, cb in self.keep_checks.items():
                cb.setChecked(k in o.keep)
        self.full_check.setChecked(bool(o.full))
        self._fill_mapping(ins)
        if not self._source_typed or not self.source():
            self._source_typed = False
            self.source_edit.setText(ins.source)
        self._show_source_note()
        if ins.options.preset and self.preset_combo.currentData() != ins.options.preset:
            self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(ins.options.preset)))
        self._fill_preset_names(ins)
        where = (f"{both('import.wizard.where_sheet', sep=' ')} “{ins.sheet}”" if ins.kind == "xlsx"
                 else f"{ins.encoding} · {dict(_DELIMITERS).get(ins.delimiter, ins.delimiter)}")
        n = ins.rows_estimate
        rows = f" · {both(msg('import.wizard.rows', count=n), sep=' / ')}" if n else ""
        self.mapping_title.setText(
            f"{both('import.wizard.mapping', sep='/')} — {ins.path.name}: {where}, "
            f"{both(msg('import.wizard.header_on', line=ins.header_line), sep=' / ')}{rows}")
        self._show_message("")
        if ins.options.preset:
            self.mapping_title.setText(
                f"{self.mapping_title.text()} · {both('import.wizard.preset_used', sep=' ')} "
                f"“{ins.options.preset}”")

    def _fill_preset_names(self, ins: FileInspection) -> None:
        """The value step's preset field: the preset in use, else one named after the file."""
        combo = self.values_page.preset_name
        combo.clear()
        combo.addItems([self.preset_combo.itemData(i) for i in range(1, self.preset_combo.count())])
        combo.setCurrentText(ins.options.preset or ins.path.stem)

    def _fill_mapping(self, ins: FileInspection) -> None:
        t = self.mapping_table
        t.setRowCount(len(ins.headers))
        for i, (header, field) in enumerate(zip(ins.headers, ins.mapping, strict=False)):
            item = QTableWidgetItem(header)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(i, 0, item)
            combo = QComboBox()
            combo.addItem(f"— {both('import.wizard.ignore', sep=' / ')} —", None)
            for f in FIELDS:
                mark = f"  · {both('import.wizard.personal', sep=' ')}" if f.private else ""
                combo.addItem(f"{f.name_zh} / {f.name_en}{mark}", f.key)
            combo.setCurrentIndex(max(0, combo.findData(field)))
            t.setCellWidget(i, 1, combo)
            samples = [r[i] for r in ins.preview if i < len(r) and r[i]][:4]
            sample = QTableWidgetItem("  |  ".join(samples))
            sample.setFlags(sample.flags() & ~Qt.ItemFlag.ItemIsEditable)
            sample.setToolTip("\n".join(samples))
            t.setItem(i, 2, sample)

    def _on_save_preset(self) -> None:
        ins = self.inspection
        if ins is None:
            return
        name, ok = QInputDialog.getText(self, both("import.wizard.save_title", sep=" / "),
                                        f"{both('import.wizard.preset_name', sep=' / ')}:",
                                        text=self.preset_combo.currentData() or "")
        if not ok or not name.strip():
            return
        opts = self.options()
        ins = replace(ins, options=replace(ins.options, key_field=opts.key_field, keep=opts.keep,
                                           full=opts.full, source=opts.source or ins.options.source))
        mapping = opts.mapping
        values = self.values_page.value_map() if self.values_page.rows else None

        def work(_p: Any, _c: Any) -> str:
            return self.service.save_preset(name, ins, mapping=mapping, operator=self.operator,
                                            desk=self.desk, values=values).name

        self._start("inspect", work, self._on_preset_saved)

    def _on_preset_saved(self, name: str) -> None:
        self._refresh_presets()
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(name)))
        self._show_message(both(msg("import.wizard.preset_saved", name=name), sep=" / "), done=True)

    def dry_run(self) -> None:
        """Check the whole file against the database; writes nothing.

        A path typed but not read yet is read first (or its problem shown); check again then.
        """
        if self.running:
            return
        if self.inspection is None:
            path = self.check_path()
            if path is not None:
                self.open_file(path)
            return
        path, opts, service = self.inspection.path, self.options(), self.service
        report = self._next_report()

        def work(p: Any, c: Any) -> _Checked:
            result = service.dry_run(path, opts, progress=p, cancelled=c, report_file=report)
            unknown = result.unknown_values
            return _Checked(result, service.catalog(), service.suggestions(unknown) if unknown else {})

        self._start("read", work, self._on_checked)

    def _on_checked(self, checked: _Checked) -> None:
        """A dry run: values the event does not know go to the value step, else the report."""
        result = checked.result
        self.values_page.add_values(checked.catalog, result.unknown_values, checked.suggestions,
                                    result.inspection.options.value_map or {})
        self.values_page.counts.setText(_counts_line(result))
        self._on_result(result)
        if result.unknown_values:
            self._set_page(VALUES)

    def apply(self) -> None:
        """Import for real (one transaction), then save the columns and values with the preset."""
        if self.inspection is None or self.outcome is None:
            return
        path, opts, service = self.inspection.path, self.options(), self.service
        remembered = self.inspection.options.source
        ins = replace(self.inspection, options=replace(
            self.inspection.options, key_field=opts.key_field, keep=opts.keep, full=opts.full,
            source=opts.source or remembered))
        # Saved when this file needed values mapped or its source was named anew (a preset that
        # already held them is left as it is).
        named = bool(opts.source) and opts.source != remembered
        save = self.values_page.save_check.isChecked() and (self.values_page.dirty or named)
        name = self.values_page.preset_name.currentText().strip()
        values = self.values_page.value_map()
        report = self._next_report()

        def work(p: Any, c: Any) -> _Applied:
            result = service.apply(path, opts, progress=p, cancelled=c, report_file=report)
            if not (save and name):
                return _Applied(result)
            try:  # the import is written: a preset that cannot be saved must not hide that
                saved = service.save_preset(name, ins, mapping=opts.mapping, operator=self.operator,
                                            desk=self.desk, values=values)
            except Exception as exc:
                return _Applied(result, preset_error=error_text(exc))
            return _Applied(result, saved.name)

        self._start("read", work, self._on_applied)

    def _on_applied(self, applied: _Applied) -> None:
        self._on_result(applied.result)
        if applied.preset_error:
            self._show_message(applied.preset_error)
        elif applied.preset:
            self._refresh_presets()
            self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(applied.preset)))
            self._show_message(both(msg("import.wizard.saved_with", name=applied.preset)),
                               done=True)

    def _on_result(self, result: ImportResult) -> None:
        self.outcome = result
        c = result.counts
        for key, label in self.counts_labels.items():
            label.setText(f"{getattr(c, key):,}\n{label.property('caption')}")
        self.problem_model.set_problems(list(result.problems))
        if result.applied:
            head = both(msg("import.wizard.imported", name=result.inspection.path.name,
                            seconds=result.seconds), sep=" / ")
            self.imported.emit(result)
        else:
            head = both("import.wizard.dry_run_head", sep=" / ")
        self.summary.setText(head)
        self._fill_same_people(result)
        self._set_page(REPORT)

    def _fill_same_people(self, result: ImportResult) -> None:
        people = list(result.same_people)
        self._same = people
        t = self.same_table
        t.setRowCount(len(people))
        for i, x in enumerate(people):
            cells = (str(x.line), f"{x.name} {x.code or x.source_code}".strip(),
                     f"{x.other_name} {x.other_code} ({x.other_source or '—'})",
                     " ".join(x.by), "")
            for j, text in enumerate(cells):
                t.setItem(i, j, QTableWidgetItem(text))
        self.same_box.setVisible(bool(people))
        # Decided on stored people only: after the import (a dry run has not stored this file's).
        can = bool(people) and result.applied
        for b in (self.merge_button, self.apart_button):
            b.setEnabled(can)
            b.setToolTip("" if can else both("import.wizard.decide_later", sep=" / "))

    def decide_same_person(self, decision: str) -> None:
        """Store the decision for the selected pairs (every pair when none is selected)."""
        if self.running or self.outcome is None or not self.outcome.applied:
            return
        rows = sorted({i.row() for i in self.same_table.selectedIndexes()}) or list(range(len(self._same)))
        chosen = [(r, self._same[r]) for r in rows if self._same[r].delegate_id
                  and not self._decided(r)]
        if not chosen:
            return
        service, operator, desk = self.service, self.operator, self.desk

        def work(_p: Any, _c: Any) -> list[int]:
            for _r, x in chosen:
                service.decide_same_person(x.other_id, x.delegate_id, decision, operator=operator,
                                           desk=desk)
            return [r for r, _x in chosen]

        self._start("inspect", work, lambda done: self._on_decided(done, decision))

    def _decided(self, row: int) -> bool:
        item = self.same_table.item(row, 4)
        return item is not None and bool(item.text())

    def _on_decided(self, rows: list[int], decision: str) -> None:
        text = (both("import.wizard.merged", sep=" ") if decision == MERGE
                else both("import.wizard.apart_done", sep=" "))
        for r in rows:
            self.same_table.setItem(r, 4, QTableWidgetItem(text))
        self._show_message(both(msg("import.wizard.decided", count=len(rows)), sep=" / "),
                           done=True)

    # -- background plumbing -------------------------------------------------------------------
    def _start(self, stage: str, fn: Callable[[Any, Any], Any], on_done: Callable[[Any], None]) -> None:
        if self.running:
            return
        self.running = True
        self._show_message("")
        self.stage_label.setText(_STAGES.get(stage, stage))
        self.progress.setRange(0, 0)  # busy until the first report
        self._on_done = on_done
        self.worker.start(fn)
        self._update_buttons()

    def _on_finished(self, result: Any) -> None:
        self.worker.wait(1)
        self.running = False
        self._update_buttons()
        self._on_done(result)
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.worker.wait(1)
        self.running = False
        self._update_buttons()
        self._show_message(message or both("import.wizard.cancelled", sep="/"))

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self.stage_label.setText(_STAGES.get(stage, stage))
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / max(total, 1)))

    def _on_export(self) -> None:
        if self.outcome is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, both("import.wizard.export_title", sep=" / "),
                                              "import-report.csv", "CSV (*.csv)")
        if path:
            self.export_report(Path(path))

    def _next_report(self) -> Path:
        """A new file for the next run's full report (the previous runs' are removed)."""
        folder = self._reports
        folder.mkdir(mode=0o700, exist_ok=True)
        for old in folder.glob("report-*.csv"):
            old.unlink(missing_ok=True)
        return folder / f"report-{next(self._report_runs)}.csv"

    def export_report(self, path: Path) -> None:
        """Write the report as CSV (UTF-8 with BOM, for Excel): every line, from the run's full
        report file (the table shows the first lines of each problem and counts the rest)."""
        if self.outcome is None:
            return
        full = self.outcome.report_file
        if full is not None and full.is_file():
            shutil.copyfile(full, path)
            n = self.outcome.problems_total
        else:
            n = write_report(path, self.outcome.problems)
        self._show_message(f"{both(msg('import.wizard.exported', count=n), sep=' / ')}: {path}", done=True)

    def reject(self) -> None:
        """Close; a running step is cancelled first (and then writes nothing)."""
        if self.worker.busy:
            self.worker.cancel()
            self.worker.wait()
        super().reject()

