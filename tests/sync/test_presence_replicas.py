"""Presence and conflict flags are the same at every desk and the hub when desks' clocks differ.

Three layers: the hub's batched projection equals domain.presence on random event sets (SQLite and
PostgreSQL); desks with clocks minutes apart, exchanging the items HTTP sync carries with an
in-process hub in random orders, end with equal projections and flags everywhere; and the same
through a real hub process on loopback.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import delete, select

from checkin_app.domain import presence as p
from checkin_app.domain.clock import FixedClock
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.services.checkin import EVENT_COLUMNS, CheckInService, event_of, rebuild_all_presence
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import iso
from tests.factories import MiniEvent, local, make_event
from tests.hub.conftest import pg_template, pg_url  # noqa: F401  (PostgreSQL fixtures)
from tests.sync.conftest import HubRig

T0 = local(23, 9, 30)
PEOPLE = (MiniEvent().attendee, MiniEvent().vip, MiniEvent().noted, MiniEvent().media_allowed)
SINGLE = {"HALL"}  # the mini event's single-entry activity
_C = m.CheckIn.__table__


# -- what a replica holds, in terms every replica shares ---------------------------------------
Pair = tuple[str, str]  # (delegate uid, activity code)


def replica_state(db: Any) -> tuple[dict[Pair, tuple[Any, ...]], dict[str, bool], dict[Pair, list[p.Event]]]:
    """Presence rows, conflict flags and events of one database, keyed by natural keys."""
    with db.read() as s:
        uid = dict(s.execute(select(m.Delegate.id, m.Delegate.uid)).all())
        code = dict(s.execute(select(m.Activity.id, m.Activity.code)).all())
        rows = {(uid[r.delegate_id], code[r.activity_id]): (
            r.first_in_uuid, r.first_in_at, r.first_in_desk, r.last_direction, r.last_at, r.last_desk)
            for r in s.scalars(select(m.Presence))}
        flags = dict(s.execute(select(m.CheckIn.uuid, m.CheckIn.conflict)).all())
        events: dict[Pair, list[p.Event]] = {}
        for r in s.execute(select(_C.c.delegate_id, _C.c.activity_id, *EVENT_COLUMNS)):
            events.setdefault((uid[r.delegate_id], code[r.activity_id]), []).append(event_of(r))
    return rows, flags, events


def pure(events: dict[Pair, list[p.Event]]) -> tuple[dict[Pair, tuple[Any, ...]], set[str]]:
    """What domain.presence says of a set of events: presence rows and flagged uuids."""
    rows: dict[Pair, tuple[Any, ...]] = {}
    flagged: set[str] = set()
    for pair, evs in events.items():
        row = p.project(evs)
        if row is not None:
            rows[pair] = (row.first_in_uuid, row.first_in_at, row.first_in_desk, row.last_direction,
                          row.last_at, row.last_desk)
        flagged |= p.conflicts(evs, pair[1] in SINGLE)
    return rows, flagged


def assert_agree(replicas: dict[str, Any]) -> dict[Pair, tuple[Any, ...]]:
    """Every replica holds the same events, projection and flags, and they are the pure rules'."""
    states = {name: replica_state(db) for name, db in replicas.items()}
    hub_rows, hub_flags, hub_events = states["hub"]
    want_rows, want_flagged = pure(hub_events)
    assert hub_rows == want_rows
    assert {u for u, f in hub_flags.items() if f} == want_flagged
    for name, (rows, flags, events) in states.items():
        assert {k: sorted(v, key=p.order_key) for k, v in events.items()} == {
            k: sorted(v, key=p.order_key) for k, v in hub_events.items()}, name
        assert rows == hub_rows, name
        assert flags == hub_flags, name
        # The desk's replica, read on its own, gives the same by the same rules.
        assert pure(events) == (rows, {u for u, f in flags.items() if f}), name
    return hub_rows


# -- 1. the hub's batched form equals the pure functions ---------------------------------------
@dataclass
class _Made:
    """A generated event as a desk pushes it, and the event the rules see."""

    desk: str
    pair: Pair
    item: dict[str, Any]
    event: p.Event


