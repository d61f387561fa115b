"""A desk holding a merged record (merged_into, as a pull writes it): the record's signed badge checks
in the kept person; a kept record this desk lacks, or links that loop, leave the record as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, make_event
from tests.security_helpers import enrol, token_for


@pytest.fixture
def event(db: Database, tmp_path: Path, clock: FixedClock) -> MiniEvent:
    codes = make_event(db)
    enrol(db, tmp_path / "event.pem", clock)
    return codes


def _merge(db: Database, code: str, into: str) -> None:
    with db.write() as s:
        s.execute(update(m.Delegate).where(m.Delegate.registration_code == code).values(merged_into=into))


def _id(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == code))
    assert found is not None
    return int(found)


def test_the_merged_records_badge_checks_in_the_kept_person(db: Database, event: MiniEvent,
                                                            clock: FixedClock) -> None:
    # The VIP's record merged into the attendee's: the VIP badge is now the attendee's (their
    # category's verdict, no protocol attention), recorded on the attendee.
    badge = token_for(db, event.vip)
    _merge(db, event.vip, event.attendee)  # make_event's uids are the codes
    svc = CheckInService(db, clock)
    r = svc.scan(badge, desk="D1")
    assert r.verdict is Verdict.ADMIT and r.delegate is not None
    assert r.delegate.id == _id(db, event.attendee) and r.delegate.category.code == "ATTENDEE"
    assert r.event is not None and r.event.delegate_id == _id(db, event.attendee)
    assert r.details["merged_record"] == event.vip and r.details["token"] == "valid"
    assert "Merged record: this code is Đorđe Petrović's (source unnamed); checked in as 张伟" in r.next_en
    assert svc.scan(event.attendee, desk="D1").verdict is Verdict.ALREADY_IN


def test_a_kept_record_not_here_or_a_loop_leaves_the_scanned_record_as_it_is(
        db: Database, event: MiniEvent, clock: FixedClock) -> None:
    svc = CheckInService(db, clock)
    _merge(db, event.media, "not-synced-here-yet")
    r = svc.scan(event.media, desk="D1")
    assert r.admitted and r.delegate is not None and r.delegate.id == _id(db, event.media)
    assert "merged_record" not in r.details
    # Two records pointing at each other (a desk between two pulls at worst): neither is followed.
    _merge(db, event.attendee, event.noted)
    _merge(db, event.noted, event.attendee)
    loop = svc.scan(event.attendee, desk="D1")
    assert loop.delegate is not None and loop.delegate.id == _id(db, event.attendee)
    assert "merged_record" not in loop.details
