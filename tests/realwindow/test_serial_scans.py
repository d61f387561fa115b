"""A serial (USB-CDC) scanner at the real desk window: codes from a pty reach the verdict with the
input method on, and the port is found again after the scanner is unplugged and plugged back.

The desk is the real process under Xvfb (tests/realwindow/README.md); socat's pty pair is the
scanner's virtual COM port (tests/scanning/pty.py). Nothing is typed: the serial bytes never pass
through X or the input method, which is the point of a serial scanner.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tests.realwindow.conftest import DeskFactory
from tests.realwindow.desk import Desk, Person, Template, desk_db, write_settings
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import poll
from tests.scanning.pty import PtyPair

pytestmark = pytest.mark.realwindow


def serial_recorded(desk: Desk, pty: PtyPair, data: bytes, person: Person) -> None:
    """Send `data` down the serial line: exactly one check-in of `person` at MAIN follows."""
    before = desk.last_checkin_id()
    pty.send(data)
    rows = poll(lambda: desk.checkins_after(before), 10, what=f"a check-in of {person.code}")
    assert [(r.delegate_id, r.activity, r.direction) for r in rows] == [(person.id, "MAIN", "in")]
    # The row is written before the window shows it: the painted verdict follows.
    verdicts = poll(lambda: [e for e in desk.trace() if e["ev"] == "verdict"
                             and e.get("delegate_id") == person.id], 5, what="the verdict shown")
    assert verdicts[-1]["verdict"] == "ADMIT"


def has_open(desk: Desk, port: Path) -> bool:
    """Whether the desk process holds the pseudo-terminal behind `port` open now."""
    assert desk.proc is not None
    target = os.path.realpath(port)
    fds = Path(f"/proc/{desk.proc.pid}/fd")
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == target:
                return True
    return False


def test_serial_codes_scan_through_unplug_and_replug(
        new_desk: DeskFactory, template: Template, ime: InputMethod, tmp_path: Path) -> None:
    pty = PtyPair(tmp_path)
    pty.plug()
    try:
        name = f"RW serial {ime.name}"
        db = desk_db(template, tmp_path, name)
        write_settings(db, serial_port=str(pty.port), serial_baud="9600")
        desk = new_desk(name, db=db)
        people = template.people
        poll(lambda: has_open(desk, pty.port), 10, what="the desk to open the serial port")
        # A registration code ended by CR, a 128-character signed token by CRLF.
        serial_recorded(desk, pty, people[0].code.encode() + b"\r", people[0])
        serial_recorded(desk, pty, people[1].token.encode() + b"\r\n", people[1])
        pty.unplug()
        poll(lambda: not has_open(desk, pty.port), 10, what="the desk to close the lost port")
        desk.snapshot(tmp_path / "serial-unplugged.png")
        pty.plug()
        # Looked for once a second: the desk opens the new pty behind the same path, and reads.
        poll(lambda: has_open(desk, pty.port), 10, what="the desk to open the port again")
        serial_recorded(desk, pty, people[2].code.encode() + b"\n", people[2])
        desk.snapshot(tmp_path / "serial-back.png")
        assert desk.alive()
    finally:
        pty.unplug()
