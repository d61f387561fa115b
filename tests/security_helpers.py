"""Helpers for signed-code tests: an enrolled desk on the mini event, and a second desk."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from checkin_app.domain.clock import Clock
from checkin_app.services.badge_codes import badge_code
from checkin_app.services.keys import KeyService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import make_event


def enrol(db: Database, key_file: Path, clock: Clock, desk: str = "Desk A") -> KeyService:
    """Event key file + this database certified as `desk`."""
    svc = KeyService(db, clock)
    svc.init_event(key_file, desk_name=desk, desk=desk, operator="test")
    return svc


def delegate_id(db: Database, code: str) -> int:
    """Id of the delegate with this registration code."""
    with db.read() as s:
        found = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == code))
    assert found is not None
    return int(found)


def token_for(db: Database, code: str) -> str:
    """The badge code this database issues for a registration code."""
    with db.read() as s:
        return badge_code(s, delegate_id(db, code))


def second_desk(tmp_path: Path, name: str = "desk-b.sqlite3") -> Database:
    """Another desk's database with the same event set-up but no delegates (not synced yet)."""
    db = Database(tmp_path / name)
    make_event(db)
    with db.write() as s:
        s.query(m.DelegateAdmission).delete()
        s.query(m.Delegate).delete()
    return db
