"""Manager PINs of this desk: set, check with a persisted lock-out, every change audited.

The first PIN is set with `checkin-app pin set` when the desk is prepared, or at the desk on the
first manager action (the desk offers it while no manager exists). From then on, adding or
changing a PIN needs a manager: the CLI asks for an existing PIN, the desk for a manager session.

What protects a PIN (issue 15):
- The lock-out runs on the real clock (UTC from the system, and within one process also the
  monotonic clock), never on the desk's rehearsal clock: `--clock` moves scan times, audit times
  and sessions, not the end of a lock-out.
- Guesses are serialised: each try is counted as wrong in the database (one write transaction,
  SQLite's writer lock, across processes) *before* its hash is computed, and cleared if it was
  right; twenty guesses in parallel therefore still meet the lock after five.
- A 4-digit PIN has 10,000 values, which no hash cost makes safe from offline guessing on its
  own (scrypt at 16 MiB and ~40 ms: about seven minutes on one core). So the PIN is bound to a
  secret that the database does not hold: HMAC-SHA256 with a 32-byte key in a file beside the
  database (`<db>.pin-key`, 0600), then scrypt. A copy of the database alone (a backup, a file
  sent for support) gives nothing to guess against. Without that file (the database moved
  without it) PINs cannot be checked, and the desk says so: copy the file along, or set the
  PINs again. Older hashes (plain scrypt) still check and are re-bound at the next right PIN.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from checkin_app.domain import pin as policy
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.messages import DeskError, Message, msg, pair
from checkin_app.services import audit
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database

PIN_KEY_SUFFIX = ".pin-key"
BOUND = "hmac1$"  # a stored hash bound to the PIN key file
# Per process and database: a lock-out's end on the monotonic clock, which nobody can set.
_MONO_LOCKS: dict[str, float] = {}
_MONO_GUARD = threading.Lock()


class PinError(DeskError):
    """A PIN that cannot be set or a manager that does not exist; carries a catalogue Message."""


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The answer to a typed PIN: which manager, or why not (locked until, tries left)."""

    ok: bool
    manager: str = ""
    locked_until: datetime | None = None
    tries_left: int = policy.MAX_TRIES
    message_zh: str = ""
    message_en: str = ""
    reason: Message | None = None  # why not, as a catalogue code (message_zh/_en are its words)

    @property
    def message(self) -> str:
        """Both languages, Chinese first."""
        return f"{self.message_zh}\n{self.message_en}" if self.message_zh else ""


def _state(row: sec.PinLockout | None) -> policy.LockState:
    if row is None:
        return policy.LockState()
    return policy.LockState(row.failures, row.lockouts, row.locked_until)


def _refused(reason: Message, *, locked_until: datetime | None = None,
             tries_left: int = policy.MAX_TRIES) -> PinCheck:
    zh, en = pair(reason)
    return PinCheck(False, locked_until=locked_until, tries_left=tries_left, message_zh=zh,
                    message_en=en, reason=reason)


def _locked(until: datetime, now: datetime) -> PinCheck:
    secs = max(1, int((until - now).total_seconds() + 0.999))
    return _refused(msg("pin.locked", secs=secs), locked_until=until, tries_left=0)


