"""Bytes from a serial or input-device scanner in, whole codes out: ended by CR, LF or a pause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A scanner sends its code in one burst (USB-CDC: 64-byte packets well under a millisecond
# apart); this long a silence after the last byte ends a code sent with no terminator.
PAUSE_S = 0.1
# Signed tokens are ~128 characters, registration codes far fewer: anything longer is no code
# (a scanner in the wrong mode, line noise), and the buffer never holds more than this.
MAX_CODE_BYTES = 1024
TERMINATORS = b"\r\n"

Problem = Literal["", "too_long", "not_text"]


@dataclass(frozen=True, slots=True)
class Framed:
    """One framed piece: a code (problem "") or what was wrong with it (code "")."""

    code: str
    problem: Problem = ""


def _clean(raw: bytes) -> Framed | None:
    """The bytes of one frame as a code, or its problem; None for a frame with nothing in it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Framed("", "not_text")
    # Control characters (a scanner's STX/ETX framing, NUL padding, stray escapes) are what a
    # keyboard-wedge scan never types either; dropping them gives the same code as a wedge scan.
    code = "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()
    return Framed(code) if code else None


class CodeFramer:
    """Splits a scanner's byte stream into codes.

    `feed(data, now)` takes bytes as they arrive (any split) and returns the codes they end;
    `expire(now)` ends a code on a pause; `deadline` says when to call it. Times are seconds
    on any monotonic clock. Empty frames (the LF of a CRLF) are no code. A frame longer than
    `max_bytes` is dropped, reported once as "too_long", and never buffered past that size;
    bytes that are not UTF-8 are reported as "not_text".
    """

    def __init__(self, *, pause_s: float = PAUSE_S, max_bytes: int = MAX_CODE_BYTES,
                 terminators: bytes = TERMINATORS) -> None:
        self.pause_s = pause_s
        self.max_bytes = max_bytes
        self.terminators = frozenset(terminators)
        self._buf = bytearray()
        self._overlong = False
        self._last = 0.0

    @property
    def pending(self) -> int:
        """Bytes held for a code not yet ended (never more than max_bytes)."""
        return len(self._buf)

    @property
    def deadline(self) -> float | None:
        """When the pending bytes end as a code by pause (None when nothing is pending)."""
        if not self._buf and not self._overlong:
            return None
        return self._last + self.pause_s

    def feed(self, data: bytes, now: float) -> list[Framed]:
        """Take bytes received at `now`; returns the codes (and problems) they complete."""
        out: list[Framed] = []
        if self._buf or self._overlong:
            out.extend(self.expire(now))  # a pause before these bytes ended the previous code
        start = 0
        for i, byte in enumerate(data):
            if byte in self.terminators:
                self._take(data[start:i])
                out.extend(self._end())
                start = i + 1
        self._take(data[start:])
        if start < len(data):
            self._last = now
        return out

    def expire(self, now: float) -> list[Framed]:
        """End the pending code if the pause has passed by `now`."""
        deadline = self.deadline
        if deadline is None or now < deadline:
            return []
        return self._end()

    def reset(self) -> None:
        """Forget pending bytes (the port was closed)."""
        self._buf.clear()
        self._overlong = False

    def _take(self, chunk: bytes) -> None:
        if self._overlong or not chunk:
            return
        if len(self._buf) + len(chunk) > self.max_bytes:
            self._buf.clear()
            self._overlong = True
            return
        self._buf.extend(chunk)

    def _end(self) -> list[Framed]:
        if self._overlong:
            self._overlong = False
            self._buf.clear()
            return [Framed("", "too_long")]
        raw = bytes(self._buf)
        self._buf.clear()
        framed = _clean(raw)
        return [framed] if framed is not None else []
