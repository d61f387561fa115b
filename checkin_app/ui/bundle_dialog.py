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
from checkin_app.sync.bundle import BundleInfo
from checkin_app.ui.tasks import TaskRunner

FILTER = "签到数据包 / Check-in bundles (*.bundle);;所有文件 / All files (*)"


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
        self.setWindowTitle("U盘数据包 / USB stick bundles")
        self.setMinimumWidth(640)
        # Its own writer thread: an import of 100,000 people takes seconds, and the desk's scans
        # must not queue behind it (the import commits chunk by chunk, scans go in between).
        self.runner = TaskRunner(self, readers=1)
        self.running = False

        out = QGroupBox("导出本台尚未上传的记录 / Export this desk's records not yet on the hub")
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        self.export_path = QLineEdit(str(Path.home() / f"{_safe(desk)}-{stamp}.bundle"))
        self.export_button = QPushButton("导出 / Export")
        browse_out = QPushButton("选择… / Choose…")
        browse_out.clicked.connect(self._choose_export)
        grid = QGridLayout(out)
        grid.addWidget(self.export_path, 0, 0)
        grid.addWidget(browse_out, 0, 1)
        grid.addWidget(self.export_button, 0, 2)
        note = QLabel("记录仍留在本台，联网后照常上传；中心重复导入不会重复记录。\n"
                      "The records stay queued here for the network too; the hub never stores "
                      "one twice.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        grid.addWidget(note, 1, 0, 1, 3)

        inp = QGroupBox("导入中心服务器的数据 / Import the hub's data")
        self.import_path = QLineEdit()
        self.import_path.setPlaceholderText("hub-data.bundle")
        self.import_button = QPushButton("导入 / Import")
        browse_in = QPushButton("选择… / Choose…")
        browse_in.clicked.connect(self._choose_import)
        self.fingerprint = QLineEdit()
        self.fingerprint.setObjectName("bundleFingerprint")
        self.fingerprint.setPlaceholderText("AB:CD:…  中心服务器证书指纹 / the hub's certificate fingerprint")
        fp_note = QLabel(
            "本台已连接中心服务器：使用注册时记下的指纹核对签名。\n"
            "This desk is enrolled: the signature is checked against the fingerprint pinned then."
            if pinned else
            "本台未注册：请输入中心服务器的证书指纹（导出数据包时显示），只接受该服务器签名的数据包。\n"
            "This desk is not enrolled: type the hub's certificate fingerprint (shown when the "
            "bundle was exported); only a bundle that hub signed is taken.")
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
            self._say("请先选择文件 / Choose a file first", error=True)
            return
        bundles, operator = self.bundles, self.operator
        self._busy("正在导出… / Exporting…")
        self.runner.write(lambda: bundles.export(path, operator=operator),
                          lambda info: self._exported(info, path), self._failed)

    def on_import(self) -> None:
        """Check and apply the hub's data bundle from the chosen file."""
        text = self.import_path.text().strip()
        if not text:
            self._say("请先选择文件 / Choose a file first", error=True)
            return
        path = Path(text).expanduser()
        bundles, operator, fp = self.bundles, self.operator, self.fingerprint.text().strip()
        self._busy("正在核对并导入… / Checking and importing…")
        self.runner.write(lambda: bundles.import_hub_data(path, fingerprint=fp, operator=operator),
                          self._imported, self._failed)

    def _exported(self, info: BundleInfo, path: Path) -> None:
        signed = (f"已签名：{info.signed_by} / signed by {info.signed_by}" if info.signed_by else
                  "未签名：中心导入时须加 --allow-unsigned / not signed: the hub imports it with "
                  "--allow-unsigned")
        self._say(f"已导出 {info.items} 条到 {path}\nExported {info.items} items to {path}\n{signed}")

    def _imported(self, info: BundleInfo) -> None:
        self._say(f"已导入 {info.items} 条，签名已核对（{info.signed_by}）\n"
                  f"Imported {info.items} rows; signature checked ({info.signed_by})")
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
        name, _ = QFileDialog.getSaveFileName(self, "导出到 / Export to", self.export_path.text(), FILTER)
        if name:
            self.export_path.setText(name)

    def _choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "导入文件 / File to import", str(Path.home()), FILTER)
        if name:
            self.import_path.setText(name)

    def reject(self) -> None:
        """Close, unless an export or import is running (it is never cut in half)."""
        if self.running:
            self._show("正在处理，请等待完成 / Working: wait until it finishes", error=True)
            return
        super().reject()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "desk"
