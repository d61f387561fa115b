"""Merged records on the hub's database, SQLite and PostgreSQL: migration 0015 keeps the data and
gives stored MERGE decisions their link; a decision changes the delegate rows a publish sends, and
the dashboard's counts count the person once."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, select, text

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.services.catalog import CatalogService
from checkin_app.services.importing import APART, MERGE, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import alembic_config
from checkin_app.storage.models_hub import HubChange
from tests.factories import MiniEvent, local
from tests.hub.support import add_attendee_category, add_delegate


def test_upgrade_from_0014_keeps_the_people_and_links_merged_pairs(empty_url: str) -> None:
    from alembic import command

    engine = create_engine(empty_url)
    try:
        command.upgrade(alembic_config(engine), "0014")
        now = local(23, 9)
        with engine.begin() as conn:
            # Plain SQL: today's models carry the column revision 0014 does not have.
            add_attendee_category(conn)
            for d_id, uid, name in ((1, "u-kept", "张伟"), (2, "u-merged", "张伟"), (3, "u-apart", "李娜")):
                add_delegate(conn, d_id, uid, name, now)
            for low, high, decision, kept in ((1, 2, "merge", 1), (1, 3, "apart", 0)):
                conn.execute(text(
                    "INSERT INTO import_same_person (delegate_id, other_id, decision, kept_id, at, "
                    "operator, desk) VALUES (:a, :b, :d, :k, :t, 'organiser', '')"),
                    {"a": low, "b": high, "d": decision, "k": kept, "t": now})
        command.upgrade(alembic_config(engine), "heads")
        with engine.connect() as conn:
            got = conn.execute(select(m.Delegate.id, m.Delegate.name_native, m.Delegate.merged_into)
                               .order_by(m.Delegate.id)).all()
        assert [tuple(r) for r in got] == [(1, "张伟", ""), (2, "张伟", "u-kept"), (3, "李娜", "")]
    finally:
        engine.dispose()


def test_a_decision_is_published_and_counted_once_at_the_hub(hub: HubStore, hub_db: HubDatabase,
                                                             clock: FixedClock) -> None:
    db = hub_db  # the services take the hub database as they take a desk's
    svc = ImportService(db, clock)  # type: ignore[arg-type]
    kept, other = (svc.delegate_id(c) for c in (MiniEvent().attendee, MiniEvent().noted))
    assert kept is not None and other is not None

    def main() -> tuple[int, int]:
        s = next(x for x in CatalogService(db, clock).stats()  # type: ignore[arg-type]
                 if x.activity_code == "MAIN")
        return s.registered, s.checked_in

    def logged(code: str) -> dict[str, object]:
        with db.read() as s:
            payload = s.scalar(select(HubChange.payload).where(
                HubChange.table_name == "delegates", HubChange.row_key == code))
        return dict(json.loads(str(payload)))

    before = main()
    clock.advance(minutes=1)
    svc.decide_same_person(kept, other, MERGE, operator="organiser")
    # `hub publish` (refresh) finds the one changed row and logs its new snapshot.
    assert hub.refresh(["delegates"]) == 1
    assert logged(MiniEvent().noted)["merged_into"] == MiniEvent().attendee
    assert main() == (before[0] - 1, before[1])
    svc.decide_same_person(kept, other, APART)
    assert hub.refresh(["delegates"]) == 1 and logged(MiniEvent().noted)["merged_into"] == ""
    assert main() == before



def test_a_walk_in_a_desk_pushes_never_arrives_merged(hub: HubStore, hub_db: HubDatabase) -> None:
    # Only the organiser merges, at the hub: a pushed link would let a walk-in's code admit as
    # someone else (here the VIP), so the hub stores the walk-in as not merged.
    from checkin_app.sync.protocol import iso

    walk_in = {"uid": "w-9-1", "registration_code": "W-9-1", "walk_in": True, "category": "ATTENDEE",
               "name_native": "赵敏", "name_latin": "ZHAO Min", "updated_at": iso(local(23, 9)),
               "merged_into": MiniEvent().vip}
    result = hub.ingest("A", [{"table": "delegates", "key": walk_in["uid"], "payload": walk_in}])
    assert [d["key"] for d in result.stored] == ["w-9-1"] and result.rejected == []
    with hub_db.read() as s:
        assert s.scalar(select(m.Delegate.merged_into).where(m.Delegate.uid == "w-9-1")) == ""
