"""A scanner read as its own Linux input device (evdev), grabbed so no input method sees its keys.

Where the device cannot be opened or grabbed (no permission, another program holds it, not
Linux) nothing is read and the scanner goes on typing into the window as a keyboard wedge; the
status bar says which. Unplugged, the device is looked for again once a second.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QObject, QSocketNotifier

from checkin_app.scanning.evdev import EVENT, DeviceProblem, KeyDecoder, open_device
from checkin_app.ui.serial_scanner import ScannerSource


class HidScanner(ScannerSource):
    """Keys of one input device, decoded with a US keymap; Enter, Tab or a pause ends a code.

    `grab` is off only in tests that feed recorded events through a FIFO (which cannot be
    grabbed); the desk always grabs, or does not read.
    """

    kind = "hid"

    def __init__(self, parent: QObject | None = None, *, grab: bool = True) -> None:
        super().__init__(parent, terminators=b"\r\n\t")
        self.grab = grab
        self.decoder = KeyDecoder()
        self.problem = ""  # the DeviceProblem code of the last failure
        self._fd = -1
        self._notifier: QSocketNotifier | None = None

    def configure(self, device: str) -> None:
        """Read `device` (a /dev/input path; "" turns it off); reopens only on a change."""
        if device == self.target and self.state != "off":
            return
        self.start_target(device)

    def _present(self) -> bool:
        return os.path.exists(self.target)

    def _open(self) -> bool:
        if not sys.platform.startswith("linux"):
            self.problem, self.detail = "error", "evdev: Linux only"
            return False
        try:
            fd = open_device(self.target, grab=self.grab)
        except DeviceProblem as exc:
            self.problem, self.detail = exc.code, exc.detail
            return False
        self.problem = self.detail = ""
        self._fd = fd
        notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        notifier.activated.connect(self._on_readable)
        self._notifier = notifier
        return True

    def _close(self) -> None:
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            notifier.setEnabled(False)
            notifier.deleteLater()
        if self._fd >= 0:
            os.close(self._fd)  # closing releases the grab
            self._fd = -1
        self.decoder.reset()

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, EVENT.size * 64)
        except BlockingIOError:
            return
        except OSError as exc:  # ENODEV: unplugged
            self._lost(str(exc))
            return
        if not data:  # the writer of a FIFO went (tests); a device never reads empty
            self._lost("")
            return
        text = self.decoder.feed(data)
        if text:
            self._bytes(text.encode("utf-8"))
