"""Badge prints, serial revocations and walk-in ids pushed to the hub, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from sqlalchemy import func, select

from checkin_app.domain import tokens
from checkin_app.hub.store import HubStore
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import iso
from tests.factories import MiniEvent, local
from tests.hub.test_store import checkin


def badge_print(code: str, serial: int = 1, desk: str = "A") -> dict[str, Any]:
    """A print attempt as a desk pushes it."""
    u = str(uuidlib.uuid4())
    return {"table": "badge_prints", "key": u, "payload": {
        "uuid": u, "job_uuid": str(uuidlib.uuid4()), "delegate": code, "badge_serial": serial,
        "template": "A6", "desk": desk, "operator": "auto", "printer": "folder:/badges",
        "reason": "first", "outcome": "done", "message": "", "at": iso(local(23, 9, 6))}}


def revocation(code: str, serial: int, desk: str = "A") -> dict[str, Any]:
    """A serial revoked by a reprint, as a desk pushes it."""
    return {"table": "badge_revocations", "key": f"{code}:{serial}", "payload": {
        "delegate": code, "serial": serial, "revoked_at": iso(local(23, 10)), "reason": "lost",
        "desk": desk, "operator": "lead"}}


def seq_of(hub: HubStore, table: str, key: str) -> int:
    with hub.db.read() as s:
        seq = s.scalar(select(mh.HubChange.seq).where(mh.HubChange.table_name == table,
                                                      mh.HubChange.row_key == key))
    assert seq is not None, (table, key)
    return int(seq)


def test_a_print_is_stored_once(hub: HubStore) -> None:
    item = badge_print(MiniEvent().vip)
    first = hub.ingest("A", [item, item])
    assert [(s["table"], s["key"]) for s in first.stored] == [("badge_prints", item["key"])]
    again = hub.ingest("A", [item])
    assert again.stored == [] and [d["key"] for d in again.duplicates] == [item["key"]]
    unknown = hub.ingest("A", [badge_print("NOBODY")])
    assert unknown.stored == [] and "unknown delegate" in unknown.rejected[0]["reason"]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(BadgePrint)) == 1
        assert s.scalar(select(BadgePrint.desk)) == "A"


def test_a_revocation_moves_the_serial_on_and_the_delegates_events_behind_it(hub: HubStore) -> None:
    vip = MiniEvent().vip
    admitted = checkin(vip, "MAIN", "A", local(23, 9, 5))
    printed = badge_print(vip)
    hub.ingest("A", [admitted, printed])
    with hub.db.write() as s:  # registration data changed after the badge was printed
        s.execute(m.Delegate.__table__.update().where(m.Delegate.uid == vip).values(badge_outdated=True))
    hub.refresh(["delegates"])

    result = hub.ingest("A", [revocation(vip, 1)])
    assert [s["key"] for s in result.stored] == [f"{vip}:1"] and not result.rejected
    with hub.db.read() as s:
        row = s.execute(select(m.Delegate.badge_serial, m.Delegate.badge_outdated)
                        .where(m.Delegate.uid == vip)).one()
        assert tuple(row) == (2, False)
    # A desk downloading the log in seq order meets the delegate's new row before its events.
    delegate_seq = seq_of(hub, "delegates", vip)
    assert seq_of(hub, "checkins", admitted["key"]) > delegate_seq
    assert seq_of(hub, "badge_prints", printed["key"]) > delegate_seq
    assert seq_of(hub, "badge_revocations", f"{vip}:1") > delegate_seq

    # Another desk revoked the same serial while offline: one revocation, one serial step.
    other = hub.ingest("B", [revocation(vip, 1, desk="B")])
    assert other.stored == [] and [d["key"] for d in other.duplicates] == [f"{vip}:1"]
    # An older serial revoked late never moves the serial back.
    late = hub.ingest("C", [revocation(vip, 0, desk="C")])
    assert [s["key"] for s in late.stored] == [f"{vip}:0"]
    with hub.db.read() as s:
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.uid == vip)) == 2
        assert sorted(s.scalars(select(sec.BadgeRevocation.serial))) == [0, 1]


def test_a_revocation_for_an_unknown_or_malformed_row_is_refused(hub: HubStore) -> None:
    result = hub.ingest("A", [revocation("NOBODY", 1), {"table": "badge_revocations", "key": "x",
                                                         "payload": {"delegate": MiniEvent().vip}}])
    assert result.stored == [] and len(result.rejected) == 2
    reasons = [r["reason"] for r in result.rejected]
    assert any("Incomplete badge revocation" in r for r in reasons)
    assert any("unknown delegate NOBODY" in r for r in reasons)
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(sec.BadgeRevocation)) == 0


def test_a_walk_in_keeps_its_desk_id_where_the_database_can_hold_it(hub: HubStore) -> None:
    with hub.db.read() as s:
        template = next(p for _, p in st.DELEGATES.export(s, [MiniEvent().attendee]))
    walk_in_id = tokens.walk_in_id(3, 1)
    payload = {**template, "id": walk_in_id, "uid": "w-3-1", "registration_code": "W0003-00001",
               "walk_in": True, "admissions": {}}
    result = hub.ingest("A", [{"table": "delegates", "key": "w-3-1", "payload": payload},
                              checkin("w-3-1", "MAIN", "A", local(23, 9, 7))])
    assert len(result.stored) == 2 and not result.rejected
    with hub.db.read() as s:
        got = s.scalar(select(m.Delegate.id).where(m.Delegate.uid == "w-3-1"))
        below = s.scalar(select(func.max(m.Delegate.id)).where(m.Delegate.uid != "w-3-1"))
    assert got is not None and below is not None
    if hub.db.is_sqlite:
        assert got == walk_in_id  # every desk files the walk-in under the id its badge carries
    else:  # a 32-bit id column: the walk-in is numbered like a registration
        assert got == below + 1
