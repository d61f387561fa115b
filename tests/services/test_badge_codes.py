"""The badge-code seam: a signed token when the desk has a key, revocation of replaced serials."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from checkin_app.domain import tokens
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.services.badge_codes import badge_code, revoke_serial
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import make_event
from tests.security_helpers import delegate_id, enrol, token_for


def test_without_a_key_the_badge_carries_the_registration_code(db: Database) -> None:
    codes = make_event(db)
    with db.read() as s:
        assert badge_code(s, delegate_id(db, codes.attendee)) == codes.attendee


def test_with_a_key_the_badge_carries_a_signed_token(db: Database, tmp_path: Path,
                                                     clock: FixedClock) -> None:
    codes = make_event(db)
    enrol(db, tmp_path / "k.pem", clock)
    token = token_for(db, codes.vip)
    assert tokens.looks_like_token(token) and len(token) <= 128
    parts = tokens.split_token(token)
    assert parts is not None
    claims = parts[2]
    assert claims.delegate_id == delegate_id(db, codes.vip) and claims.serial == 1
    assert claims.category_tag == tokens.category_tag("VIP")
    assert claims.valid_from.isoformat() == "2024-11-21" and claims.valid_days == 5
    r = CheckInService(db, clock).scan(token, desk="D1")
    assert r.verdict is Verdict.ADMIT_WITH_ATTENTION and r.delegate is not None
    assert r.delegate.name_native == "Đorđe Petrović"


def test_reprint_revokes_the_old_serial_with_when_where_why(db: Database, tmp_path: Path,
                                                           clock: FixedClock) -> None:
    codes = make_event(db)
    enrol(db, tmp_path / "k.pem", clock)
    did = delegate_id(db, codes.attendee)
    old = token_for(db, codes.attendee)
    with db.write() as s:  # what the badge engineer's reprint does
        s.execute(update(m.Delegate).where(m.Delegate.id == did).values(badge_serial=2))
        revoke_serial(s, delegate_id=did, serial=1, reason="lost", at=clock.now(), desk="Desk 2",
                      operator="mgr")
        revoke_serial(s, delegate_id=did, serial=1, reason="lost", at=clock.now(), desk="Desk 2",
                      operator="mgr")  # twice is harmless
    new = token_for(db, codes.attendee)
    svc = CheckInService(db, clock)
    r = svc.scan(old, desk="D1")
    assert r.verdict is Verdict.REVOKED and r.severity is Severity.RED and r.event is None
    assert r.delegate is not None and r.delegate.name_native == "张伟"  # whose badge it was
    assert "Desk 2" in r.message_en and "lost" in r.message_en and "no. 2" in r.message_en
    assert "作废" in r.message_zh
    assert svc.scan(new, desk="D1").verdict is Verdict.ADMIT


def test_an_older_serial_is_revoked_even_before_its_revocation_arrives(
        db: Database, tmp_path: Path, clock: FixedClock) -> None:
    codes = make_event(db)
    enrol(db, tmp_path / "k.pem", clock)
    old = token_for(db, codes.attendee)
    with db.write() as s:
        s.execute(update(m.Delegate).where(m.Delegate.registration_code == codes.attendee)
                  .values(badge_serial=3))
    r = CheckInService(db, clock).scan(old, desk="D1")
    assert r.verdict is Verdict.REVOKED and "no. 3" in r.message_en


def test_revocation_is_audited(db: Database, clock: FixedClock) -> None:
    make_event(db)
    with db.write() as s:
        revoke_serial(s, delegate_id=1, serial=1, reason="damaged", at=clock.now(), desk="D",
                      operator="mgr")
    with db.read() as s:
        assert s.scalars(select(m.AuditEntry.action)).all() == ["revoke_serial"]
