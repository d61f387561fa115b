"""Scanners beyond the keyboard wedge at the desk window: serial (USB-CDC) and Linux input device.

The part takes the shell and the catalogue (desk settings). A manager (PIN) chooses the serial
port, its speed and the input device in "Scanners…"; the choice is a desk setting, audited under
the manager's name. Each code goes to `DeskController.scan`, the path a wedge scan takes. The
status bar shows each configured scanner: connected, or in red when it is gone or cannot be used
(looked for again every second).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from checkin_app.scanning.evdev import list_devices
from checkin_app.services.catalog import CatalogService, DeskSettings
from checkin_app.ui import style
from checkin_app.ui.controller import Bootstrap
from checkin_app.ui.hid_scanner import HidScanner
from checkin_app.ui.serial_scanner import BAUD_RATES, ScannerSource, SerialScanner, available_ports
from checkin_app.ui.shell import Shell
from checkin_app.ui.texts import error_text

# Inline zh/en, as the camera and sync parts write theirs: (zh, en) per kind and state.
WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("serial", "connected"): ("扫码枪（串口）已连接", "Serial scanner connected"),
    ("serial", "gone"): ("扫码枪（串口）已断开", "Serial scanner disconnected"),
    ("serial", "failed"): ("扫码枪（串口）无法打开", "Serial scanner cannot be opened"),
    ("hid", "connected"): ("扫码枪（独立输入设备）已连接", "Scanner (own input device) connected"),
    ("hid", "gone"): ("扫码枪（独立输入设备）已断开", "Scanner (own input device) disconnected"),
    ("hid", "failed"): ("扫码枪按键盘方式输入", "Scanner typing as a keyboard"),
}
# Why an input device cannot be read, and that the scanner then types into the window.
HID_PROBLEMS: dict[str, tuple[str, str]] = {
    "denied": ("没有读取该输入设备的权限（见 docs/scanners.md 的 udev 规则）",
               "No permission to read the input device (see the udev rule in docs/scanners.md)"),
    "busy": ("该输入设备正被其他程序独占", "Another program holds the input device"),
    "not_input": ("所选文件不是输入设备", "The chosen file is not an input device"),
    "error": ("无法读取该输入设备", "The input device cannot be read"),
}
WEDGE_FALLBACK = ("扫码枪仍可按键盘方式扫码（请关闭中文输入法）",
                  "The scanner still works as a keyboard (keep the Chinese input method off)")
FRAMING: dict[str, str] = {
    "too_long": "扫码枪发送的内容过长，不是条码，已忽略\n"
                "The scanner sent more than any code holds: ignored",
    "not_text": "扫码枪发送的不是文字，请检查扫码枪的设置\n"
                "The scanner sent bytes that are not text: check the scanner's settings",
}
RETRYING = ("每秒重新查找", "looking for it every second")
NONE = "无 / None"
STATE_STYLE = {
    "connected": "color: #A5D6A7; font-weight: 600; padding: 0 8px;",
    "gone": "color: #FFFFFF; background: #C62828; border-radius: 4px; font-weight: 600; "
            "padding: 0 8px;",
}
STATE_STYLE["failed"] = STATE_STYLE["gone"]


class ScannerLabel(QLabel):
    """One scanner's state in the status bar, in the UI language (both in the tooltip)."""

    def __init__(self, source: ScannerSource, lang: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName(f"{source.kind}ScannerStatus")
        self.source = source
        self.lang = lang
        source.stateChanged.connect(lambda _s: self.refresh())
        self.refresh()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(e)

    def words(self) -> tuple[str, str]:
        """The (zh, en) words for the source's state now."""
        s = self.source
        return WORDS.get((s.kind, s.state), ("", ""))

    def refresh(self) -> None:
        """Follow the source's state (hidden when it is off)."""
        s = self.source
        self.setVisible(s.state != "off")
        if s.state == "off":
            return
        zh, en = self.words()
        self.setText(zh if self.lang() == "zh" else en)
        self.setStyleSheet(STATE_STYLE[s.state])
        lines = [f"{zh} / {en}", s.target]
        if s.kind == "hid" and s.state == "failed":
            pz, pe = HID_PROBLEMS.get(s.problem if isinstance(s, HidScanner) else "error",
                                      HID_PROBLEMS["error"])
            lines += [pz, pe, *WEDGE_FALLBACK]
        if s.state in ("gone", "failed"):
            lines.append(f"{RETRYING[0]} / {RETRYING[1]}")
        if s.detail:
            lines.append(s.detail)
        self.setToolTip("\n".join(x for x in lines if x))


class ScannerSettingsDialog(QDialog):
    """The serial port and speed, and the input device, in both languages."""

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scannerSettings")
        self.setWindowTitle("扫码枪设置 / Scanners")
        intro = QLabel("键盘方式的扫码枪无需设置。串口（USB-CDC）扫码枪：选择端口和速率。"
                       "Linux 上可把扫码枪作为独立输入设备读取，不经过输入法。\n"
                       "Keyboard-wedge scanners need nothing here. A serial (USB-CDC) scanner: "
                       "choose its port and speed. On Linux a scanner can be read as its own input "
                       "device, never through an input method.")
        intro.setWordWrap(True)
        self.port = QComboBox()
        self.port.setEditable(True)  # a path the list does not show (/dev/serial/by-id/…)
        self.port.addItem(NONE, "")
        for name, what in available_ports():
            self.port.addItem(f"{name}  —  {what}", name)
        self._choose(self.port, settings.serial_port)
        self.baud = QComboBox()
        for rate in BAUD_RATES:
            self.baud.addItem(str(rate), str(rate))
        self._choose(self.baud, settings.serial_baud)
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItem(NONE, "")
        for path, name in list_devices():
            self.device.addItem(name, path)
        self._choose(self.device, settings.scanner_device)
        form = QFormLayout()
        form.addRow("串口 / Serial port", self.port)
        form.addRow("速率 / Speed (baud)", self.baud)
        form.addRow("输入设备 / Input device (Linux)", self.device)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(buttons)

    @staticmethod
    def _choose(box: QComboBox, value: str) -> None:
        idx = box.findData(value)
        if idx < 0:
            box.addItem(value, value)
            idx = box.count() - 1
        box.setCurrentIndex(idx)

    @staticmethod
    def _value(box: QComboBox) -> str:
        text = box.currentText().strip()
        idx = box.currentIndex()
        if idx >= 0 and box.itemText(idx) == text:
            return str(box.itemData(idx) or "")
        return "" if text == NONE else text  # typed in by hand

    def chosen(self) -> dict[str, str]:
        """The settings as chosen: serial_port, serial_baud, scanner_device."""
        return {"serial_port": self._value(self.port), "serial_baud": self._value(self.baud),
                "scanner_device": self._value(self.device)}


class ScannerDesk(QObject):
    """The serial and input-device scanners of one desk window.

    Signals:
        dialogOpened(object): the settings dialog was opened (tests use it).
        settingsApplied(object): DeskSettings stored and put to use.
    """

    dialogOpened = Signal(object)
    settingsApplied = Signal(object)

    def __init__(self, shell: Shell, catalog: CatalogService, *, grab: bool = True) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.catalog = catalog
        self.serial = SerialScanner(self)
        self.hid = HidScanner(self, grab=grab)
        self.dialog: ScannerSettingsDialog | None = None
        self._was: dict[str, str] = {}
        self.labels = [ScannerLabel(s, lambda: shell.language) for s in (self.serial, self.hid)]
        for label in self.labels:
            shell.statusBar().addPermanentWidget(label)
        self.action = QAction("扫码枪设置… / Scanners…", window)
        shell.add_desk_actions([self.action], "bottom")
        self._connect_callbacks()

    def _connect_callbacks(self) -> None:
        self.action.triggered.connect(self.open_settings)
        self.shell.controller.bootstrapped.connect(self._on_bootstrapped)
        for source in (self.serial, self.hid):
            source.codeRead.connect(self._on_code)
            source.problemFound.connect(self._on_problem)
            source.stateChanged.connect(self._on_state)

    def _on_bootstrapped(self, boot: Bootstrap) -> None:
        self.apply(boot.settings)

    def apply(self, settings: DeskSettings) -> None:
        """Read from the scanners `settings` name (none: both off)."""
        try:
            baud = int(settings.serial_baud)
        except ValueError:
            baud = 9600
        self.serial.configure(settings.serial_port, baud)
        self.hid.configure(settings.scanner_device)

    def _on_code(self, code: str) -> None:
        # Exactly the wedge scan's path: the controller queues it and the window shows the verdict.
        self.shell.controller.scan(code)

    def _on_problem(self, problem: str) -> None:
        self.shell.show_error(FRAMING.get(problem, FRAMING["not_text"]))

    def _on_state(self, state: str) -> None:
        source = self.sender()
        if not isinstance(source, ScannerSource):
            return
        was, self._was[source.kind] = self._was.get(source.kind, "off"), state
        zh, en = WORDS.get((source.kind, state), ("", ""))
        if state in ("gone", "failed"):
            self.shell.show_error(f"{zh}（{RETRYING[0]}）\n{en} ({RETRYING[1]})")
        elif state == "connected" and was in ("gone", "failed"):
            # Plugged back in: said where "disconnected" was said (the label says it too).
            self.shell.show_error(f"{zh}\n{en}")

    # -- the manager's choice --------------------------------------------------------------
    def open_settings(self) -> None:
        """The scanner settings, behind the manager PIN."""
        self.shell.require_manager("扫码枪设置", "scanner settings", self._read_for_dialog)

    def _read_for_dialog(self, manager: str) -> None:
        self.shell.controller.runner.read(self.catalog.settings,
                                          lambda s: self._open_dialog(s, manager),
                                          lambda exc: self.shell.show_error(error_text(exc)))

    def _open_dialog(self, settings: DeskSettings, manager: str) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        dlg = ScannerSettingsDialog(settings, self.shell.window())
        dlg.setStyleSheet(style.STYLESHEET)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self.save(dlg.chosen(), manager))
        dlg.finished.connect(self._on_dialog_finished)
        self.dialog = dlg
        dlg.open()
        self.dialogOpened.emit(dlg)

    def _on_dialog_finished(self, _code: int) -> None:
        self.dialog = None
        self.shell.focus_scanner()

    def save(self, changes: dict[str, str], manager: str) -> None:
        """Store the scanner settings (audited as the manager's) and use them."""
        catalog = self.catalog
        self.shell.controller.runner.write(
            lambda: catalog.save_settings(operator=manager, **changes), self._on_saved,
            lambda exc: self.shell.show_error(error_text(exc)))

    def _on_saved(self, settings: DeskSettings) -> None:
        self.apply(settings)
        self.settingsApplied.emit(settings)

    def stop(self) -> None:
        """Close the ports (the window is closing)."""
        self.serial.stop()
        self.hid.stop()
