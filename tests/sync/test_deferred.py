"""Changes that arrive before the row they name (a delegate, activity or category edited at the hub
after its events were logged) wait at the desk and go in with that row, across batches, cuts and
restarts (real hub process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, update

from checkin_app.domain.clock import FixedClock
from checkin_app.printing.runner import JobRunner
from checkin_app.services.badges import DONE, BadgeService
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage.db import Database
from checkin_app.sync import client as sync_client
from checkin_app.sync import tables as st
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import API_PREFIX, SyncError
from tests.hub.support import TcpProxy
from tests.sync.conftest import HubRig

DOORS = FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
COMPARED = ("categories", "activities", "delegates", "checkins", "badge_prints", "badge_revocations")


def approved(rig: HubRig, n: int, *, newest: bool = False) -> list[tuple[str, str, str]]:
    """(registration code, uid, category code) of approved people, by id (or newest first)."""
    order = m.Delegate.id.desc() if newest else m.Delegate.id
    with rig.store.db.read() as s:
        return [(r[0], r[1], r[2]) for r in s.execute(
            select(m.Delegate.registration_code, m.Delegate.uid, m.Category.code)
            .join(m.Category, m.Category.id == m.Delegate.category_id)
            .where(m.Delegate.status == "approved").order_by(order).limit(n))]


def scan(db: Database, people: list[str], desk: str) -> list[str]:
    svc = CheckInService(db, DOORS)
    out = []
    for code in people:
        r = svc.scan(code, activity_code="MAIN", desk=desk)
        assert r.event is not None, (code, r.verdict)
        out.append(r.event.uuid)
    return out


def local_id(db: Database, uid: str) -> int:
    with db.read() as s:
        d_id = s.scalar(select(m.Delegate.id).where(m.Delegate.uid == uid))
    assert d_id is not None
    return int(d_id)


def seq(rig: HubRig, table: str, key: str) -> int:
    with rig.store.db.read() as s:
        value = s.scalar(select(mh.HubChange.seq).where(mh.HubChange.table_name == table,
                                                        mh.HubChange.row_key == key))
    assert value is not None, (table, key)
    return int(value)


def rows(db: Database) -> dict[str, dict[str, Any]]:
    """Every synced table as its wire payloads, keyed like the hub's log."""
    with db.read() as s:
        return {name: dict(st.REGISTRY[name].export(s, None)) for name in COMPARED}


def counts(db: Database) -> list[tuple[str, int, int, int]]:
    return [(a.activity_code, a.registered, a.checked_in, a.inside_now) for a in CatalogService(db).stats()]


def second_import(rig: HubRig, uids: list[str] | None = None, *, category: str | None = None,
                  activity: str | None = None) -> None:
    """Registration data edited at the hub after the events were logged, then republished."""
    with rig.store.db.write() as s:
        q = update(m.Delegate).values(organisation_en=m.Delegate.organisation_en + " (day 2)")
        s.execute(q if uids is None else q.where(m.Delegate.uid.in_(uids)))
        if category:
            s.execute(update(m.Category).where(m.Category.code == category).values(colour="#123456"))
        if activity:
            s.execute(update(m.Activity).where(m.Activity.code == activity).values(hall_en="Hall 2"))
    assert rig.store.refresh() > 0


def test_a_new_desk_keeps_events_whose_delegate_activity_or_category_came_later(
        rig: HubRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_a, a = rig.desk(tmp_path, "Desk A")
    a.sync_once()
    people = approved(rig, 6)
    (_, x_uid, _), (_, y_uid, _) = people[:2]
    z_code, z_uid, z_category = next(p for p in approved(rig, 300, newest=True)
                                     if p[2] != people[0][2])
    scanned = scan(db_a, [c for c, _, _ in people] + [z_code], "Desk A")
    service = BadgeService(db_a, DOORS)
    job = service.enqueue(local_id(db_a, x_uid), printer=f"folder:{tmp_path / 'pdf'}", desk="Desk A",
                          operator="auto", auto=True)
    assert job is not None
    outcome = JobRunner(service).run(job.uuid)
    assert outcome is not None and outcome.job.state == DONE
    service.reprint(local_id(db_a, y_uid), reason="lost", desk="Desk A", operator="lead",
                    printer=f"folder:{tmp_path / 'pdf'}")
    pushed = a.push_once()
    assert pushed.remaining == 0 and not pushed.rejected

    # Day 2 at the hub: X and Y re-imported, Z's category recoloured, the main hall renamed.
    second_import(rig, [x_uid, y_uid], category=z_category, activity="MAIN")
    first_checkin = min(seq(rig, "checkins", u) for u in scanned)
    assert seq(rig, "delegates", x_uid) > max(seq(rig, "checkins", u) for u in scanned)
    assert seq(rig, "delegates", y_uid) > seq(rig, "badge_revocations", f"{y_uid}:1")
    assert seq(rig, "categories", z_category) > seq(rig, "delegates", z_uid)
    assert seq(rig, "activities", "MAIN") > first_checkin

    # A desk enrolled now downloads in small batches: events come batches before what they name.
    monkeypatch.setattr(sync_client, "APPLY_BATCH", 25)
    db_b, b = rig.desk(tmp_path, "Desk B")
    waiting: list[int] = []
    b.sync_once(on_progress=lambda _n: waiting.append(len(b.deferred())))
    assert max(waiting) > len(scanned), waiting  # it really waited (each check-in, the print …)
    assert b.deferred() == []
    hub = cast(Database, rig.store.db)
    assert rows(db_b) == rows(hub)
    assert counts(db_b) == counts(hub)
    with db_b.read() as s:
        assert s.scalar(select(m.Delegate.organisation_en).where(m.Delegate.uid == x_uid)).endswith("(day 2)")
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.uid == y_uid)) == 2
    # Nothing was applied twice, and desk A (which had it all) agrees too.
    a.sync_once()
    assert counts(db_a) == counts(hub) and rows(db_a)["checkins"] == rows(hub)["checkins"]
    assert [u for u in scanned if u not in rows(db_b)["checkins"]] == []
    a.close_clients()
    b.close_clients()


