"""Manager PINs of this desk: set, check with a persisted lock-out, every change audited.

The first PIN is set with `checkin-app pin set` when the desk is prepared, or at the desk on the
first manager action (the desk offers it while no manager exists). From then on, adding or
changing a PIN needs a manager: the CLI asks for an existing PIN, the desk for a manager session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from checkin_app.domain import pin as policy
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.services import audit
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database


class PinError(Exception):
    """A PIN that cannot be set or a manager that does not exist; the message is bilingual."""


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The answer to a typed PIN: which manager, or why not (locked until, tries left)."""

    ok: bool
    manager: str = ""
    locked_until: datetime | None = None
    tries_left: int = policy.MAX_TRIES
    message_zh: str = ""
    message_en: str = ""

    @property
    def message(self) -> str:
        """Both languages, Chinese first."""
        return f"{self.message_zh}\n{self.message_en}" if self.message_zh else ""


def _state(row: sec.PinLockout | None) -> policy.LockState:
    if row is None:
        return policy.LockState()
    return policy.LockState(row.failures, row.lockouts, row.locked_until)


def _locked_words(until: datetime, now: datetime) -> tuple[str, str]:
    secs = max(1, int((until - now).total_seconds() + 0.999))
    return (f"PIN 错误次数过多，已锁定，请 {secs} 秒后再试",
            f"Too many wrong PINs: locked, try again in {secs} s")


class PinService:
    """Manager PINs and the desk's wrong-PIN counter."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

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
            raise PinError("请填写管理员姓名（最多 100 字）\nEnter the manager's name (up to 100 characters)")
        problem = policy.pin_problem(pin)
        if problem is not None:
            raise PinError(f"{problem[0]}\n{problem[1]}")
        hashed = policy.hash_pin(pin)  # slow on purpose; outside the write lock
        now = self.clock.now()
        with self.db.write() as s:
            if first_only and s.scalar(select(func.count()).select_from(sec.ManagerPin)):
                raise PinError("已设置管理员 PIN，请由管理员操作\n"
                               "A manager PIN already exists; ask a manager")
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
                raise PinError(f"没有管理员 {name}\nNo manager named {name}")
            if len(names) == 1:
                raise PinError("不能删除最后一位管理员\nThe last manager cannot be removed")
            s.execute(delete(sec.ManagerPin).where(sec.ManagerPin.name == name))
            audit.record(s, at=now, desk=desk, operator=operator, action="pin_removed",
                         subject=name, before={"manager": name})

    def lock_state(self) -> policy.LockState:
        """The wrong-PIN counter as stored."""
        with self.db.read() as s:
            return _state(s.get(sec.PinLockout, 1))

    def verify(self, pin: str, *, desk: str) -> PinCheck:
        """Check a typed PIN against every manager; counts wrong tries and locks after five."""
        now = self.clock.now()
        with self.db.read() as s:
            state = _state(s.get(sec.PinLockout, 1))
            hashes = list(s.execute(select(sec.ManagerPin.name, sec.ManagerPin.pin_hash)
                                    .order_by(sec.ManagerPin.id)))
        if state.locked(now):
            assert state.locked_until is not None
            zh, en = _locked_words(state.locked_until, now)
            return PinCheck(False, locked_until=state.locked_until, tries_left=0,
                            message_zh=zh, message_en=en)
        if not hashes:
            return PinCheck(False, message_zh="尚未设置管理员 PIN", message_en="No manager PIN is set yet")
        # Every hash is computed even after a match, so the time taken says nothing.
        matches = [name for name, h in hashes if policy.pin_matches(pin, h)]
        with self.db.write() as s:
            row = s.get(sec.PinLockout, 1)
            fresh = _state(row)  # re-read under the write lock: another try may have landed
            if matches:
                new = policy.after_success()
                self._store(s, row, new, None)
                audit.record(s, at=now, desk=desk, operator=matches[0], action="manager_login",
                             subject=matches[0])
                return PinCheck(True, manager=matches[0])
            new = policy.after_failure(fresh, now)
            self._store(s, row, new, now)
            locked = new.locked(now)
            audit.record(s, at=now, desk=desk, operator="?", action="pin_locked" if locked else "pin_failed",
                         after={"failures": new.failures, "lockouts": new.lockouts,
                                "locked_until": new.locked_until.isoformat() if locked and new.locked_until
                                else None})
        if locked:
            assert new.locked_until is not None
            zh, en = _locked_words(new.locked_until, now)
            return PinCheck(False, locked_until=new.locked_until, tries_left=0,
                            message_zh=zh, message_en=en)
        left = new.tries_left()
        return PinCheck(False, tries_left=left, message_zh=f"PIN 错误，还可再试 {left} 次",
                        message_en=f"Wrong PIN; {left} tries left before a lock-out")

    @staticmethod
    def _store(s: Session, row: sec.PinLockout | None, state: policy.LockState,
               failed_at: datetime | None) -> None:
        if row is None:
            row = sec.PinLockout(id=1, failures=0, lockouts=0)
            s.add(row)
        row.failures, row.lockouts, row.locked_until = state.failures, state.lockouts, state.locked_until
        if failed_at is not None:
            row.last_failure_at = failed_at
