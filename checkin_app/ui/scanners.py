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

from checkin_app.domain.messages import both, msg, pair
from checkin_app.scanning.evdev import list_devices
from checkin_app.services.catalog import CatalogService, DeskSettings
from checkin_app.ui import style
from checkin_app.ui.controller import Bootstrap
from checkin_app.ui.hid_scanner import HidScanner
from checkin_app.ui.serial_scanner import BAUD_RATES, ScannerSource, SerialScanner, available_ports
from checkin_app.ui.shell import Shell
from checkin_app.ui.texts import error_text

# Each kind's states have words (catalogue ui.scanner.<kind>.<state>), and why an input
# device cannot be read (ui.scanner.problem.<problem>), after which the scanner types into the window.
STATES = frozenset({"connected", "gone", "failed"})
HID_PROBLEMS = frozenset({"denied", "busy", "not_input", "error"})
FRAMING = frozenset({"too_long", "not_text"})  # ui.scanner.framing.<problem>
NONE = both("ui.scanner.none", sep=" / ")
STATE_STYLE = {
    "connected": "color: #A5D6A7; font-weight: 600; padding: 0 8px;",
    "gone": "color: #FFFFFF; background: #C62828; border-radius: 4px; font-weight: 600; "
            "padding: 0 8px;",
}
STATE_STYLE["failed"] = STATE_STYLE["gone"]


def state_words(kind: str, state: str) -> tuple[str, str]:
    """(zh, en) for a scanner kind's state ("" for a state without words, such as off)."""
    return pair(f"ui.scanner.{kind}.{state}") if state in STATES else ("", "")


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
        return state_words(self.source.kind, self.source.state)

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
            problem = s.problem if isinstance(s, HidScanner) else "error"
            lines += [*pair(f"ui.scanner.problem.{problem if problem in HID_PROBLEMS else 'error'}"),
                      *pair("ui.scanner.wedge_fallback")]
        if s.state in ("gone", "failed"):
            lines.append(both("ui.scanner.retrying", sep=" / "))
        if s.detail:
            lines.append(s.detail)
        self.setToolTip("\n".join(x for x in lines if x))


class ScannerSettingsDialog(QDialog):
    """The serial port and speed, and the input device, in both languages."""

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scannerSettings")
        self.setWindowTitle(both("ui.scanner.title", sep=" / "))
        intro = QLabel(both("ui.scanner.intro"))
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
        form.addRow(both("ui.scanner.port", sep=" / "), self.port)
        form.addRow(both("ui.scanner.baud", sep=" / "), self.baud)
        form.addRow(both("ui.scanner.device", sep=" / "), self.device)
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
        self.action = QAction(both("ui.scanner.menu", sep=" / "), window)
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
        self.shell.show_error(both(f"ui.scanner.framing.{problem if problem in FRAMING else 'not_text'}"))

    def _on_state(self, state: str) -> None:
        source = self.sender()
        if not isinstance(source, ScannerSource):
            return
        was, self._was[source.kind] = self._was.get(source.kind, "off"), state
        zh, en = state_words(source.kind, state)
        if state in ("gone", "failed"):
            self.shell.show_error(both(msg("ui.text.bracket", text=msg(f"ui.scanner.{source.kind}.{state}"),
                                           note=msg("ui.scanner.retrying"))))
        elif state == "connected" and was in ("gone", "failed"):
            # Plugged back in: said where "disconnected" was said (the label says it too).
            self.shell.show_error(f"{zh}\n{en}")

    # -- the manager's choice --------------------------------------------------------------
    def open_settings(self) -> None:
        """The scanner settings, behind the manager PIN."""
        self.shell.require_manager(*pair("ui.need.scanners"), self._read_for_dialog)

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
