"""Serial (USB-CDC) and input-device scanners at the desk window, through real pseudo-terminals.

A socat pty pair stands in for the scanner's virtual COM port: the desk opens one end with
QSerialPort, the test writes the scanner's bytes into the other. Killing socat is unplugging
the scanner (the desk's port gets an I/O error); a new socat with the same link path is
plugging it back. The input-device scanner reads recorded key events through a FIFO (this
machine has no /dev/input and no uinput).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import Verdict
from checkin_app.scanning.evdev import event_bytes
from checkin_app.services.catalog import CatalogService
from checkin_app.services.pins import PinService
from checkin_app.storage import models as m
from checkin_app.ui.pin_dialog import PinDialog
from checkin_app.ui.scanners import ScannerDesk, ScannerSettingsDialog
from tests.scanning.pty import PtyPair
from tests.scanning.test_evdev import typed
from tests.ui.conftest import DESK, Demo, Desk


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyPair]:
    pair = PtyPair(tmp_path)
    pair.plug()
    yield pair
    pair.unplug()


@pytest.fixture
def serial_desk(make_desk: Callable[..., Desk], configured: Demo, pty: PtyPair) -> Desk:
    """A desk whose settings name the pty as its serial scanner's port."""
    CatalogService(configured.db).save_settings(serial_port=str(pty.port), serial_baud="115200")
    desk = make_desk()
    desk.qtbot.waitUntil(lambda: scanners(desk).serial.state == "connected", timeout=5000)
    return desk


def scanners(desk: Desk) -> ScannerDesk:
    return desk.window.scanners


def serial_scan(desk: Desk, pty: PtyPair, data: bytes) -> ScanResult:
    with desk.qtbot.waitSignal(desk.window.controller.scanFinished, timeout=5000) as blocker:
        pty.send(data)
    result = blocker.args[0]
    assert isinstance(result, ScanResult)
    return result


def status_texts(desk: Desk) -> str:
    bar = desk.window.statusBar()
    label = bar.findChild(object, "serialScannerStatus")
    return f"{desk.window.status_error.text()} | {label.text() if label else ''}"


def test_a_serial_code_gets_the_verdict_and_record_a_typed_code_gets(
        serial_desk: Desk, pty: PtyPair) -> None:
    d = serial_desk
    # Refusals do not change with a repeat: the serial scan and the typed one must agree.
    for label in ("cancelled",):
        code = d.samples[label]
        by_serial = serial_scan(d, pty, code.encode() + b"\r")
        typed_in = d.scan(code)
        assert by_serial.verdict == typed_in.verdict == Verdict.CANCELLED
        assert by_serial.message_en == typed_in.message_en
    unknown_serial = serial_scan(d, pty, b"GARBAGE-000001\n")
    assert unknown_serial.verdict == d.scan("GARBAGE-000001").verdict
    # An admission: recorded at this desk for the same delegate, as a typed scan is; the typed
    # repeat then finds them already in.
    code = d.samples["attendee"]
    first = serial_scan(d, pty, code.encode() + b"\r\n")
    assert first.verdict is Verdict.ADMIT and first.event is not None
    assert first.delegate is not None and first.delegate.registration_code == code
    with d.db.read() as s:
        row = s.scalar(select(m.CheckIn).where(m.CheckIn.uuid == first.event.uuid))
        assert row is not None and row.desk == DESK and row.direction == "in"
    assert d.scan(code).verdict is Verdict.ALREADY_IN
    d.qtbot.waitUntil(lambda: d.window.result.isVisible())


def test_a_code_with_no_terminator_ends_on_the_pause_and_pieces_join(
        serial_desk: Desk, pty: PtyPair) -> None:
    d = serial_desk
    code = d.samples["VIP"]
    with d.qtbot.waitSignal(d.window.controller.scanFinished, timeout=5000) as blocker:
        pty.send(code[:3].encode())
        time.sleep(0.02)  # well inside the pause: the same code
        pty.send(code[3:].encode())
    assert blocker.args[0].delegate.registration_code == code


def test_garbage_says_so_and_the_next_code_still_scans(serial_desk: Desk, pty: PtyPair) -> None:
    d = serial_desk
    pty.send(b"\xff\xfe\xfd\r")
    d.qtbot.waitUntil(lambda: "not text" in d.window.status_error.toolTip(), timeout=5000)
    pty.send(b"A" * 5000)
    d.qtbot.waitUntil(lambda: "more than any code" in d.window.status_error.toolTip(),
                      timeout=5000)
    assert serial_scan(d, pty, b"\r" + d.samples["attendee"].encode() + b"\r").admitted


