"""A scanner's virtual COM port for tests: socat linking two pseudo-terminals."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

SOCAT = shutil.which("socat")


class PtyPair:
    """`socat` linking two pseudo-terminals: the desk's end `port`, the scanner's end `scanner`.

    `unplug()` kills socat (the desk's end then reads an I/O error, as when a USB-CDC scanner
    is pulled out); `plug()` again makes a new pair behind the same link paths.
    """

    def __init__(self, folder: Path) -> None:
        self.port = folder / "scanner-port"
        self.scanner = folder / "scanner-side"
        self.proc: subprocess.Popen[bytes] | None = None

    def plug(self) -> None:
        assert SOCAT is not None, "socat is needed (apt-get install socat)"
        self.proc = subprocess.Popen(
            [SOCAT, f"pty,raw,echo=0,link={self.port}", f"pty,raw,echo=0,link={self.scanner}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not (self.port.exists() and self.scanner.exists()):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.01)

    def unplug(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(5)
            self.proc = None

    def send(self, data: bytes) -> None:
        """Bytes as the scanner sends them."""
        fd = os.open(self.scanner, os.O_WRONLY | os.O_NOCTTY)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
