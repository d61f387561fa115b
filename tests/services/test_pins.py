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
    assert stored is not None and stored.startswith("scrypt$") and "2468" not in stored
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
    svc = PinService(db, clock)
    svc.set_pin("Li Lei", "2468", desk="D1", operator="setup")
    for left in (4, 3, 2, 1):
        check = svc.verify("0000", desk="D1")
        assert not check.ok and check.tries_left == left and "tries left" in check.message_en
    locked = svc.verify("1357", desk="D1")
    assert not locked.ok and locked.locked_until == clock.now() + timedelta(seconds=30)
    assert "30 s" in locked.message_en and "秒" in locked.message_zh
    db.close()

    db = Database(path)  # the app restarts: still locked, even for the right PIN
    svc = PinService(db, clock)
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
