"""The hub's desks on SQLite and PostgreSQL: one-time enrolment tokens, revocation, reported health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.changelog import ChangeLog
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.desks import DeskReport, Desks
from checkin_app.storage import models_hub as mh
from checkin_app.sync.protocol import AccessRefused


@pytest.fixture
def desks(hub_db: HubDatabase, clock: FixedClock) -> Desks:
    """The desk registry of an empty hub, on its own (not through HubStore)."""
    return Desks(hub_db, clock, ChangeLog(hub_db, clock))


def test_enrolment_token_is_one_time_and_revocation_is_immediate(desks: Desks) -> None:
    token = desks.create_enrolment("Desk 1")
    name, api, cert = desks.enrol(token)
    assert name == "Desk 1" and cert is None
    assert desks.authenticate(api).name == "Desk 1"
    with pytest.raises(AccessRefused, match="already used"):
        desks.enrol(token)
    with desks.db.read() as s:
        row = s.scalar(select(mh.HubDesk))
        assert row is not None and api not in (row.token_hash, row.enrol_token_hash)  # hashed
    assert desks.revoke("Desk 1")
    with pytest.raises(AccessRefused, match="revoked"):
        desks.authenticate(api)
    with pytest.raises(AccessRefused, match="revoked"):
        desks.create_enrolment("Desk 1")
    assert desks.reinstate("Desk 1", reason="revoked the wrong desk")
    assert desks.authenticate(api).name == "Desk 1"  # its token works again


def test_expired_enrolment_token_is_refused(desks: Desks, clock: FixedClock) -> None:
    token = desks.create_enrolment("Desk 2", ttl=timedelta(minutes=5))
    clock.advance(minutes=6)
    with pytest.raises(AccessRefused, match="expired"):
        desks.enrol(token)


def test_desk_health_and_clock_skew(desks: Desks, clock: FixedClock) -> None:
    _name, api, _ = desks.enrol(desks.create_enrolment("Desk 3"))
    desk = desks.authenticate(api)
    offset = desks.report(desk, DeskReport(desk_time=clock.now() + timedelta(seconds=95), queue_length=4,
                                           app_version="checkin-desk 0.1.0", printer_state="ready"))
    assert offset == 95_000
    [health] = desks.desks()  # flushes the report held in memory first
    assert health.clock_skewed and health.queue_length == 4 and health.printer_state == "ready"
    assert health.online(clock.now())
    clock.advance(minutes=2)
    assert not health.online(clock.now())
