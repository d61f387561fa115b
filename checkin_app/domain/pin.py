"""Manager PINs: salted scrypt hashes, the lock-out policy, and the idle-timed manager session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from checkin_app.domain.clock import Clock
from checkin_app.domain.messages import Message, msg

MAX_TRIES = 5
# First lock-out 30 s, then 60 s, 120 s, ... up to an hour: guessing 4 digits takes days.
FIRST_LOCK_S = 30
MAX_LOCK_S = 3600
SESSION_IDLE_S = 300
PIN_MIN, PIN_MAX = 4, 12
# scrypt cost: about 40 ms and 16 MiB per check on a desk laptop, so guessing offline from a
# stolen database costs the same per try as everybody else pays once per manager login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 14, 8, 1


def pin_problem(pin: str) -> Message | None:
    """Why a new PIN is unacceptable, or None."""
    if not pin.isascii() or not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
        return msg("pin.digits", low=PIN_MIN, high=PIN_MAX)
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        return msg("pin.too_easy")
    return None


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """'scrypt$n$r$p$salt$hash' with a fresh 16-byte salt; the PIN itself is never stored."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32,
                            maxmem=64 * 1024 * 1024)
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Constant-time comparison of a typed PIN with a stored hash; False for a damaged hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=32, maxmem=64 * 1024 * 1024)
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


@dataclass(frozen=True, slots=True)
class LockState:
    """Wrong tries since the last success; how often the desk was locked; until when."""

    failures: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        """Whether PIN entry is refused right now."""
        return self.locked_until is not None and now < self.locked_until

    def tries_left(self) -> int:
        """Wrong tries allowed before the next lock-out."""
        return MAX_TRIES - self.failures


def lock_seconds(lockouts: int) -> int:
    """Length of the n-th lock-out in a row (1-based): doubling from FIRST_LOCK_S."""
    return int(min(MAX_LOCK_S, FIRST_LOCK_S << max(0, lockouts - 1)))


def after_failure(state: LockState, now: datetime) -> LockState:
    """The state after a wrong PIN; the fifth in a row locks, each lock longer than the last."""
    failures = state.failures + 1
    if failures < MAX_TRIES:
        return LockState(failures, state.lockouts, state.locked_until)
    lockouts = state.lockouts + 1
    return LockState(0, lockouts, now + timedelta(seconds=lock_seconds(lockouts)))


def after_success() -> LockState:
    """A right PIN clears the count and the growing delay."""
    return LockState()


class ManagerSession:
    """Who is acting as manager at this desk, until SESSION_IDLE_S pass without a manager action."""

    def __init__(self, clock: Clock, idle_s: float = SESSION_IDLE_S) -> None:
        self.clock = clock
        self.idle = timedelta(seconds=idle_s)
        self.manager = ""
        self._last: datetime | None = None

    def start(self, manager: str) -> None:
        """A manager has just typed the right PIN."""
        self.manager = manager
        self._last = self.clock.now()

    def active(self) -> bool:
        """Whether a manager action may run without asking for the PIN again."""
        if self._last is None:
            return False
        if self.clock.now() - self._last >= self.idle:
            self.end()
            return False
        return True

    def touch(self) -> None:
        """A manager action ran: the idle time starts again."""
        if self.active():
            self._last = self.clock.now()

    def remaining_s(self) -> int:
        """Seconds until the session ends by itself (0 when not active)."""
        if not self.active() or self._last is None:
            return 0
        return max(0, int((self._last + self.idle - self.clock.now()).total_seconds()))

    def end(self) -> None:
        """Back to volunteer mode."""
        self.manager = ""
        self._last = None
