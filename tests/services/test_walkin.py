"""Walk-ins: created at an offline desk with an id from its key's block, badged, admitted,
searchable, audited, and accepted offline by another desk that holds only public keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain import tokens
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.checkin import CheckInError, CheckInService
from checkin_app.services.keys import KeyService
from checkin_app.services.search import SearchService
from checkin_app.services.walkin import WalkInForm, register_walk_in
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import make_event
from tests.security_helpers import enrol, second_desk

FORM = WalkInForm(name_native="赵敏", name_latin="ZHAO Min", organisation="重庆邮电大学",
                  country="CN", category="ATTENDEE", activities=("LOUNGE",))


def test_walk_in_is_created_badged_admitted_indexed_and_audited(
        db: Database, tmp_path: Path, clock: FixedClock) -> None:
    make_event(db)
    key_id = enrol(db, tmp_path / "event.pem", clock).status().signing_key_id
    assert key_id is not None
    svc = CheckInService(db, clock)
    result = register_walk_in(svc, FORM, desk="Desk A", operator="Li Lei")
    d = result.delegate
    assert d.walk_in and d.id == tokens.walk_in_id(key_id, 1)
    assert d.registration_code == tokens.badge_number(d.id)
    assert result.scan.verdict is Verdict.ADMIT and result.scan.event is not None
    assert tokens.looks_like_token(result.badge_code) and len(result.badge_code) == 131
    second = register_walk_in(svc, FORM, desk="Desk A", operator="Li Lei")
    assert second.delegate.id == d.id + 1
    assert [h.id for h in SearchService(db).search("赵敏")] == [d.id, d.id + 1]
    assert svc.scan(result.badge_code, desk="Desk A").verdict is Verdict.ALREADY_IN
    # The chosen activity is opened for them even where their category is not admitted.
    with db.read() as s:
        row = s.get(m.Delegate, d.id)
        assert row is not None and row.registered_by_desk == "Desk A"
        assert s.scalar(select(m.AuditEntry.action).where(m.AuditEntry.subject == d.registration_code)
                        .order_by(m.AuditEntry.id).limit(1)) == "walk_in"


def test_walk_in_badge_from_an_offline_desk_is_accepted_by_another_desk(
        db: Database, tmp_path: Path, clock: FixedClock) -> None:
    make_event(db)
    registry = enrol(db, tmp_path / "event.pem", clock, desk="Registry")
    desk_b = second_desk(tmp_path, "b.sqlite3")
    desk_c = second_desk(tmp_path, "c.sqlite3")
    try:
        for desk, name in ((desk_b, "Desk B"), (desk_c, "Desk C")):
            registry.certify_desk(tmp_path / "event.pem", desk_name=name, desk="R", operator="t",
                                  desk_db=desk)
        registry.export_public(tmp_path / "public.json", desk="R", operator="t")
        for desk in (desk_b, desk_c):
            KeyService(desk, clock).import_public(tmp_path / "public.json", desk="x", operator="t")
        # Both desks are now offline. Each registers a walk-in: different ids, no talking.
        form = WalkInForm("Ana Kovač", "Ana KOVAČ", "University of Belgrade", "RS", "ATTENDEE")
        at_b = register_walk_in(CheckInService(desk_b, clock), form, desk="Desk B", operator="m")
        at_c = register_walk_in(CheckInService(desk_c, clock), form, desk="Desk C", operator="m")
        assert at_b.delegate.id != at_c.delegate.id
        r = CheckInService(desk_c, clock).scan(at_b.badge_code, desk="Desk C")
        assert r.verdict is Verdict.SIGNATURE_ONLY and r.admitted
        assert r.delegate is not None and r.delegate.walk_in and "walk-in" in r.message_en
        assert r.details["token_desk"] == "Desk B"
    finally:
        desk_b.close()
        desk_c.close()


def test_walk_in_needs_a_certified_desk_and_a_complete_form(db: Database,
                                                            clock: FixedClock) -> None:
    make_event(db)
    svc = CheckInService(db, clock)
    with pytest.raises(CheckInError, match="certified"):
        register_walk_in(svc, FORM, desk="D", operator="m")
    with pytest.raises(CheckInError, match="name"):
        register_walk_in(svc, WalkInForm("", " ", "", "CN", "ATTENDEE"), desk="D", operator="m")
    with pytest.raises(CheckInError, match="country"):
        register_walk_in(svc, WalkInForm("A", "", "", "XX", "ATTENDEE"), desk="D", operator="m")
