"""Manager PINs: hashed, lock-out after five wrong tries that survives a restart, all audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services import audit
from checkin_app.services.pins import PinError, PinService
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database


def test_pin_is_stored_as_a_salted_hash(db: Database, clock: FixedClock) -> None:
    svc = PinService(db, clock)
    assert not svc.has_managers()
    svc.set_pin("Li Lei", "2468", desk="D1", operator="setup", first_only=True)
    with db.read() as s:
        stored = s.scalar(select(sec.ManagerPin.pin_hash))
    # Bound to the PIN key file beside the database, then scrypt with a fresh salt.
    assert stored is not None and stored.startswith("hmac1$scrypt$") and "2468" not in stored
    assert svc.key_path.stat().st_mode & 0o777 == 0o600
    assert svc.verify("2468", desk="D1").manager == "Li Lei"
    with pytest.raises(PinError, match="already exists"):
        svc.set_pin("Intruder", "7391", desk="D1", operator="?", first_only=True)
    with pytest.raises(PinError, match="digits"):
        svc.set_pin("Wang", "12a4", desk="D1", operator="Li Lei")
    svc.set_pin("Wang Fang", "7391", desk="D1", operator="Li Lei")
    assert svc.verify("7391", desk="D1").manager == "Wang Fang"
    assert svc.managers() == ["Li Lei", "Wang Fang"]


def test_lock_out_after_five_wrong_tries_survives_a_restart_and_grows(
        tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "desk.sqlite3"
    db = Database(path)
    svc = PinService(db, clock, lock_clock=clock)  # the lock-out's clock, given only in tests
    svc.set_pin("Li Lei", "2468", desk="D1", operator="setup")
    for left in (4, 3, 2, 1):
        check = svc.verify("0000", desk="D1")
        assert not check.ok and check.tries_left == left and "tries left" in check.message_en
    locked = svc.verify("1357", desk="D1")
    assert not locked.ok and locked.locked_until == clock.now() + timedelta(seconds=30)
    assert "30 s" in locked.message_en and "秒" in locked.message_zh
    db.close()

    db = Database(path)  # the app restarts: still locked, even for the right PIN
    svc = PinService(db, clock, lock_clock=clock)
    assert not svc.verify("2468", desk="D1").ok
    clock.advance(seconds=31)
    for _ in range(5):
        svc.verify("0000", desk="D1")
    assert svc.lock_state().locked_until == clock.now() + timedelta(seconds=60)  # growing delay
    clock.advance(seconds=61)
    assert svc.verify("2468", desk="D1").ok
    assert svc.lock_state().failures == 0 and svc.lock_state().lockouts == 0
    with db.read() as s:
        actions = list(s.scalars(select(m.AuditEntry.action)))
    assert actions.count("pin_failed") == 8 and actions.count("pin_locked") == 2
    assert actions[0] == "pin_set" and actions[-1] == "manager_login"
    assert audit.verify_chain(db).ok
    db.close()


def test_the_last_manager_cannot_be_removed(db: Database, clock: FixedClock) -> None:
    svc = PinService(db, clock)
    svc.set_pin("Li Lei", "2468", desk="D1", operator="setup")
    svc.set_pin("Wang Fang", "7391", desk="D1", operator="Li Lei")
    svc.remove("Wang Fang", desk="D1", operator="Li Lei")
    with pytest.raises(PinError, match="last manager"):
        svc.remove("Li Lei", desk="D1", operator="Li Lei")


def test_a_rehearsal_clock_does_not_end_a_lock_out(tmp_path: Path, clock: FixedClock) -> None:
    from datetime import UTC, datetime

    from checkin_app.domain.clock import OffsetClock

    db = Database(tmp_path / "desk.sqlite3")
    PinService(db, clock).set_pin("Li Lei", "2468", desk="D1", operator="setup")
    for _ in range(5):
        PinService(db, clock).verify("0000", desk="D1")
    # `--clock` two days ahead (or the FixedClock moved on): the real clock still says locked.
    ahead = OffsetClock(datetime.now(UTC) + timedelta(days=2))
    clock.advance(days=2)
    for c in (ahead, clock):
        check = PinService(db, c).verify("2468", desk="D1")
        assert not check.ok and check.locked_until is not None and "locked" in check.message_en
    # Even a database edited back to "not locked" stays locked in this process (monotonic clock).
    with db.write() as s:
        row = s.get(sec.PinLockout, 1)
        assert row is not None
        row.locked_until = None
    assert not PinService(db, clock).verify("2468", desk="D1").ok
    db.close()


def test_parallel_guesses_meet_the_lock_after_five(tmp_path: Path, clock: FixedClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    db = Database(tmp_path / "desk.sqlite3")
    PinService(db, clock).set_pin("Li Lei", "2468", desk="D1", operator="setup")
    guesses = [f"{n:04d}" for n in range(1000, 1020)] + ["2468"]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda g: PinService(db, clock, lock_clock=clock).verify(g, desk="D1"),
                                guesses))
    checked = [a for a in answers if a.locked_until is None]
    assert len(checked) <= 4  # the fifth try locks; every later one is refused before hashing
    assert not answers[-1].ok  # the right PIN, sent after twenty wrong ones, is locked out too
    with db.read() as s:
        tries = list(s.scalars(select(m.AuditEntry.action).where(
            m.AuditEntry.action.in_(["pin_failed", "pin_locked"]))))
    assert len(tries) == 5
    db.close()


def test_the_database_alone_cannot_check_a_pin(tmp_path: Path, clock: FixedClock) -> None:
    import shutil

    db = Database(tmp_path / "desk.sqlite3")
    PinService(db, clock).set_pin("Li Lei", "2468", desk="D1", operator="setup")
    db.close()
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "desk.sqlite3", tmp_path / "copy" / "desk.sqlite3")  # the key file stays
    copy = Database(tmp_path / "copy" / "desk.sqlite3")
    check = PinService(copy, clock, lock_clock=clock).verify("2468", desk="D1")
    assert not check.ok and "key file" in check.message_en
    copy.close()
    db = Database(tmp_path / "desk.sqlite3")
    assert PinService(db, clock, lock_clock=clock).verify("2468", desk="D1").ok
    db.close()


def test_an_older_plain_hash_still_checks_and_is_bound_on_success(db: Database, clock: FixedClock) -> None:
    from datetime import UTC, datetime

    from checkin_app.domain import pin as policy

    with db.write() as s:
        now = datetime.now(UTC)
        s.add(sec.ManagerPin(name="Li Lei", pin_hash=policy.hash_pin("2468"), created_at=now, updated_at=now))
    svc = PinService(db, clock, lock_clock=clock)
    assert svc.verify("2468", desk="D1").ok
    with db.read() as s:
        assert str(s.scalar(select(sec.ManagerPin.pin_hash))).startswith("hmac1$")
    assert svc.verify("2468", desk="D1").ok
