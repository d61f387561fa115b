"""Badge prints, serial revocations and walk-in ids pushed to the hub, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid as uuidlib
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from checkin_app.domain import tokens
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import iso
from tests.factories import MiniEvent, local
from tests.hub.support import PG_ENV, pg_admin_url, scratch_name, with_database
from tests.hub.test_ingest import checkin


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


def test_a_walk_in_keeps_its_desk_id_on_every_backend(hub: HubStore) -> None:
    with hub.db.read() as s:
        template = next(p for _, p in st.DELEGATES.export(s, [MiniEvent().attendee]))
    walk_in_id = tokens.walk_in_id(3, 1)
    assert walk_in_id > 2**32  # beyond a 32-bit column: delegate ids are 64-bit on PostgreSQL too
    payload = {**template, "id": walk_in_id, "uid": "w-3-1", "registration_code": "W0003-00001",
               "walk_in": True, "admissions": {}}
    result = hub.ingest("A", [{"table": "delegates", "key": "w-3-1", "payload": payload},
                              checkin("w-3-1", "MAIN", "A", local(23, 9, 7))])
    assert len(result.stored) == 2 and not result.rejected
    with hub.db.read() as s:
        assert s.scalar(select(m.Delegate.id).where(m.Delegate.uid == "w-3-1")) == walk_in_id
        assert s.scalar(select(m.CheckIn.delegate_id).where(
            m.CheckIn.uuid == result.stored[1]["key"])) == walk_in_id
        assert s.scalar(select(m.Presence.delegate_id).where(m.Presence.delegate_id == walk_in_id))
        # Every desk files the walk-in under the id its badge carries.
        assert next(iter(st.DELEGATES.export(s, ["w-3-1"])))[1]["id"] == walk_in_id


def test_the_migrated_schema_is_the_models_on_every_backend(hub_db: HubDatabase) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with hub_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                m.Base.metadata)
        assert diff == []
        if not hub_db.is_sqlite:
            types = dict(conn.execute(text(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' AND (column_name = 'delegate_id' "
                "OR (table_name = 'delegates' AND column_name = 'id'))")).all())
            assert set(types.values()) == {"bigint"} and len(types) == len(DELEGATE_ID_COLUMNS)
            assert conn.execute(text("SELECT data_type FROM information_schema.sequences "
                                     "WHERE sequence_name = 'delegates_id_seq'")).scalar() == "bigint"


DELEGATE_ID_COLUMNS = [c for t in m.Base.metadata.tables.values() for c in t.columns
                       if c.name == "delegate_id" or (t.name == "delegates" and c.name == "id")]


def test_postgresql_ids_become_64_bit_with_the_data_kept(pg_template: str) -> None:
    """An existing PostgreSQL hub at revision 0008 upgraded in place: rows kept, walk-in ids fit."""
    import psycopg
    from alembic import command

    from checkin_app.storage.db import alembic_config

    url = os.environ[PG_ENV]
    name = scratch_name("checkin_up")
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(with_database(url, name))
    try:
        command.upgrade(alembic_config(engine), "0008")
        now = local(23, 9)
        with engine.begin() as conn:
            # Plain SQL: the models of today carry columns that revision 0008 does not have.
            cat = conn.execute(text(
                "INSERT INTO categories (code, name_zh, name_en, colour, attention, attention_zh, "
                "attention_en, sort_order) VALUES ('ATTENDEE', '参会者', 'Attendee', '#607D8B', "
                "false, '', '', 0) RETURNING id")).scalar_one()
            act = conn.execute(text(
                "INSERT INTO activities (code, name_zh, name_en, hall_zh, hall_en, starts_at, "
                "ends_at, doors_open_minutes, capacity, reentry, exits_scanned, is_main, sort_order) "
                "VALUES ('MAIN', '主入口', 'Main', '', '', :t, :t, 0, NULL, true, false, true, 0) "
                "RETURNING id"), {"t": now}).scalar_one()
            conn.execute(text(
                "INSERT INTO delegates (uid, registration_code, family_name, given_name, name_native, "
                "name_latin, name_order, honorific, organisation_zh, organisation_en, position_zh, "
                "position_en, country, category_id, status, team, track, attention_note, "
                "badge_serial, badge_outdated, walk_in, registered_by_desk, updated_at) VALUES "
                "('u1', 'R1', '', '', '', 'Old Row', 'western', '', '', '', '', '', '', :c, "
                "'approved', '', '', '', 1, false, false, '', :t)"), {"c": cat, "t": now})
        command.upgrade(alembic_config(engine), "heads")
        walk_in_id = tokens.walk_in_id(9, 2)
        with engine.begin() as conn:
            old_id = conn.execute(select(m.Delegate.id).where(m.Delegate.uid == "u1")).scalar_one()
            conn.execute(insert(m.Delegate).values(
                id=walk_in_id, uid="w", registration_code="W", category_id=cat, walk_in=True,
                updated_at=now))
            for d_id in (old_id, walk_in_id):
                conn.execute(insert(m.CheckIn).values(
                    uuid=str(uuidlib.uuid4()), delegate_id=d_id, activity_id=act, desk="A", at=now,
                    verdict="ADMIT"))
            # A delegate added without an id still takes the next number of the (now 64-bit) sequence.
            new_id = conn.execute(insert(m.Delegate).values(
                uid="n", registration_code="N", category_id=cat, updated_at=now)
                .returning(m.Delegate.id)).scalar_one()
            # load_demo's setval keeps the sequence ahead of copied ids, here beyond 2**31 too.
            conn.execute(text("SELECT setval(pg_get_serial_sequence('delegates', 'id'), "
                              "COALESCE((SELECT max(id) FROM delegates), 1))"))
        with engine.connect() as conn:
            got = conn.execute(select(m.Delegate.uid, m.Delegate.id, m.Delegate.name_latin)
                               .order_by(m.Delegate.id)).all()
            assert [tuple(r) for r in got] == [("u1", old_id, "Old Row"), ("n", new_id, ""),
                                               ("w", walk_in_id, "")]
            assert new_id == old_id + 1
            assert sorted(conn.execute(select(m.CheckIn.delegate_id)).scalars()) == [old_id, walk_in_id]
    finally:
        engine.dispose()
        with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_walk_in_badge_signed_at_one_desk_is_admitted_at_another_after_a_pull(
        hub_url: str, tmp_path: Path) -> None:
    """End to end through a real hub process, on SQLite and PostgreSQL: the walk-in keeps the id its
    badge token carries everywhere, so another desk finds the person (ADMIT, not SIGNATURE_ONLY)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from checkin_app.demo.hub import load_demo
    from checkin_app.domain.clock import FixedClock
    from checkin_app.domain.verdicts import Verdict
    from checkin_app.hub.tls import ensure_certificate
    from checkin_app.services.checkin import CheckInService
    from checkin_app.services.keys import write_key_file
    from checkin_app.services.walkin import WalkInForm, register_walk_in
    from checkin_app.storage.db import Database
    from checkin_app.sync.client import DeskSync
    from checkin_app.sync.protocol import EnrolmentCode
    from tests.hub.support import HubProcess

    doors = FixedClock(local(23, 9, 30))
    store = HubStore(HubDatabase(hub_url))
    load_demo(store.db, size=200, seed=7)  # on PostgreSQL: copied ids, then setval on the sequences
    store.refresh()
    key_file = tmp_path / "event-key.pem"
    write_key_file(key_file, Ed25519PrivateKey.generate())
    cert = ensure_certificate(tmp_path / "tls")
    proc = HubProcess(hub_url, tmp_path / "tls", args=["--event-key", str(key_file)]).start()
    desks: list[tuple[Database, DeskSync]] = []
    try:
        for name in ("Desk A", "Desk B"):
            db = Database(tmp_path / f"{name}.sqlite3")
            sync = DeskSync(db)
            desks.append((db, sync))
            sync.enrol(EnrolmentCode(proc.url, store.create_enrolment(name), cert.fingerprint,
                                     name).encode())
            sync.sync_once()
        (db_a, a), (db_b, b) = desks
        # Offline at desk A: a walk-in, numbered in the desk key's block and signed by desk A.
        made = register_walk_in(CheckInService(db_a, doors), WalkInForm(
            "现场嘉宾", "XIANCHANG Jiabin", "重庆大学", "CN", "ATTENDEE"), desk="Desk A", operator="Li")
        walk_in_id = made.scan.delegate.id if made.scan.delegate else 0
        assert tokens.is_walk_in_id(walk_in_id) and walk_in_id > 2**32
        assert CheckInService(db_b, doors).scan(
            made.badge_code, activity_code="MAIN", desk="Desk B").verdict is Verdict.SIGNATURE_ONLY

        pushed = a.push_once()
        assert pushed.remaining == 0 and not pushed.rejected
        with store.db.read() as s:
            assert s.scalar(select(m.Delegate.id).where(m.Delegate.walk_in.is_(True))) == walk_in_id
        b.sync_once()
        with db_b.read() as s:
            assert s.scalar(select(m.Delegate.id).where(m.Delegate.walk_in.is_(True))) == walk_in_id
        # Desk B knows the person now: at the door of the summit the badge is a plain ADMIT …
        seen = CheckInService(db_b, FixedClock(local(23, 10, 30))).scan(
            made.badge_code, activity_code="SUMMIT", desk="Desk B")
        assert seen.verdict is Verdict.ADMIT, seen.verdict
        assert seen.delegate is not None and seen.delegate.id == walk_in_id
        assert seen.delegate.name_native == "现场嘉宾"
        # … and at the main entrance, where desk A admitted them, it says so (with the name).
        again = CheckInService(db_b, doors).scan(made.badge_code, activity_code="MAIN", desk="Desk B")
        assert again.verdict is Verdict.ALREADY_IN and again.delegate is not None
        assert again.delegate.name_native == "现场嘉宾"
        # Desk B's own admission on the signature alone reached the hub under the real person
        # (its stub was never pushed as a delegate of its own).
        b.sync_once()
        with store.db.read() as s:
            assert s.scalar(select(func.count()).select_from(m.Delegate)
                            .where(m.Delegate.walk_in.is_(True))) == 1
            desks_in = s.scalars(select(m.CheckIn.desk).where(m.CheckIn.delegate_id == walk_in_id)
                                 .order_by(m.CheckIn.desk)).all()
        assert "Desk A" in desks_in and "Desk B" in desks_in, desks_in
    finally:
        proc.stop()
        for db, sync in desks:
            sync.close_clients()
            db.close()
        store.db.close()
