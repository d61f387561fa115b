"""Conflicts and refusals as a desk shows them: flags set by a real hub store, carried by the change feed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.services.badges import BadgeService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.conflicts import ConflictService, Refusal
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync.client import DeskSync
from tests.factories import MiniEvent, local, make_event


@dataclass
class Site:
    """An in-process hub store and desks that exchange the same items the HTTP sync would carry."""

    hub: HubStore
    desks: dict[str, Database]
    clocks: dict[str, FixedClock]

    def pull(self, name: str) -> None:
        sync = DeskSync(self.desks[name])
        with self.hub.db.read() as s:
            changes = [{"s": seq, "t": t, "k": k, "p": json.loads(p)}
                       for seq, t, k, p in self.hub.changes(s, sync.cursor(), None)]
        if changes:
            sync._apply(changes)

    def push(self, name: str) -> None:
        db = self.desks[name]
        with db.read() as s:
            items, _marks = DeskSync(db)._outbox(s, limit=None)
        result = self.hub.ingest(name, items)
        assert not result.rejected, result.rejected

    def scan(self, name: str, code: str, activity: str = "HALL") -> str:
        r = CheckInService(self.desks[name], self.clocks[name]).scan(
            code, activity_code=activity, desk=name)
        assert r.event is not None, r.verdict
        return r.event.uuid


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    hub_db = HubDatabase(tmp_path / "hub.sqlite3")
    make_event(hub_db, hall_capacity=None)  # type: ignore[arg-type]
    hub = HubStore(hub_db, FixedClock(local(23, 9, 50)))
    hub.refresh()
    desks = {n: Database(tmp_path / f"{n}.sqlite3") for n in ("Desk A", "Desk B")}
    clocks = {"Desk A": FixedClock(local(23, 9, 30)), "Desk B": FixedClock(local(23, 9, 41))}
    s = Site(hub, desks, clocks)
    for n in desks:
        s.pull(n)
    yield s
    for d in desks.values():
        d.close()
    hub_db.close()


def test_a_flagged_admission_shows_with_the_earlier_one_it_collides_with(site: Site) -> None:
    people = MiniEvent()
    first = site.scan("Desk A", people.attendee)
    later = site.scan("Desk B", people.attendee)  # both desks offline: both admit
    site.scan("Desk B", people.vip)  # a different person: no conflict
    site.push("Desk B")
    site.push("Desk A")  # pushed last, yet the earlier admission: B's is the conflict
    site.pull("Desk A")

    items = ConflictService(site.desks["Desk A"]).conflicts()
    assert [i.uuid for i in items] == [later]
    c = items[0]
    assert (c.registration_code, c.name_native, c.name_latin) == (people.attendee, "张伟", "ZHANG Wei")
    assert (c.activity_code, c.activity_zh, c.activity_en) == ("HALL", "开幕式", "Opening ceremony")
    assert (c.desk, c.at) == ("Desk B", local(23, 9, 41))
    assert c.earlier is not None
    assert (c.earlier.uuid, c.earlier.desk, c.earlier.at) == (first, "Desk A", local(23, 9, 30))
    # Desk B sees the same once it pulls.
    site.pull("Desk B")
    assert [i.uuid for i in ConflictService(site.desks["Desk B"]).conflicts()] == [later]


def test_newest_first_and_an_undo_clears_the_flag(site: Site) -> None:
    people = MiniEvent()
    site.scan("Desk A", people.attendee)
    site.scan("Desk A", people.noted)
    b_attendee = site.scan("Desk B", people.attendee)
    site.clocks["Desk B"].advance(minutes=3)
    b_noted = site.scan("Desk B", people.noted)
    for n in ("Desk A", "Desk B"):
        site.push(n)
    site.pull("Desk A")
    svc = ConflictService(site.desks["Desk A"])
    assert [i.uuid for i in svc.conflicts()] == [b_noted, b_attendee]

    # A manager at desk B undoes the wrong admission: the hub clears the flag everywhere.
    CheckInService(site.desks["Desk B"], site.clocks["Desk B"]).undo(
        b_noted, desk="Desk B", operator="Li Lei", reason="double admission")
    site.push("Desk B")
    site.pull("Desk A")
    assert [i.uuid for i in svc.conflicts()] == [b_attendee]


def test_the_same_desk_twice_or_a_reentry_activity_is_no_conflict(site: Site) -> None:
    people = MiniEvent()
    site.scan("Desk A", people.attendee, activity="MAIN")
    site.scan("Desk B", people.attendee, activity="MAIN")  # re-entry: both fine
    for n in ("Desk A", "Desk B"):
        site.push(n)
    site.pull("Desk A")
    assert ConflictService(site.desks["Desk A"]).conflicts() == []


def test_refusals_are_described_with_the_person_newest_first(site: Site) -> None:
    people = MiniEvent()
    event = site.scan("Desk A", people.attendee)
    at = datetime(2024, 11, 23, 2, 0, tzinfo=local(23, 9).tzinfo)
    db = site.desks["Desk A"]
    badges = BadgeService(db, site.clocks["Desk A"])
    job = badges.enqueue(_id(db, people.vip), printer="folder:/nowhere", desk="Desk A", operator="v")
    assert job is not None and badges.start(job.uuid) is not None
    badges.finish(job.uuid, ok=True)
    with db.read() as s:
        printed = s.scalar(select(BadgePrint.uuid))
    assert printed is not None
    refusals = [
        Refusal("checkins", event, "未知人员 / unknown delegate X", at),
        Refusal("badge_prints", printed, "未知人员 / unknown delegate Y", at + timedelta(minutes=2)),
        Refusal("badge_revocations", f"{people.noted}:2", "未知人员 / unknown delegate Z",
                at + timedelta(minutes=1)),
        Refusal("checkins", "gone-uuid", "未知活动 / unknown activity Y", at - timedelta(minutes=1)),
    ]
    items = ConflictService(db).describe(refusals)
    assert [i.key for i in items] == [printed, f"{people.noted}:2", event, "gone-uuid"]
    described = items[2]
    assert (described.name, described.registration_code, described.activity_code) == (
        "张伟", people.attendee, "HALL")
    assert described.event_at == local(23, 9, 30)
    assert described.reason == "未知人员 / unknown delegate X"
    assert (items[0].name, items[0].registration_code) == ("Đorđe Petrović", people.vip)
    assert items[0].event_at == local(23, 9, 30)
    assert (items[1].name, items[1].registration_code) == ("李娜", people.noted)
    assert items[3].name == "" and items[3].event_at is None


def _id(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == code))
    assert found is not None
    return int(found)