def test_a_cut_download_and_a_restart_lose_nothing_that_waits(
        make_rig: Callable[..., HubRig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(size=1500)
    db_a, a = rig.desk(tmp_path, "Desk A")
    a.sync_once()
    late = approved(rig, 12, newest=True)  # republished last: still missing when the cut comes
    scanned = scan(db_a, [c for c, _, _ in late], "Desk A")
    assert a.push_once().remaining == 0
    second_import(rig)  # everyone re-imported: every delegate now follows every check-in
    monkeypatch.setattr(sync_client, "APPLY_BATCH", 100)

    proxy = TcpProxy(rig.proc.port)
    try:
        db_c, c = rig.desk(tmp_path, "Desk C", url=proxy.url)
        path = db_c.path
        cfg = c.config()
        assert cfg is not None
        with c._client(cfg).stream("GET", API_PREFIX + "/changes", params={"since": 0, "limit": 0},
                                   timeout=httpx.Timeout(60.0)) as r:
            r.read()
            whole = r.num_bytes_downloaded
        c.close_clients()  # the next request opens the connection that will be cut
        proxy.cut_after = whole // 2
        with pytest.raises(SyncError):
            c.pull_once(limit=0)
        assert proxy.cuts == 1
        assert 0 < c.cursor() < rig.store.high_water()
        before = c.deferred()
        assert {k for t, k, _, _ in before if t == "checkins"} == set(scanned), before
        assert all(need == "delegates" for _, _, need, _ in before)

        # The desk restarts: what waits is in its database, not in memory.
        c.close_clients()
        db_c.close()
        rig.desks.remove(db_c)
        db_c = Database(path)
        rig.desks.append(db_c)
        c = DeskSync(db_c)
        assert c.deferred() == before
        while c.pull_once(limit=0).more:
            pass
        assert c.cursor() == rig.store.high_water() and c.deferred() == []
        hub = cast(Database, rig.store.db)
        assert rows(db_c) == rows(hub)
        assert counts(db_c) == counts(hub)
        with db_c.read() as s:
            assert s.scalar(select(func.count()).select_from(m.CheckIn)) == len(scanned)
        c.close_clients()
    finally:
        proxy.close()
        a.close_clients()


def test_what_waits_is_replaced_by_newer_snapshots_cascades_and_goes_in_once(tmp_path: Path) -> None:
    from tests.factories import MiniEvent, make_event

    src, desk = Database(tmp_path / "src.sqlite3"), Database(tmp_path / "desk.sqlite3")
    try:
        vip = MiniEvent().vip
        make_event(src)
        admitted = CheckInService(src, DOORS).scan(vip, activity_code="MAIN", desk="Desk A").event
        assert admitted is not None
        with src.read() as s:
            log = {(name, k): p for name in ("events", "categories", "activities", "delegates",
                                             "checkins") for k, p in st.REGISTRY[name].export(s, None)}
        order = [k for k in log if k != ("categories", "VIP")]
        flagged = {**log[("checkins", admitted.uuid)], "conflict": True}
        sync = DeskSync(desk)

        def batch(*items: tuple[int, tuple[str, str], dict[str, Any]]) -> int:
            return sync._apply([{"s": n, "t": key[0], "k": key[1], "p": p} for n, key, p in items])

        # Everything but the VIP category: the activities admitting VIPs go in without that link,
        # the VIP waits for their category and the check-in for the VIP.
        assert batch(*((i + 1, k, log[k]) for i, k in enumerate(order))) == len(order)
        waits = {(t, k): (nt, nk) for t, k, nt, nk in sync.deferred()}
        assert waits[("delegates", vip)] == ("categories", "VIP")
        assert waits[("checkins", admitted.uuid)] == ("delegates", vip)
        assert waits[("activities", "MAIN")] == ("categories", "VIP")
        # A newer snapshot of the waiting check-in (the hub flagged it) takes its place.
        assert batch((100, ("checkins", admitted.uuid), flagged)) == 100
        with desk.read() as s:
            assert s.execute(select(mh.SyncDeferred.seq).where(
                mh.SyncDeferred.row_key == admitted.uuid)).scalars().all() == [100]
        # The category arrives: the activities get their link, then the VIP, then the check-in.
        assert batch((101, ("categories", "VIP"), log[("categories", "VIP")])) == 101
        assert sync.deferred() == []
        for _ in range(2):  # the same again (a re-sent page) changes nothing
            batch((101, ("categories", "VIP"), log[("categories", "VIP")]))
        with desk.read() as s:
            got = s.execute(select(m.CheckIn.uuid, m.CheckIn.conflict)).all()
            assert [tuple(r) for r in got] == [(admitted.uuid, True)]
        assert counts(desk) == counts(src)
        with desk.read() as s, src.read() as h:
            assert dict(st.ACTIVITIES.export(s, None)) == dict(st.ACTIVITIES.export(h, None))
            assert dict(st.DELEGATES.export(s, None)) == dict(st.DELEGATES.export(h, None))
    finally:
        src.close()
        desk.close()
