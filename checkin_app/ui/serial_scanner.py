"""A USB-CDC (virtual COM port) scanner through QtSerialPort: framed codes, found again after unplugging.

The port and its speed are desk settings (a manager's choice, ui/scanners.py). Bytes go through
the Qt-free framer (scanning/framer.py): a code ends on CR, LF or a pause. A port that goes
away (the scanner unplugged: QSerialPort's ResourceError) is closed and looked for once a second
until it is back, then opened again. Nothing here touches the database: a code is handed on by
`codeRead`, and the window part sends it down the scan path.
"""

from __future__ import annotations

import os
import time
from typing import Literal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtSerialPort import QSerialPort, QSerialPortInfo

from checkin_app.scanning.framer import CodeFramer, Framed

State = Literal["off", "connected", "gone", "failed"]
POLL_MS = 1000
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


class ScannerSource(QObject):
    """A scanner read by the desk itself (not as keystrokes into the window).

    Signals:
        codeRead(str): a whole code arrived.
        problemFound(str): a framing problem: "too_long" or "not_text".
        stateChanged(str): "off", "connected", "gone" (absent; looked for again) or "failed"
            (present but cannot be used; `detail` says why, looked for again too).
    """

    codeRead = Signal(str)
    problemFound = Signal(str)
    stateChanged = Signal(str)
    kind = "serial"

    def __init__(self, parent: QObject | None = None, *, terminators: bytes = b"\r\n") -> None:
        super().__init__(parent)
        self.framer = CodeFramer(terminators=terminators)
        self.state: State = "off"
        self.detail = ""
        self.target = ""
        self.ever_connected = False
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.timeout.connect(self._on_pause)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._try_open)

    # -- what subclasses provide -----------------------------------------------------------
    def _present(self) -> bool:
        raise NotImplementedError

    def _open(self) -> bool:
        """Open the target; on failure set `detail` and return False."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------
    def _try_open(self) -> None:
        if not self.target:
            return
        if not self._present():
            self._set_state("gone")
            return
        if self._open():
            self._poll.stop()
            self.ever_connected = True
            self._set_state("connected")
        else:
            self._set_state("failed")

    def _lost(self, detail: str = "") -> None:
        """The device went away while open: close it and look for it again."""
        self._close()
        self.framer.reset()
        self._pause.stop()
        self.detail = detail
        self._set_state("gone")
        self._poll.start()

    def start_target(self, target: str) -> None:
        """Read from `target` from now on ("" stops)."""
        self.stop()
        self.target = target
        self.ever_connected = False
        if not target:
            return
        self._try_open()
        if self.state != "connected":
            self._poll.start()

    def stop(self) -> None:
        """Close the device and stop looking for it."""
        self._poll.stop()
        self._pause.stop()
        self._close()
        self.framer.reset()
        self.target = ""
        self._set_state("off")

    def _bytes(self, data: bytes) -> None:
        self._emit(self.framer.feed(data, time.monotonic()))
        deadline = self.framer.deadline
        if deadline is not None:
            self._pause.start(max(1, int((deadline - time.monotonic()) * 1000) + 1))
        else:
            self._pause.stop()

    def _on_pause(self) -> None:
        self._emit(self.framer.expire(time.monotonic()))
        deadline = self.framer.deadline
        if deadline is not None:  # woke a little early: wait for the rest of the pause
            self._pause.start(max(1, int((deadline - time.monotonic()) * 1000) + 1))

    def _emit(self, items: list[Framed]) -> None:
        for item in items:
            if item.problem:
                self.problemFound.emit(item.problem)
            else:
                self.codeRead.emit(item.code)

    def _set_state(self, state: State) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)


def port_present(name: str) -> bool:
    """Whether the port `name` (COM3, ttyACM0, or a path such as /dev/serial/by-id/…) is there."""
    # A path (or a bare Unix name under /dev) is a cheap look; the enumeration costs ~10-25 ms
    # of the GUI thread on Linux, once a second while the port is gone, so it is the last resort
    # (Windows' COM names, which have no path).
    if "/" in name or os.sep in name:
        return os.path.exists(name)
    if os.name == "posix" and os.path.exists(os.path.join("/dev", name)):
        return True
    return any(name in (info.portName(), info.systemLocation())
               for info in QSerialPortInfo.availablePorts())


def available_ports() -> list[tuple[str, str]]:
    """Ports to choose from: (name to store, description). On Linux the stable by-id path."""
    by_id: dict[str, str] = {}
    folder = "/dev/serial/by-id"
    if os.path.isdir(folder):
        for entry in sorted(os.listdir(folder)):
            path = os.path.join(folder, entry)
            by_id[os.path.realpath(path)] = path
    out = []
    for info in QSerialPortInfo.availablePorts():
        loc = info.systemLocation()
        what = " · ".join(x for x in (info.description(), info.manufacturer()) if x)
        name = by_id.get(os.path.realpath(loc), info.portName()) if loc.startswith("/") else \
            info.portName()
        out.append((name, f"{info.portName()} {what}".strip()))
    return out


class SerialScanner(ScannerSource):
    """A scanner on a serial port (USB-CDC), 8 data bits, no parity, one stop bit."""

    kind = "serial"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.baud = 9600
        self.port: QSerialPort | None = None

    def configure(self, port: str, baud: int) -> None:
        """Use `port` at `baud` ("" turns the serial scanner off); reopens only on a change."""
        if port == self.target and baud == self.baud and self.state != "off":
            return
        self.baud = baud
        self.start_target(port)

    def _present(self) -> bool:
        return port_present(self.target)

    def _open(self) -> bool:
        port = QSerialPort(self)
        port.setPortName(self.target)
        port.setBaudRate(self.baud)
        if not port.open(QSerialPort.OpenModeFlag.ReadOnly):
            self.detail = port.errorString()
            port.deleteLater()
            return False
        self.detail = ""
        port.readyRead.connect(self._on_ready_read)
        port.errorOccurred.connect(self._on_error)
        self.port = port
        return True

    def _close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            port.readyRead.disconnect(self._on_ready_read)
            port.errorOccurred.disconnect(self._on_error)
            port.close()
            port.deleteLater()

    def _on_ready_read(self) -> None:
        if self.port is not None:
            self._bytes(bytes(self.port.readAll().data()))

    def _on_error(self, error: QSerialPort.SerialPortError) -> None:
        # ResourceError is how every platform reports a port that went away (unplugged).
        if error == QSerialPort.SerialPortError.ResourceError and self.port is not None:
            self._lost(self.port.errorString())