@hs.composite
def pushes(draw: hs.DrawFn) -> list[_Made]:
    """Events of several desks (clocks ±30 min off) on a few pairs, stamped by the desks' rule
    after what each had seen, with undos (own, or another desk's as a manager) and overrides."""
    desks = ("A", "B", "C")
    offsets = {d: timedelta(seconds=draw(hs.integers(-1800, 1800))) for d in desks}
    seen: dict[str, list[_Made]] = {d: [] for d in desks}
    made: list[_Made] = []
    undone: set[str] = set()
    real = T0
    for _ in range(draw(hs.integers(1, 24))):
        real += timedelta(seconds=draw(hs.integers(0, 90)))
        desk = draw(hs.sampled_from(desks))
        if made and draw(hs.booleans()):  # this desk synced: it holds some events of others
            seen[desk].extend(draw(hs.lists(hs.sampled_from(made), max_size=4)))
        at = real + offsets[desk]
        targets = [x for x in seen[desk] if x.event.undoes is None and x.event.uuid not in undone]
        if targets and draw(hs.integers(0, 4)) == 0:
            target = draw(hs.sampled_from(targets))
            pair, direction, undoes = target.pair, target.event.direction, target.event.uuid
            forced = target.desk != desk  # another desk's event: a manager's action
            undone.add(undoes)
        else:
            pair = (draw(hs.sampled_from(PEOPLE)), draw(hs.sampled_from(["HALL", "LOUNGE", "MAIN"])))
            direction, undoes = draw(hs.sampled_from(["in", "in", "out"])), None
            forced = draw(hs.integers(0, 5)) == 0
        newest = max((x.event.stamp for x in seen[desk] if x.pair == pair), default=None)
        stamp = p.next_stamp(at, newest)
        u = str(uuidlib.uuid4())
        verdict = "UNDO" if undoes else ("NOT_ADMITTED_HERE" if forced else "ADMIT")
        item = {"table": "checkins", "key": u, "payload": {
            "uuid": u, "delegate": pair[0], "activity": pair[1], "direction": direction,
            "desk": desk, "operator": "lead" if forced else "v", "at": iso(at), "order_at": iso(stamp),
            "received_at": None, "verdict": verdict,
            "forced": forced, "reason": "manager" if forced else "", "undoes": undoes, "conflict": False}}
        x = _Made(desk, pair, item, p.Event(u, direction, desk, at, stamp, undoes, forced))
        seen[desk].append(x)
        made.append(x)
    return made


def _push_in_some_order(hub: HubStore, made: list[_Made], rng: random.Random) -> None:
    """Each desk pushes its queue in order, in pieces, the desks interleaved at random; an undo
    goes only once the event it undoes is at the hub (as at a real desk, which saw it there)."""
    queues = {d: [x for x in made if x.desk == d] for d in ("A", "B", "C")}
    at_hub: set[str] = set()
    while any(queues.values()):
        desk = rng.choice([d for d, q in queues.items() if q])
        q = queues[desk]
        n, size = 0, rng.randint(1, 4)
        while n < min(size, len(q)):
            target = q[n].event.undoes
            if target and target not in at_hub and target not in {y.event.uuid for y in q[:n]}:
                break
            n += 1
        if n == 0:
            continue
        batch, queues[desk] = q[:n], q[n:]
        result = hub.ingest(desk, [x.item for x in batch])
        assert not result.rejected, result.rejected
        at_hub |= {x.event.uuid for x in batch}


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubStore]:
    """A hub store with the mini event, on each backend."""
    url = str(tmp_path / "hub.sqlite3") if request.param == "sqlite" else str(
        request.getfixturevalue("pg_url"))
    db = HubDatabase(url)
    make_event(db, hall_capacity=None)  # type: ignore[arg-type]
    store = HubStore(db, FixedClock(local(23, 9, 50)))
    store.refresh()
    yield store
    db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=pushes(), rng=hs.randoms(use_true_random=False))
def test_the_hubs_projection_and_flags_equal_the_pure_rules(
        bare_hub: HubStore, made: list[_Made], rng: random.Random) -> None:
    with bare_hub.db.write() as s:  # a fresh start for each example
        s.execute(delete(m.Presence))
        s.execute(delete(m.CheckIn))
    _push_in_some_order(bare_hub, made, rng)
    by_pair: dict[Pair, list[p.Event]] = {}
    for x in made:
        by_pair.setdefault(x.pair, []).append(x.event)
    rows, flags, events = replica_state(bare_hub.db)
    # The hub stored each event as the desk stamped it ...
    assert {k: sorted(v, key=p.order_key) for k, v in events.items()} == {
        k: sorted(v, key=p.order_key) for k, v in by_pair.items()}
    # ... and its projection and flags are the pure functions' of those events.
    want_rows, want_flagged = pure(by_pair)
    assert rows == want_rows
    assert {u for u, f in flags.items() if f} == want_flagged