class PinService:
    """Manager PINs and the desk's wrong-PIN counter."""

    def __init__(self, db: Database, clock: Clock | None = None, *,
                 lock_clock: Clock | None = None) -> None:
        """`clock` dates audit entries (a rehearsal clock may set it); `lock_clock` (tests only)
        replaces the real clock the lock-out runs on."""
        self.db = db
        self.clock = clock or SystemClock()
        self.lock_clock = lock_clock or SystemClock()
        self._monotonic = lock_clock is None

    # -- the PIN key (a secret the database does not hold) ------------------------------------
    @property
    def key_path(self) -> Path:
        """The PIN key file beside the database."""
        p = Path(self.db.path)
        return p.with_name(p.name + PIN_KEY_SUFFIX)

    def _key(self, *, create: bool) -> bytes | None:
        path = self.key_path
        try:
            data = path.read_bytes()
            if len(data) == 32:
                return data
            if not create:
                return None
        except FileNotFoundError:
            if not create:
                return None
        key = secrets.token_bytes(32)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        data = path.read_bytes()
        return data if len(data) == 32 else None

    @staticmethod
    def _bind(key: bytes, pin: str) -> str:
        return hmac.new(key, pin.encode(), hashlib.sha256).hexdigest()

    def _hash(self, pin: str) -> str:
        key = self._key(create=True)
        assert key is not None
        return BOUND + policy.hash_pin(self._bind(key, pin))

    def _matches(self, pin: str, stored: str, key: bytes | None) -> bool:
        if stored.startswith(BOUND):
            return key is not None and policy.pin_matches(self._bind(key, pin), stored[len(BOUND):])
        return policy.pin_matches(pin, stored)

    # -- the real clock of the lock-out --------------------------------------------------------
    def _mono_locked(self) -> float:
        """Seconds the in-process monotonic guard still holds the lock (0: not locked)."""
        if not self._monotonic:
            return 0.0
        with _MONO_GUARD:
            left = _MONO_LOCKS.get(str(self.db.path), 0.0) - time.monotonic()
        return max(0.0, left)

    def _mono_lock(self, seconds: float) -> None:
        if self._monotonic:
            with _MONO_GUARD:
                _MONO_LOCKS[str(self.db.path)] = time.monotonic() + seconds

    def managers(self) -> list[str]:
        """Names of the managers of this desk."""
        with self.db.read() as s:
            return list(s.scalars(select(sec.ManagerPin.name).order_by(sec.ManagerPin.id)))

    def has_managers(self) -> bool:
        """Whether any PIN is set (until then the desk offers to set the first one)."""
        with self.db.read() as s:
            return bool(s.scalar(select(func.count()).select_from(sec.ManagerPin)))

    def set_pin(self, name: str, pin: str, *, desk: str, operator: str,
                first_only: bool = False) -> None:
        """Create a manager or change their PIN (hashed with a fresh salt; the PIN is not kept).

        `first_only` refuses when a manager already exists (the desk's first-PIN form uses it,
        so it can never be used to add a PIN without the PIN).
        """
        name = name.strip()
        if not name or len(name) > 100:
            raise PinError(msg("pin.name_needed"))
        problem = policy.pin_problem(pin)
        if problem is not None:
            raise PinError(problem)
        hashed = self._hash(pin)  # slow on purpose; outside the write lock
        now = self.clock.now()
        with self.db.write() as s:
            if first_only and s.scalar(select(func.count()).select_from(sec.ManagerPin)):
                raise PinError(msg("pin.exists"))
            row = s.scalar(select(sec.ManagerPin).where(sec.ManagerPin.name == name))
            action = "pin_changed" if row is not None else "pin_set"
            if row is None:
                s.add(sec.ManagerPin(name=name, pin_hash=hashed, created_at=now, updated_at=now))
            else:
                row.pin_hash, row.updated_at = hashed, now
            audit.record(s, at=now, desk=desk, operator=operator, action=action, subject=name,
                         after={"manager": name})

    def remove(self, name: str, *, desk: str, operator: str) -> None:
        """Remove a manager (the last one cannot be removed: the desk would be open to anyone)."""
        now = self.clock.now()
        with self.db.write() as s:
            names = list(s.scalars(select(sec.ManagerPin.name)))
            if name not in names:
                raise PinError(msg("pin.no_manager", name=name))
            if len(names) == 1:
                raise PinError(msg("pin.last_manager"))
            s.execute(delete(sec.ManagerPin).where(sec.ManagerPin.name == name))
            audit.record(s, at=now, desk=desk, operator=operator, action="pin_removed",
                         subject=name, before={"manager": name})

    def lock_state(self) -> policy.LockState:
        """The wrong-PIN counter as stored."""
        with self.db.read() as s:
            return _state(s.get(sec.PinLockout, 1))

    def verify(self, pin: str, *, desk: str) -> PinCheck:
        """Check a typed PIN against every manager; counts wrong tries and locks after five.

        The try is counted as wrong before its hash is computed (and cleared when right), so
        parallel guesses cannot all slip in before the lock; the lock runs on the real clock.
        """
        now = self.lock_clock.now()
        with self.db.write() as s:
            row = s.get(sec.PinLockout, 1)
            state = _state(row)
            held = self._mono_locked()
            if state.locked(now) or held:
                until = state.locked_until if state.locked(now) else None
                if until is None or held > (until - now).total_seconds():
                    until = now + timedelta(seconds=held)
                return _locked(until, now)
            hashes = list(s.execute(select(sec.ManagerPin.name, sec.ManagerPin.pin_hash)
                                    .order_by(sec.ManagerPin.id)))
            if not hashes:
                return _refused(msg("pin.none_set"))
            new = policy.after_failure(state, now)  # reserved: this try counts until proven right
            self._store(s, row, new, now)
        if new.locked(now) and new.locked_until is not None:
            self._mono_lock((new.locked_until - now).total_seconds())
        key = self._key(create=False)
        # Every hash is computed even after a match, so the time taken says nothing.
        matches = [name for name, h in hashes if self._matches(pin, h, key)]
        when = self.clock.now()
        with self.db.write() as s:
            if matches:
                row = s.get(sec.PinLockout, 1)
                self._store(s, row, policy.after_success(), None)
                audit.record(s, at=when, desk=desk, operator=matches[0], action="manager_login",
                             subject=matches[0])
            else:
                locked = new.locked(now)
                until_text = new.locked_until.isoformat() if locked and new.locked_until else None
                audit.record(s, at=when, desk=desk, operator="?",
                             action="pin_locked" if locked else "pin_failed",
                             after={"failures": new.failures, "lockouts": new.lockouts,
                                    "locked_until": until_text})
        if matches:
            with _MONO_GUARD:
                _MONO_LOCKS.pop(str(self.db.path), None)
            stale = [name for name, h in hashes if name == matches[0] and not h.startswith(BOUND)]
            if stale:  # an older hash: bind it to the PIN key now that the PIN is known
                rebound = self._hash(pin)
                with self.db.write() as s:
                    mp = s.scalar(select(sec.ManagerPin).where(sec.ManagerPin.name == matches[0]))
                    if mp is not None:
                        mp.pin_hash = rebound
            return PinCheck(True, manager=matches[0])
        if new.locked(now):
            assert new.locked_until is not None
            return _locked(new.locked_until, now)
        if key is None and any(h.startswith(BOUND) for _n, h in hashes):
            return _refused(msg("pin.key_missing", path=self.key_path), tries_left=new.tries_left())
        left = new.tries_left()
        return _refused(msg("pin.wrong", left=left), tries_left=left)

    @staticmethod
    def _store(s: Session, row: sec.PinLockout | None, state: policy.LockState,
               failed_at: datetime | None) -> None:
        if row is None:
            row = sec.PinLockout(id=1, failures=0, lockouts=0)
            s.add(row)
        row.failures, row.lockouts, row.locked_until = state.failures, state.lockouts, state.locked_until
        if failed_at is not None:
            row.last_failure_at = failed_at
