"""The evdev reader without the hardware: recorded key events, the US keymap, open/grab errors.

This machine has no /dev/input and no /dev/uinput (its kernel has no uinput), so a virtual
device is out of reach; recorded events go through a real pipe and a real FIFO instead.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from checkin_app.scanning.evdev import (
    EVENT,
    DeviceProblem,
    KeyDecoder,
    event_bytes,
    open_device,
    problem_of,
)

# Key codes (linux/input-event-codes.h)
SHIFT, ENTER, CAPS, KP1, KPENTER = 42, 28, 58, 79, 96
LETTERS = {ch: code for ch, code in zip("qwertyuiop", range(16, 26), strict=True)}
LETTERS |= {ch: code for ch, code in zip("asdfghjkl", range(30, 39), strict=True)}
LETTERS |= {ch: code for ch, code in zip("zxcvbnm", range(44, 51), strict=True)}
DIGITS = {ch: code for ch, code in zip("1234567890", range(2, 12), strict=True)}
MINUS = 12


def typed(text: str) -> bytes:
    """The events a US-layout scanner sends for `text`: Shift around capitals, SYN after keys."""
    out = b""
    for ch in text:
        if ch == "\r":
            code, shifted = ENTER, False
        elif ch == "-":
            code, shifted = MINUS, False
        elif ch.isdigit():
            code, shifted = DIGITS[ch], False
        else:
            code, shifted = LETTERS[ch.lower()], ch.isupper()
        if shifted:
            out += event_bytes(SHIFT, 1)
        out += event_bytes(4, 0x70004, etype=4)  # EV_MSC scan code, as real keyboards send
        out += event_bytes(code, 1) + event_bytes(0, 0, etype=0)
        out += event_bytes(code, 0) + event_bytes(0, 0, etype=0)
        if shifted:
            out += event_bytes(SHIFT, 0)
    return out


def test_a_recorded_scan_decodes_to_its_text() -> None:
    assert KeyDecoder().feed(typed("CQ24-zhangWEI\r")) == "CQ24-zhangWEI\r"


def test_events_split_anywhere_decode_the_same() -> None:
    data = typed("CK-MFRGGZDFMZTWQ2LK\r")
    dec = KeyDecoder()
    got = "".join(dec.feed(data[i:i + 7]) for i in range(0, len(data), 7))
    assert got == "CK-MFRGGZDFMZTWQ2LK\r"


def test_caps_lock_keypad_autorepeat_and_unknown_keys() -> None:
    dec = KeyDecoder()
    caps = event_bytes(CAPS, 1) + event_bytes(CAPS, 0)
    data = (caps + event_bytes(LETTERS["a"], 1) + event_bytes(LETTERS["a"], 0)
            + event_bytes(SHIFT, 1) + event_bytes(LETTERS["b"], 1) + event_bytes(SHIFT, 0)
            + caps + event_bytes(KP1, 1) + event_bytes(KP1, 2) + event_bytes(KP1, 0)
            + event_bytes(59, 1)  # F1: types nothing
            + event_bytes(KPENTER, 1))
    assert dec.feed(data) == "Ab11\r"


def test_events_through_a_real_pipe(tmp_path: Path) -> None:
    r, w = os.pipe()
    try:
        os.write(w, typed("CQ24-ABC\r"))
        dec = KeyDecoder()
        got = ""
        while len(got) < 9:
            got += dec.feed(os.read(r, EVENT.size * 5))
        assert got == "CQ24-ABC\r"
    finally:
        os.close(r)
        os.close(w)


def test_a_device_that_cannot_be_grabbed_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "not-an-input-device"
    os.mkfifo(fifo)
    with pytest.raises(DeviceProblem) as info:
        open_device(str(fifo), grab=True)
    assert info.value.code == "not_input"
    fd = open_device(str(fifo), grab=False)  # what the tests read recorded events through
    os.close(fd)
    with pytest.raises(DeviceProblem) as gone:
        open_device(str(tmp_path / "event99"))
    assert gone.value.code == "gone"


@pytest.mark.parametrize(("err", "code"), [(errno.EACCES, "denied"), (errno.EPERM, "denied"),
                                           (errno.ENODEV, "gone"), (errno.EBUSY, "busy"),
                                           (errno.ENOTTY, "not_input"), (errno.EIO, "error")])
def test_errors_mean_what_the_volunteer_is_told(err: int, code: str) -> None:
    assert problem_of(OSError(err, os.strerror(err))) == code