def test_an_event_from_a_desk_without_stamps_is_ordered_by_its_own_time(bare_hub: HubStore) -> None:
    older = {"table": "checkins", "key": "e1", "payload": {
        "uuid": "e1", "delegate": MiniEvent().attendee, "activity": "LOUNGE", "direction": "in",
        "desk": "Old", "operator": "v", "at": iso(T0), "verdict": "ADMIT", "forced": False,
        "reason": "", "undoes": None}}
    assert not bare_hub.ingest("Old", [older]).rejected
    with bare_hub.db.read() as s:
        assert s.scalar(select(m.CheckIn.order_at).where(m.CheckIn.uuid == "e1")) == T0
        [(payload,)] = s.execute(select(mh.HubChange.payload).where(mh.HubChange.row_key == "e1"))
    assert json.loads(payload)["order_at"] == iso(T0)  # and every desk is sent that stamp


def test_the_hub_refuses_a_stamp_before_the_events_time_or_outside_the_window(bare_hub: HubStore) -> None:
    def item(key: str, stamp: str) -> dict[str, Any]:
        return {"table": "checkins", "key": key, "payload": {
            "uuid": key, "delegate": MiniEvent().attendee, "activity": "LOUNGE", "direction": "in",
            "desk": "X", "operator": "v", "at": iso(T0), "order_at": stamp, "verdict": "ADMIT",
            "forced": False, "reason": "", "undoes": None}}

    early = item("s1", iso(T0 - timedelta(seconds=1)))  # the rule never stamps before `at`
    future = item("s2", "2099-01-01T00:00:00+00:00")
    garbage = item("s3", "soon")
    fine = item("s4", iso(T0 + timedelta(minutes=3)))  # after an event seen from a faster desk
    result = bare_hub.ingest("X", [early, future, garbage, fine])
    assert [r["key"] for r in result.rejected] == ["s1", "s2", "s3"]
    assert "order stamp" in result.rejected[0]["reason"] and "排序时间" in result.rejected[0]["reason"]
    assert [r["key"] for r in result.stored] == ["s4"]


# -- 2. desks with clocks minutes apart and an in-process hub ----------------------------------
DESK_OFFSETS = {"Desk A": timedelta(0), "Desk B": timedelta(minutes=7), "Desk C": timedelta(minutes=-4)}


