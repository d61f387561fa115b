"""The audit log is a hash chain: editing, deleting or inserting a row in SQLite is detected."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.services.audit import export_csv, verify_chain
from checkin_app.services.checkin import CheckInService
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, make_event


@pytest.fixture
def logged(db: Database, clock: FixedClock) -> Database:
    codes: MiniEvent = make_event(db)
    svc = CheckInService(db, clock)
    for code in (codes.attendee, codes.vip, codes.cancelled, "NOPE", codes.media):
        svc.scan(code, desk="D1")
        clock.advance(seconds=3)
    return db


def _raw(db: Database) -> sqlite3.Connection:
    return sqlite3.connect(db.path, isolation_level=None)


def test_intact_chain_verifies(logged: Database) -> None:
    report = verify_chain(logged)
    assert report.ok and report.checked == 5


def test_edited_row_is_found(logged: Database) -> None:
    con = _raw(logged)
    con.execute("UPDATE audit_log SET operator = 'someone else' WHERE id = 3")
    con.close()
    report = verify_chain(logged)
    assert not report.ok and report.first_broken_id == 3 and "changed" in report.problem_en


def test_deleted_row_is_found(logged: Database) -> None:
    con = _raw(logged)
    con.execute("DELETE FROM audit_log WHERE id = 2")
    con.close()
    report = verify_chain(logged)
    assert not report.ok and report.first_broken_id == 3 and "broken" in report.problem_en


def test_rehashed_forgery_still_breaks_the_next_link(logged: Database) -> None:
    """A forger who recomputes the edited row's own hash still breaks the following link."""
    from sqlalchemy import select

    from checkin_app.services.audit import entry_digest
    from checkin_app.storage.models import AuditEntry

    with logged.read() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.id == 2)).one()
        e.subject = "forged"
        new_hash = entry_digest(e.prev_hash, e)
    con = _raw(logged)
    con.execute("UPDATE audit_log SET subject='forged', hash=? WHERE id = 2", (new_hash,))
    con.close()
    report = verify_chain(logged)
    assert not report.ok and report.first_broken_id == 3


def test_export_csv_has_every_entry(logged: Database, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    assert export_csv(logged, out) == 5
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["id", "uuid", "at"] and len(rows) == 6
    assert {r[5] for r in rows[1:]} == {"checkin", "scan", "scan_refused"}


@pytest.mark.parametrize("scanned", ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)",
                                     "\t=1", "\r=1"])
def test_export_csv_neutralises_formulas_but_the_log_keeps_what_was_scanned(
        db: Database, clock: FixedClock, tmp_path: Path, scanned: str) -> None:
    make_event(db)
    CheckInService(db, clock).scan(scanned, desk="=cmd|' /C calc'!A0", operator="@op")
    with db.read() as s:
        from sqlalchemy import select

        from checkin_app.storage.models import AuditEntry

        kept = s.scalars(select(AuditEntry)).one()
    assert kept.desk == "=cmd|' /C calc'!A0"  # stored as given
    out = tmp_path / "audit.csv"
    export_csv(db, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[1][3] == "'=cmd|' /C calc'!A0" and rows[1][4] == "'@op"
    assert any(scanned.strip() in cell for cell in rows[1])  # the text itself is all there