def test_unplugged_the_status_bar_says_so_and_plugged_back_it_reads_again(
        serial_desk: Desk, pty: PtyPair) -> None:
    d = serial_desk
    w = d.window
    label = w.statusBar().findChild(object, "serialScannerStatus")
    assert label is not None and label.isVisible() and label.text() == "扫码枪（串口）已连接"
    pty.unplug()
    d.qtbot.waitUntil(lambda: scanners(d).serial.state == "gone", timeout=5000)
    assert label.text() == "扫码枪（串口）已断开"
    assert "Serial scanner disconnected" in w.status_error.toolTip()
    w.set_language("en", save=False)  # LanguageChange is posted: the label follows it
    d.qtbot.waitUntil(lambda: label.text() == "Serial scanner disconnected", timeout=2000)
    # Scanning by keyboard goes on while the serial scanner is away.
    assert d.scan(d.samples["cancelled"]).verdict is Verdict.CANCELLED
    pty.plug()  # the same link path, as a scanner plugged back in gets the same port
    d.qtbot.waitUntil(lambda: scanners(d).serial.state == "connected", timeout=5000)
    assert label.text() == "Serial scanner connected"
    assert "Serial scanner connected" in w.status_error.toolTip()
    assert serial_scan(d, pty, d.samples["attendee"].encode() + b"\r").admitted


def test_a_port_absent_at_start_is_found_when_it_appears(
        make_desk: Callable[..., Desk], configured: Demo, tmp_path: Path) -> None:
    pair = PtyPair(tmp_path / "later")
    (tmp_path / "later").mkdir()
    CatalogService(configured.db).save_settings(serial_port=str(pair.port))
    d = make_desk()
    assert scanners(d).serial.state == "gone"
    assert "Serial scanner disconnected" in d.window.status_error.toolTip()
    pair.plug()
    try:
        d.qtbot.waitUntil(lambda: scanners(d).serial.state == "connected", timeout=5000)
        assert serial_scan(d, pair, d.samples["attendee"].encode() + b"\r").admitted
    finally:
        pair.unplug()


def test_no_serial_port_chosen_shows_nothing(desk: Desk) -> None:
    s = scanners(desk)
    assert s.serial.state == "off" and s.hid.state == "off"
    assert not any(label.isVisible() for label in s.labels)


def test_the_manager_chooses_the_port_and_it_is_audited(desk: Desk, pty: PtyPair) -> None:
    w = desk.window
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk=DESK, operator="setup")
    with desk.qtbot.waitSignal(scanners(desk).dialogOpened, timeout=5000) as opened:
        scanners(desk).action.trigger()
        desk.qtbot.waitUntil(lambda: isinstance(w.manager.dialog, PinDialog), timeout=5000)
        pin = w.manager.dialog
        assert isinstance(pin, PinDialog)
        desk.qtbot.keyClicks(pin.pin, "2468")
        pin.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    dlg = opened.args[0]
    assert isinstance(dlg, ScannerSettingsDialog)
    dlg.port.setEditText(str(pty.port))  # a path the port list does not show
    dlg.baud.setCurrentIndex(dlg.baud.findData("19200"))
    with desk.qtbot.waitSignal(scanners(desk).settingsApplied, timeout=5000):
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    desk.qtbot.waitUntil(lambda: scanners(desk).serial.state == "connected", timeout=5000)
    assert scanners(desk).serial.baud == 19200
    settings = CatalogService(desk.db).settings()
    assert (settings.serial_port, settings.serial_baud) == (str(pty.port), "19200")
    with desk.db.read() as s:
        entry = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "settings" and entry.operator == "Li Lei"
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field)
    assert serial_scan(desk, pty, desk.samples["attendee"].encode() + b"\r").admitted


def test_recorded_key_events_from_an_input_device_scan(
        make_desk: Callable[..., Desk], configured: Demo, tmp_path: Path) -> None:
    fifo = tmp_path / "event-scanner"
    os.mkfifo(fifo)
    CatalogService(configured.db).save_settings(scanner_device=str(fifo))
    d = make_desk()
    hid = scanners(d).hid
    # The desk grabs or does not read: a FIFO is no input device, so the scanner stays a wedge.
    d.qtbot.waitUntil(lambda: hid.state == "failed", timeout=5000)
    label = d.window.statusBar().findChild(object, "hidScannerStatus")
    assert label is not None and label.text() == "扫码枪按键盘方式输入"
    assert "not an input device" in label.toolTip() and "as a keyboard" in label.toolTip()
    assert d.scan(d.samples["cancelled"]).verdict is Verdict.CANCELLED
    # Without the grab (tests only) the same events are read and scanned.
    hid.stop()
    hid.grab = False
    hid.configure(str(fifo))
    assert hid.state == "connected"
    code = d.samples["attendee"]
    fd = os.open(fifo, os.O_WRONLY)
    try:
        with d.qtbot.waitSignal(d.window.controller.scanFinished, timeout=5000) as blocker:
            os.write(fd, typed(code + "\r"))
        assert blocker.args[0].delegate.registration_code == code
        with d.qtbot.waitSignal(d.window.controller.scanFinished, timeout=5000) as blocker:
            os.write(fd, typed(d.samples["VIP"]) + event_bytes(15, 1))  # Tab ends it
        assert blocker.args[0].delegate.registration_code == d.samples["VIP"]
    finally:
        os.close(fd)
    # The writer gone and the node removed: unplugged, said so, found again when it is back.
    d.qtbot.waitUntil(lambda: hid.state == "gone", timeout=5000)
    fifo.unlink()
    assert label.text() == "扫码枪（独立输入设备）已断开"
    os.mkfifo(fifo)
    d.qtbot.waitUntil(lambda: hid.state == "connected", timeout=5000)
