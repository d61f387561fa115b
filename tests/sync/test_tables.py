"""The generic change feed: every registered table exports from one database and applies to another."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from tests.factories import make_event

NOW = datetime(2024, 11, 20, 8, 0, tzinfo=UTC)


def test_every_pulled_table_round_trips_and_private_keys_stay_home(tmp_path: Path) -> None:
    src, dst = Database(tmp_path / "src.sqlite3"), Database(tmp_path / "dst.sqlite3")
    try:
        codes = make_event(src)
        with src.write() as s:
            s.add(sec.EventKey(fingerprint="ab" * 8, public_key="11" * 32, created_at=NOW,
                               retired_reason=""))
            s.add(sec.DeskKey(key_id=7, desk_name="A", public_key="22" * 32, private_key="SECRET",
                              event_key="ab" * 8, certificate="33" * 64, certified_at=NOW,
                              created_at=NOW))
            s.add(sec.KeyRevocation(public_key="44" * 32, key_id=9, revoked_at=NOW, reason="stolen"))
            vip = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == codes.vip))
            assert vip is not None
            vip.badge_serial = 2  # reprinted: serial 1 revoked, both prints logged
            vip.source, vip.source_code = "外事办嘉宾名单", "1"  # the registration list and number
            s.add(sec.BadgeRevocation(delegate_id=vip.id, serial=1, revoked_at=NOW, reason="lost",
                                      desk="A", operator="lead"))
            for n, serial in ((1, 1), (2, 2)):
                s.add(BadgePrint(uuid=f"print-{n}", job_uuid=f"job-{n}", delegate_id=vip.id,
                                 badge_serial=serial, template="A6", desk="A", operator="auto",
                                 printer="folder:/x", reason="first" if n == 1 else "lost",
                                 outcome="done", message="", at=NOW))
        with dst.write() as s:  # the desk's own key, not yet certified
            s.add(sec.DeskKey(key_id=None, desk_name="", public_key="22" * 32, private_key="MINE",
                              event_key="", certificate="", created_at=NOW))
        names = st.ordered(t.name for t in st.REGISTRY.values() if t.pulled)
        assert {"event_keys", "desk_keys", "key_revocations", "badge_revocations",
                "badge_prints"} <= set(names)
        with src.read() as s:
            exported = {n: list(st.REGISTRY[n].export(s, None)) for n in names}
        assert all("private_key" not in p for _, p in exported["desk_keys"])
        for _round in range(2):  # applying twice changes nothing
            with dst.write() as s:
                for n in names:
                    st.REGISTRY[n].apply(s, [p for _, p in exported[n]])
        with dst.read() as s:
            again = {n: list(st.REGISTRY[n].export(s, None)) for n in names}
            mine = s.scalar(select(sec.DeskKey).where(sec.DeskKey.public_key == "22" * 32))
            assert mine is not None and mine.private_key == "MINE" and mine.key_id == 7
            assert s.execute(select(m.Delegate.source, m.Delegate.source_code).where(
                m.Delegate.registration_code == codes.vip)).one() == ("外事办嘉宾名单", "1")
        assert again == exported
        assert len(exported["badge_prints"]) == 2 and len(exported["badge_revocations"]) == 1
        with dst.read() as s:  # pulled rows are the hub's already: nothing to push back
            assert all(s.scalars(select(BadgePrint.synced))) and all(
                s.scalars(select(sec.BadgeRevocation.synced)))
    finally:
        src.close()
        dst.close()


def test_bulk_insert_stores_exactly_what_sqlalchemy_would(tmp_path: Path) -> None:
    """The desk's driver-level insert keeps every value as the ORM path stores it (times, flags, nulls)."""
    from sqlalchemy import insert, text

    db = Database(tmp_path / "bulk.sqlite3")
    try:
        make_event(db)
        table = m.Delegate.__table__
        with db.read() as s:
            template = dict(s.execute(select(table).limit(1)).one()._mapping)
        rows = []
        cases = [(NOW, True, None), (NOW.replace(microsecond=0), False, "坐第一排"),
                 (datetime(2024, 11, 23, 1, 2, 3, 456789, tzinfo=UTC), False, "")]
        for i, (at, walk_in, note) in enumerate(cases):
            rows.append({**template, "id": 9000 + i, "uid": f"bulk-{i}", "registration_code": f"B{i}",
                         "updated_at": at, "walk_in": walk_in, "attention_note": note or "",
                         "photo_path": note})
        core = [{**r, "id": r["id"] + 100, "uid": r["uid"] + "c",
                 "registration_code": r["registration_code"] + "c"} for r in rows]
        with db.write() as s:
            st.bulk_insert(s, table, rows)
            s.execute(insert(table), core)
        with db.read() as s:
            raw = s.execute(text("SELECT id, updated_at, walk_in, photo_path, attention_note FROM delegates "
                                 "WHERE id >= 9000 ORDER BY id")).all()
            loaded = {r.id: r for r in s.execute(select(table).where(table.c.id >= 9000))}
        fast, slow = raw[:3], raw[3:]
        assert [tuple(r)[1:] for r in fast] == [tuple(r)[1:] for r in slow]  # same stored text
        assert loaded[9001].updated_at == NOW.replace(microsecond=0) and loaded[9000].walk_in is True
    finally:
        db.close()