@dataclass
class Site:
    """An in-process hub and desks exchanging exactly the items HTTP sync carries."""

    hub: HubStore
    desks: dict[str, Database]
    clocks: dict[str, FixedClock] = field(default_factory=dict)

    def pull(self, name: str) -> None:
        sync = DeskSync(self.desks[name])
        with self.hub.db.read() as s:
            changes = [{"s": seq, "t": t, "k": k, "p": json.loads(pl)}
                       for seq, t, k, pl in self.hub.changes(s, sync.cursor(), None)]
        if changes:
            sync._apply(changes)

    def push(self, name: str) -> None:
        db = self.desks[name]
        with db.read() as s:
            items, _marks = DeskSync(db)._outbox(s, limit=None)
        if items:
            result = self.hub.ingest(name, items)
            assert not result.rejected, result.rejected

    def everyone_syncs(self, rng: random.Random) -> None:
        names = list(self.desks)
        rng.shuffle(names)
        for n in names:
            self.push(n)
        rng.shuffle(names)
        for n in names:
            self.pull(n)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub file with the mini event and a desk file that has pulled it, copied per example."""
    where = tmp_path_factory.mktemp("replicas")
    hub_db = HubDatabase(where / "hub.sqlite3")
    make_event(hub_db, hall_capacity=None)  # type: ignore[arg-type]
    hub = HubStore(hub_db, FixedClock(local(23, 9, 50)))
    hub.refresh()
    desk = Database(where / "desk.sqlite3")
    Site(hub, {"d": desk}).pull("d")
    desk.close()
    hub_db.close()
    return where


def _site(templates: Path, where: Path) -> Site:
    for name in ("hub", "desk"):
        for suffix in ("", "-wal", "-shm"):
            if (templates / f"{name}.sqlite3{suffix}").exists():
                for copy in ([f"hub.sqlite3{suffix}"] if name == "hub"
                             else [f"{d}.sqlite3{suffix}" for d in DESK_OFFSETS]):
                    shutil.copy(templates / f"{name}.sqlite3{suffix}", where / copy)
    hub = HubStore(HubDatabase(where / "hub.sqlite3"), FixedClock(local(23, 9, 50)))
    desks = {d: Database(where / f"{d}.sqlite3") for d in DESK_OFFSETS}
    return Site(hub, desks, {d: FixedClock(T0 + off) for d, off in DESK_OFFSETS.items()})


def _close(site: Site) -> None:
    for d in site.desks.values():
        d.close()
    site.hub.db.close()


def _delegate_id(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == code))
    assert found is not None
    return int(found)


def _play(site: Site, rng: random.Random, steps: int) -> int:
    """Scans, exits, undos, overrides and partial syncs at random; returns events recorded."""
    recorded = 0
    real = T0
    for _ in range(steps):
        real += timedelta(seconds=rng.randint(0, 90))
        for name, off in DESK_OFFSETS.items():
            site.clocks[name].at = real + off
        name = rng.choice(list(site.desks))
        db, clock = site.desks[name], site.clocks[name]
        svc = CheckInService(db, clock)
        roll = rng.random()
        if roll < 0.45:
            activity = rng.choice(["HALL", "LOUNGE", "MAIN"])
            direction = "out" if activity != "HALL" and rng.random() < 0.35 else "in"
            person = rng.choice(PEOPLE[:2] if rng.random() < 0.8 else PEOPLE)  # pairs meet often
            r = svc.scan(person, activity_code=activity, desk=name, direction=direction)
            recorded += r.event is not None
        elif roll < 0.55:
            mine = [x for x in svc.recent(limit=50) if not x.is_undo and not x.undone]
            if mine:
                svc.undo(rng.choice(mine).uuid, desk=name, operator="lead", reason="mistake")
                recorded += 1
        elif roll < 0.62:
            svc.override(_delegate_id(db, rng.choice(PEOPLE)), activity_code="HALL", desk=name,
                         operator="lead", reason="protocol", overridden="ALREADY_IN")
            recorded += 1
        elif roll < 0.82:
            site.push(name)
        else:
            site.pull(name)
        # At every moment a desk's projection is the rules' on what it holds, so what it shows
        # before the next sync is what every replica will show once they hold the same events.
        rows, _flags, events = replica_state(db)
        assert rows == pure(events)[0], name
    return recorded


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=hs.randoms(use_true_random=False))
def test_desks_with_clocks_minutes_apart_end_with_the_same_presence_and_flags(
        templates: Path, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as where:
        site = _site(templates, Path(where))
        try:
            recorded = _play(site, rng, 40)
            site.everyone_syncs(rng)
            site.everyone_syncs(rng)  # flags the hub changed on earlier events come back too
            rows = assert_agree({"hub": site.hub.db, **site.desks})
            _rows, _flags, events = replica_state(site.hub.db)
            assert sum(len(v) for v in events.values()) == recorded  # nothing lost, nothing doubled
            for db in (site.hub.db, site.desks["Desk C"]):  # a full rebuild (repair) gives the same
                with db.write() as s:
                    assert rebuild_all_presence(s) == len(rows)
                assert replica_state(db)[0] == rows
        finally:
            _close(site)


def test_a_fast_desks_entry_and_a_later_exit_elsewhere_leave_the_person_outside_everywhere(
        templates: Path, tmp_path: Path) -> None:
    site = _site(templates, tmp_path)
    try:
        fast, right = "Desk B", "Desk A"  # B's clock is 7 minutes fast
        person = MiniEvent().attendee
        site.clocks[right].at, site.clocks[fast].at = T0, T0 + DESK_OFFSETS[fast]
        entry = CheckInService(site.desks[fast], site.clocks[fast]).scan(
            person, activity_code="LOUNGE", desk=fast)
        assert entry.event is not None
        site.push(fast)
        site.pull(right)
        # Three minutes later by the wall clock the person leaves through desk A, whose clock
        # shows a time four minutes *before* the entry's.
        site.clocks[right].at = T0 + timedelta(minutes=3)
        leave = CheckInService(site.desks[right], site.clocks[right]).scan(
            person, activity_code="LOUNGE", desk=right, direction="out")
        assert leave.event is not None and leave.event.at < entry.event.at
        site.everyone_syncs(random.Random(1))
        rows = assert_agree({"hub": site.hub.db, **site.desks})
        assert rows[(person, "LOUNGE")][3] == "out"  # outside, at every replica
        # Ordered by the desks' times (the rule before stamps), the entry came last: inside.
        _rows, _flags, events = replica_state(site.hub.db)
        assert max(events[(person, "LOUNGE")], key=lambda e: (e.at, e.uuid)).direction == "in"
    finally:
        _close(site)


def test_offline_admissions_at_two_desks_are_flagged_alike_whichever_arrives_first(
        templates: Path, tmp_path: Path) -> None:
    for order in (("Desk A", "Desk B"), ("Desk B", "Desk A")):
        where = tmp_path / "-".join(order)
        where.mkdir()
        site = _site(templates, where)
        try:
            person = MiniEvent().vip
            for name in ("Desk A", "Desk B"):  # both offline: both admit
                r = CheckInService(site.desks[name], site.clocks[name]).scan(
                    person, activity_code="HALL", desk=name)
                assert r.event is not None
            for name in order:
                site.push(name)
            for name in reversed(order):
                site.pull(name)
            site.pull("Desk C")
            assert_agree({"hub": site.hub.db, **site.desks})
            _rows, flags, _events = replica_state(site.hub.db)
            assert sum(flags.values()) == 1
        finally:
            _close(site)


# -- 3. the same through a real hub process on loopback ----------------------------------------
def test_replicas_agree_through_a_real_hub_on_loopback(rig: HubRig, tmp_path: Path) -> None:
    """Two desks 10 minutes apart on a real hub (HTTP, its own process)."""
    from checkin_app.storage.models import Category

    start = datetime(2024, 11, 23, 14, 30, tzinfo=T0.tzinfo)  # NEV is open, exits scanned
    clocks = {"Fast": FixedClock(start + timedelta(minutes=10)), "Right": FixedClock(start)}
    desks = {n: rig.desk(tmp_path, n, clock=c) for n, c in clocks.items()}
    for _db, sync in desks.values():
        sync.sync_once()
    with rig.store.db.read() as s:
        people = list(s.scalars(
            select(m.Delegate.registration_code).join(Category, Category.id == m.Delegate.category_id)
            .where(m.Delegate.status == "approved", Category.code.in_(["GUEST", "TALENT", "ENTERPRISE"]))
            .order_by(m.Delegate.id).limit(2)))
    assert len(people) == 2
    svc = {n: CheckInService(db, clocks[n]) for n, (db, _s) in desks.items()}

    def sync(*names: str) -> None:
        for n in names:
            desks[n][1].sync_once()

    # Person 0 enters through the fast desk; the right desk pulls it, then records the exit.
    assert svc["Fast"].scan(people[0], activity_code="NEV", desk="Fast").event is not None
    sync("Fast", "Right")
    clocks["Right"].advance(minutes=4)
    clocks["Fast"].advance(minutes=4)
    assert svc["Right"].scan(people[0], activity_code="NEV", desk="Right",
                             direction="out").event is not None
    # Person 1: both desks admit to the single-entry opening while apart (a conflict).
    for n, minute in (("Right", 30), ("Fast", 40)):
        clocks[n].at = datetime(2024, 11, 23, 9, minute, tzinfo=T0.tzinfo).astimezone(clocks[n].at.tzinfo)
        assert svc[n].scan(people[1], activity_code="OPENING", desk=n).event is not None
    sync("Right", "Fast", "Right", "Fast")
    for _db, s in desks.values():
        s.close_clients()
    state = {n: replica_state(db) for n, (db, _s) in desks.items()}
    state["hub"] = replica_state(rig.store.db)
    hub_rows, hub_flags, hub_events = state["hub"]
    nev = hub_rows[(_uid(rig, people[0]), "NEV")]
    assert nev[3] == "out"
    assert sum(hub_flags.values()) == 1
    for name, (rows, flags, events) in state.items():
        assert rows == hub_rows and flags == hub_flags, name
        assert {k: sorted(v, key=p.order_key) for k, v in events.items()} == {
            k: sorted(v, key=p.order_key) for k, v in hub_events.items()}, name
        want_rows, _ = pure(events)
        assert rows == want_rows, name
        flagged = set().union(*(p.conflicts(v, k[1] == "OPENING") for k, v in events.items()))
        assert {u for u, f in flags.items() if f} == flagged, name


def _uid(rig: HubRig, code: str) -> str:
    with rig.store.db.read() as s:
        found = s.scalar(select(m.Delegate.uid).where(m.Delegate.registration_code == code))
    assert found is not None
    return str(found)
