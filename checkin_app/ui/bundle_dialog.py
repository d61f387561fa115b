"""USB-stick bundles at the desk: export the records not yet on the hub, import the hub's data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin_app.desk import Bundles
from checkin_app.domain.messages import both, msg
from checkin_app.sync.bundle import BundleInfo
from checkin_app.ui.tasks import TaskRunner

FILTER = f"{both('ui.bundle.filter', sep=' / ')} (*.bundle);;{both('ui.bundle.filter_all', sep=' / ')} (*)"


class BundleDialog(QDialog):
    """Two rows, each a file and a button; the work runs on the dialog's own thread.

    Texts are bilingual and fixed, like the other manager dialogs: whoever holds the PIN may
    not read the desk's current language.

    Signals:
        imported(int): the hub's data went in; carries how many rows were read.
    """

    imported = Signal(int)

    def __init__(self, bundles: Bundles, *, desk: str, operator: str, pinned: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bundles, self.desk, self.operator = bundles, desk, operator
        self.setWindowTitle(both("ui.bundle.title", sep=" / "))
        self.setMinimumWidth(640)
        # Its own writer thread: an import of 100,000 people takes seconds, and the desk's scans
        # must not queue behind it (the import commits chunk by chunk, scans go in between).
        self.runner = TaskRunner(self, readers=1)
        self.running = False

        out = QGroupBox(both("ui.bundle.export_box", sep=" / "))
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        self.export_path = QLineEdit(str(Path.home() / f"{_safe(desk)}-{stamp}.bundle"))
        self.export_button = QPushButton(both("ui.bundle.export", sep=" / "))
        browse_out = QPushButton(both("ui.bundle.choose", sep=" / "))
        browse_out.clicked.connect(self._choose_export)
        grid = QGridLayout(out)
        grid.addWidget(self.export_path, 0, 0)
        grid.addWidget(browse_out, 0, 1)
        grid.addWidget(self.export_button, 0, 2)
        note = QLabel(both("ui.bundle.export_note"))
        note.setObjectName("hint")
        note.setWordWrap(True)
        grid.addWidget(note, 1, 0, 1, 3)

        inp = QGroupBox(both("ui.bundle.import_box", sep=" / "))
        self.import_path = QLineEdit()
        self.import_path.setPlaceholderText("hub-data.bundle")
        self.import_button = QPushButton(both("ui.bundle.import", sep=" / "))
        browse_in = QPushButton(both("ui.bundle.choose", sep=" / "))
        browse_in.clicked.connect(self._choose_import)
        self.fingerprint = QLineEdit()
        self.fingerprint.setObjectName("bundleFingerprint")
        self.fingerprint.setPlaceholderText("AB:CD:…  " + both("ui.bundle.fingerprint", sep=" / "))
        fp_note = QLabel(both("ui.bundle.pinned" if pinned else "ui.bundle.not_pinned"))
        fp_note.setObjectName("hint")
        fp_note.setWordWrap(True)
        self.fingerprint.setVisible(not pinned)
        grid = QGridLayout(inp)
        grid.addWidget(self.import_path, 0, 0)
        grid.addWidget(browse_in, 0, 1)
        grid.addWidget(self.import_button, 0, 2)
        grid.addWidget(self.fingerprint, 1, 0, 1, 3)
        grid.addWidget(fp_note, 2, 0, 1, 3)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(out)
        lay.addWidget(inp)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.buttons)
        lay.addLayout(row)
        self.export_button.clicked.connect(self.on_export)
        self.import_button.clicked.connect(self.on_import)

    # -- actions -----------------------------------------------------------------------------
    def on_export(self) -> None:
        """Write this desk's unsynced records to the chosen file."""
        path = Path(self.export_path.text().strip()).expanduser()
        if not self.export_path.text().strip():
            self._say(both("ui.bundle.choose_first", sep=" / "), error=True)
            return
        bundles, operator = self.bundles, self.operator
        self._busy(both("ui.bundle.exporting", sep=" / "))
        self.runner.write(lambda: bundles.export(path, operator=operator),
                          lambda info: self._exported(info, path), self._failed)

    def on_import(self) -> None:
        """Check and apply the hub's data bundle from the chosen file."""
        text = self.import_path.text().strip()
        if not text:
            self._say(both("ui.bundle.choose_first", sep=" / "), error=True)
            return
        path = Path(text).expanduser()
        bundles, operator, fp = self.bundles, self.operator, self.fingerprint.text().strip()
        self._busy(both("ui.bundle.importing", sep=" / "))
        self.runner.write(lambda: bundles.import_hub_data(path, fingerprint=fp, operator=operator),
                          self._imported, self._failed)

    def _exported(self, info: BundleInfo, path: Path) -> None:
        signed = (both(msg("ui.bundle.signed", by=info.signed_by), sep=" / ") if info.signed_by
                  else both("ui.bundle.unsigned", sep=" / "))
        self._say(f"{both(msg('ui.bundle.exported', n=info.items, path=path))}\n{signed}")

    def _imported(self, info: BundleInfo) -> None:
        self._say(both(msg("ui.bundle.imported", n=info.items, by=info.signed_by)))
        self.imported.emit(info.items)

    def _failed(self, exc: BaseException) -> None:
        self._say(str(exc), error=True)

    # -- helpers -----------------------------------------------------------------------------
    def _busy(self, text: str) -> None:
        self.running = True
        self._show(text, error=False)
        for w in (self.export_button, self.import_button):
            w.setEnabled(False)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.running = False
        for w in (self.export_button, self.import_button):
            w.setEnabled(True)
        self._show(text, error=error)

    def _show(self, text: str, *, error: bool) -> None:
        self.message.setObjectName("statusError" if error else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _choose_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, both("ui.bundle.export_to", sep=" / "),
                                              self.export_path.text(), FILTER)
        if name:
            self.export_path.setText(name)

    def _choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, both("ui.bundle.file_to_import", sep=" / "),
                                              str(Path.home()), FILTER)
        if name:
            self.import_path.setText(name)

    def reject(self) -> None:
        """Close, unless an export or import is running (it is never cut in half)."""
        if self.running:
            self._show(both("ui.bundle.working", sep=" / "), error=True)
            return
        super().reject()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "desk"
