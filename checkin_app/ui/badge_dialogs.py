"""Manager dialogs for badges: reprint with a reason, printer settings / send to printer, batch printing.

Opened deliberately by a manager (never during a scan); the window gives the keyboard back to the
scanner when they close. Texts are bilingual so a manager who reads either language finds them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from checkin_app.badges.templates import SHEETS, TemplateSet
from checkin_app.domain.messages import both, msg, text
from checkin_app.domain.types import ActivityInfo, CategoryInfo
from checkin_app.printing.backends import spooler_printers
from checkin_app.services.badges import REASON_WORDS, REPRINT_REASONS, PrintSettings, Selection
from checkin_app.ui.qt_printing import qt_printers


def no_default_buttons(dialog: QDialog) -> None:
    """No button of `dialog` is pressed by Return.

    A scanner ends every code with Return: while a manager's dialog is open, a scan must never
    press Browse… (a Save-As dialog), Start, OK or Reprint. QDialog presses its default button,
    or a focused "auto-default" one (every QPushButton in a dialog is auto-default unless told).
    """
    for b in dialog.findChildren(QPushButton):
        b.setAutoDefault(False)
        b.setDefault(False)


class ScanSafeDialog(QDialog):
    """A dialog no scan can press a button of (see no_default_buttons)."""

    def showEvent(self, e: QShowEvent) -> None:
        # QDialogButtonBox makes its OK the default when shown; undo that after it.
        super().showEvent(e)
        no_default_buttons(self)


class ReprintDialog(ScanSafeDialog):
    """Manager: why this badge is reprinted (lost, damaged, data changed)."""

    def __init__(self, name: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(both("ui.badges.reprint_title", sep=" / "))
        lay = QVBoxLayout(self)
        head = QLabel(f"<b>{name}</b> &nbsp; {code}")
        head.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(head)
        lay.addWidget(QLabel(both("ui.badges.reprint_note")))
        lay.addWidget(QLabel(both("ui.badges.reason", sep=" / ")))
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for i, reason in enumerate(REPRINT_REASONS):
            zh, en = REASON_WORDS[reason]
            rb = QRadioButton(f"{zh} / {en}")
            self.group.addButton(rb, i)
            self.radios[reason] = rb
            lay.addWidget(rb)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            both("ui.badges.reprint_button", sep=" / "))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            both("button.cancel", sep=" / "))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.group.idToggled.connect(lambda *_: self.buttons.button(
            QDialogButtonBox.StandardButton.Ok).setEnabled(self.reason() is not None))
        lay.addWidget(self.buttons)
        no_default_buttons(self)

    def reason(self) -> str | None:
        """The chosen reason code."""
        for reason, rb in self.radios.items():
            if rb.isChecked():
                return reason
        return None


class PrinterChooser(QWidget):
    """System printer (Qt), spooler queue (lp) or folder of PDF files."""

    KINDS = tuple((kind, both(f"ui.badges.kind_{kind}", sep=" / ")) for kind in ("qt", "lp", "folder"))

    def __init__(self, spec: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for key, label in self.KINDS:
            self.kind.addItem(label, key)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.folder = QLineEdit()
        self.browse = QPushButton(both("ui.badges.browse", sep=" / "))
        lay = QFormLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addRow(both("ui.badges.kind", sep=" / "), self.kind)
        lay.addRow(both("ui.badges.printer", sep=" / "), self.name)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        lay.addRow(both("ui.badges.folder", sep=" / "), row)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.browse.clicked.connect(self._on_browse)
        kind, _, rest = spec.partition(":")
        self.kind.setCurrentIndex(max(0, [k for k, _ in self.KINDS].index(kind)
                                      if kind in ("qt", "lp", "folder") else 0))
        self._on_kind()
        if kind == "folder":
            self.folder.setText(rest)
        else:
            self.name.setCurrentText(rest)

    def _on_kind(self) -> None:
        kind = self.kind.currentData()
        self.name.clear()
        if kind == "qt":
            self.name.addItem("")  # the system default
            self.name.addItems(qt_printers())
        elif kind == "lp":
            self.name.addItems(spooler_printers())
        self.name.setEnabled(kind != "folder")
        self.folder.setEnabled(kind == "folder")
        self.browse.setEnabled(kind == "folder")

    def _on_browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, both("ui.badges.choose_folder", sep=" / "),
                                                self.folder.text())
        if path:
            self.folder.setText(path)

    def spec(self) -> str:
        """The printer spec chosen."""
        kind = self.kind.currentData()
        if kind == "folder":
            return f"folder:{self.folder.text().strip()}"
        return f"{kind}:{self.name.currentText().strip()}"


class PrinterDialog(ScanSafeDialog):
    """Manager: auto-print, printer and template of this desk (or only a printer, to redirect a job)."""

    def __init__(self, settings: PrintSettings, templates: TemplateSet, *, printer_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(both("ui.badges.send_title", sep=" / ") if printer_only
                            else both("ui.badges.settings_title", sep=" / "))
        lay = QVBoxLayout(self)
        self.auto = QCheckBox(both("ui.badges.auto_print", sep=" / "))
        self.auto.setChecked(settings.auto_print)
        self.chooser = PrinterChooser(settings.printer)
        self.template = QComboBox()
        self.template.addItem(both("ui.badges.by_category", sep=" / "), "")
        for t in templates.templates.values():
            self.template.addItem(f"{t.title_zh} / {t.title_en}", t.name)
        i = self.template.findData(settings.template)
        self.template.setCurrentIndex(max(i, 0))
        if not printer_only:
            lay.addWidget(self.auto)
        lay.addWidget(self.chooser)
        if not printer_only:
            form = QFormLayout()
            form.addRow(both("ui.badges.template", sep=" / "), self.template)
            lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(both("button.ok", sep=" / "))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(both("button.cancel", sep=" / "))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        no_default_buttons(self)

    def values(self) -> tuple[bool, str, str]:
        """(auto-print, printer spec, template name)."""
        return self.auto.isChecked(), self.chooser.spec(), str(self.template.currentData())


class BatchDialog(ScanSafeDialog):
    """Manager: choose who, template and sheet, then write one PDF with progress and cancel."""

    def __init__(self, categories: list[CategoryInfo], activities: list[ActivityInfo],
                 templates: TemplateSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(both("ui.badges.batch_title", sep=" / "))
        self.resize(560, 520)
        lay = QVBoxLayout(self)
        self.categories = QListWidget()
        for c in categories:
            item = QListWidgetItem(f"{c.name_zh} / {c.name_en} ({c.code})")
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories.addItem(item)
        self.activity = QComboBox()
        self.activity.addItem(both("ui.badges.everyone", sep=" / "), "")
        for a in activities:
            self.activity.addItem(f"{a.name_zh} / {a.name_en}", a.code)
        self.template = QComboBox()
        self.template.addItem(both("ui.badges.by_category", sep=" / "), "")
        for t in templates.templates.values():
            self.template.addItem(f"{t.title_zh} / {t.title_en}", t.name)
        self.sheet = QComboBox()
        for name, sh in SHEETS.items():
            self.sheet.addItem(text(msg("ui.badges.sheet_nup", n=sh.per_page, name=name), "zh"), name)
        self.sheet.addItem(both("ui.badges.one_per_page", sep=" / "), "none")
        self.sheet.setCurrentIndex(self.sheet.findData("a4-4up"))
        self.output = QLineEdit(str(Path.home() / "badges.pdf"))
        browse = QPushButton(both("ui.badges.browse", sep=" / "))
        browse.clicked.connect(self._on_browse)
        form = QFormLayout()
        # The Chinese ends in a full-width bracket: no space before the slash.
        form.addRow(both("ui.badges.categories", sep="/ "), self.categories)
        form.addRow(both("ui.badges.activity", sep=" / "), self.activity)
        form.addRow(both("ui.badges.template", sep=" / "), self.template)
        form.addRow(both("ui.badges.sheet", sep=" / "), self.sheet)
        row = QHBoxLayout()
        row.addWidget(self.output, 1)
        row.addWidget(browse)
        form.addRow(both("ui.badges.output", sep=" / "), row)
        lay.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        self.start_button = QPushButton(both("ui.badges.start", sep=" / "))
        self.start_button.setObjectName("primary")
        self.cancel_button = QPushButton(both("button.cancel", sep=" / "))
        self.close_button = QPushButton(both("ui.badges.close", sep=" / "))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        self.cancel_button.setEnabled(False)
        lay.addLayout(buttons)
        self.close_button.clicked.connect(self.reject)
        no_default_buttons(self)
        self.categories.setFocus()  # not the output path: stray keystrokes must not edit it

    def _on_browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, both("ui.badges.save_as", sep=" / "), self.output.text(),
                                              "PDF (*.pdf)")
        if path:
            self.output.setText(path)

    def selection(self) -> Selection:
        """Who the batch prints."""
        cats = tuple(
            str(self.categories.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.categories.count())
            if self.categories.item(i).checkState() == Qt.CheckState.Checked)
        return Selection(categories=cats, activity=str(self.activity.currentData()) or None)

    def set_running(self, running: bool) -> None:
        """Lock the choices while a batch is written."""
        for w in (self.categories, self.activity, self.template, self.sheet, self.output,
                  self.start_button, self.close_button):
            w.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(True)

    def set_progress(self, done: int, total: int) -> None:
        """Badges written so far."""
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.message.setText(f"{done} / {total}")
