"""A Linux input device (evdev) read directly: input_event structs, a US keymap, and the grab.

A USB scanner in keyboard mode is an input device /dev/input/eventN. Opened and grabbed
(EVIOCGRAB), its keys reach only this reader: not the X server or Wayland compositor, so no
input method ever sees them, and not the focused widget either (no double scan). python-evdev
would do this too, but it is a C extension built from source against the kernel headers at
install time (no wheel); the three things needed here (the struct, one ioctl, a keymap) are
small enough to keep in the project.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# struct input_event: struct timeval (two longs), __u16 type, __u16 code, __s32 value.
EVENT = struct.Struct("@llHHi")
EV_KEY = 0x01
# _IOW('E', 0x90, int): grab (1) or release (0) the device for this file descriptor only.
EVIOCGRAB = 0x40044590

Problem = Literal["denied", "gone", "busy", "not_input", "error"]

# Key codes (linux/input-event-codes.h) to characters as a scanner set to the US layout types
# them: (unshifted, shifted).
_ROWS = {
    2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(", 11: "0)",
    12: "-_", 13: "=+", 16: "qQ", 17: "wW", 18: "eE", 19: "rR", 20: "tT", 21: "yY", 22: "uU",
    23: "iI", 24: "oO", 25: "pP", 26: "[{", 27: "]}", 30: "aA", 31: "sS", 32: "dD", 33: "fF",
    34: "gG", 35: "hH", 36: "jJ", 37: "kK", 38: "lL", 39: ";:", 40: "'\"", 41: "`~", 43: "\\|",
    44: "zZ", 45: "xX", 46: "cC", 47: "vV", 48: "bB", 49: "nN", 50: "mM", 51: ",<", 52: ".>",
    53: "/?", 57: "  ",
    # The keypad (scanners set to send digits from it).
    71: "77", 72: "88", 73: "99", 74: "--", 75: "44", 76: "55", 77: "66", 78: "++", 79: "11",
    80: "22", 81: "33", 82: "00", 83: "..", 55: "**", 98: "//",
}
KEYMAP: dict[int, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _ROWS.items()}
ENTER_KEYS = {28: "\r", 96: "\r", 15: "\t"}  # Enter, keypad Enter, Tab: each ends a code
SHIFT_KEYS = {42, 54}
CAPSLOCK = 58


@dataclass
class KeyDecoder:
    """Turns raw input_event bytes (read in any pieces) into the text the keys type.

    Only key presses and autorepeats type; Shift is held state, Caps Lock toggles letters.
    Keys with no character here (Ctrl, Alt, function keys) type nothing.
    """

    shift: set[int] = field(default_factory=set)
    caps: bool = False
    _rest: bytes = b""

    def feed(self, data: bytes) -> str:
        """The characters typed by the whole events in `data` (a partial event waits)."""
        data = self._rest + data
        whole = len(data) - len(data) % EVENT.size
        self._rest = data[whole:]
        out: list[str] = []
        for _sec, _usec, etype, code, value in EVENT.iter_unpack(data[:whole]):
            if etype == EV_KEY:
                out.append(self.key(code, value))
        return "".join(out)

    def key(self, code: int, value: int) -> str:
        """One key event (value 1 press, 0 release, 2 autorepeat): what it types."""
        if code in SHIFT_KEYS:
            if value:
                self.shift.add(code)
            else:
                self.shift.discard(code)
            return ""
        if value == 0:
            return ""
        if code == CAPSLOCK:
            if value == 1:
                self.caps = not self.caps
            return ""
        if code in ENTER_KEYS:
            return ENTER_KEYS[code]
        pair = KEYMAP.get(code)
        if pair is None:
            return ""
        low, high = pair
        upper = bool(self.shift)
        if low.isalpha() and self.caps:
            upper = not upper
        return high if upper else low

    def reset(self) -> None:
        """Forget held keys and partial events (the device was closed)."""
        self.shift.clear()
        self._rest = b""


def event_bytes(code: int, value: int, etype: int = EV_KEY) -> bytes:
    """One input_event as the kernel writes it (for recorded events and tests)."""
    return EVENT.pack(0, 0, etype, code, value)


class DeviceProblem(Exception):
    """The device cannot be read here: `code` says why (denied, gone, busy, not_input, error)."""

    def __init__(self, code: Problem, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code: Problem = code
        self.detail = detail


def problem_of(exc: OSError) -> Problem:
    """What an error opening or grabbing a device means for the volunteer."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "denied"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return "gone"
    if exc.errno == errno.EBUSY:
        return "busy"
    if exc.errno in (errno.ENOTTY, errno.EINVAL):
        return "not_input"
    return "error"


def open_device(path: str, *, grab: bool = True) -> int:
    """Open `path` for non-blocking reads and grab it; raises DeviceProblem.

    Without the grab the scanner's keys would reach the focused window as well and be scanned
    twice, so a device that cannot be grabbed (another program holds it, or it is no input
    device) is not read at all: the scanner then works as a keyboard wedge.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise DeviceProblem(problem_of(exc), str(exc)) from exc
    if grab:
        try:
            fcntl.ioctl(fd, EVIOCGRAB, 1)
        except OSError as exc:
            os.close(fd)
            raise DeviceProblem(problem_of(exc), str(exc)) from exc
    return fd


def list_devices(root: str = "/dev/input") -> list[tuple[str, str]]:
    """Keyboard-like input devices: (path, name), stable /dev/input/by-id paths first."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    by_id = Path(root) / "by-id"
    if by_id.is_dir():
        for link in sorted(by_id.glob("*-event-kbd")):
            target = os.path.realpath(link)
            seen.add(target)
            out.append((str(link), f"{link.name} ({Path(target).name})"))
    for node in sorted(Path(root).glob("event*"), key=lambda p: (len(p.name), p.name)):
        if str(node) in seen:
            continue
        name_file = Path("/sys/class/input") / node.name / "device" / "name"
        try:
            name = name_file.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            name = ""
        out.append((str(node), f"{name or node.name} ({node.name})"))
    return out
