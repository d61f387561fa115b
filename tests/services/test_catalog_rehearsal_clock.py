"""The rehearsal clock's real start, kept per database (services.catalog.rehearsal_since)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from checkin_app.services.catalog import CatalogService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

REAL = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
START = datetime(2024, 11, 23, 1, 20, tzinfo=UTC)


def test_the_same_start_keeps_its_real_start_and_another_starts_anew(db: Database) -> None:
    cat = CatalogService(db)
    assert cat.rehearsal_since(START, REAL) == REAL
    later = REAL + timedelta(hours=2)
    assert cat.rehearsal_since(START, later) == REAL  # a restart: continue
    other = START + timedelta(hours=1)
    assert cat.rehearsal_since(other, later) == later  # another --clock: anew
    assert cat.rehearsal_since(START, later + timedelta(minutes=1)) == later + timedelta(minutes=1)
    with db.read() as s:
        actions = s.scalars(select(m.AuditEntry.action)).all()
    assert actions.count("rehearsal_clock") == 3  # each new start is written down
    assert cat.settings().desk_name == ""  # not one of the desk's settings


def test_an_unreadable_kept_value_starts_anew(db: Database) -> None:
    with db.write() as s:
        s.merge(m.DeskSetting(key="clock.rehearsal", value="{not json"))
    assert CatalogService(db).rehearsal_since(START, REAL) == REAL
