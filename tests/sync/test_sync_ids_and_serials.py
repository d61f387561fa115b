"""Applying synced delegates, prints and serial revocations at a desk: stable ids, serials never go back."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from checkin_app.domain import tokens
from checkin_app.services.checkin import STUB_PREFIX
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from tests.factories import MiniEvent, make_event

NOW = datetime(2024, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
def hub_and_desk(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """A source database with the mini event, and a desk that has its catalog but no delegates."""
    src, desk = Database(tmp_path / "src.sqlite3"), Database(tmp_path / "desk.sqlite3")
    make_event(src)
    with src.read() as s:
        catalog = {n: [p for _, p in st.REGISTRY[n].export(s, None)]
                   for n in ("events", "categories", "activities")}
    with desk.write() as s:
        for n, payloads in catalog.items():
            st.REGISTRY[n].apply(s, payloads)
    yield src, desk
    src.close()
    desk.close()


def delegates(db: Database, uids: list[str] | None = None) -> list[dict[str, Any]]:
    with db.read() as s:
        return [p for _, p in st.DELEGATES.export(s, uids)]


def ids_by_uid(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(m.Delegate.uid, m.Delegate.id)).all())


def test_delegates_keep_the_hub_id_whatever_order_they_arrive_in(
        hub_and_desk: tuple[Database, Database]) -> None:
    src, desk = hub_and_desk
    payloads = delegates(src)
    with desk.write() as s:  # newest snapshot last: the order a change log hands them out
        st.DELEGATES.apply(s, list(reversed(payloads)))
    assert ids_by_uid(desk) == ids_by_uid(src)


def test_a_stub_from_a_verified_token_becomes_the_real_delegate_in_place(
        hub_and_desk: tuple[Database, Database]) -> None:
    src, desk = hub_and_desk
    vip = MiniEvent().vip
    real = delegates(src, [vip])[0]
    with desk.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "VIP"))
        main = s.scalar(select(m.Activity.id).where(m.Activity.code == "MAIN"))
        s.execute(insert(m.Delegate).values(
            id=real["id"], uid=f"token:{real['id']}", registration_code=f"{STUB_PREFIX}{real['id']}",
            category_id=cat, status="approved", badge_serial=1, walk_in=False, updated_at=NOW))
        s.execute(insert(m.CheckIn).values(
            uuid=str(uuidlib.uuid4()), delegate_id=real["id"], activity_id=main, direction="in",
            desk="B", operator="v", at=NOW, verdict="SIGNATURE_ONLY", forced=False, reason="",
            conflict=False, synced=False))
    with desk.write() as s:
        done = st.DELEGATES.apply(s, [real])
    assert done.updated == 1 and done.inserted == 0
    with desk.read() as s:
        row = s.scalar(select(m.Delegate).where(m.Delegate.id == real["id"]))
        assert row is not None and row.uid == vip and row.registration_code == vip
        assert row.name_latin == real["name_latin"]
        assert s.scalar(select(func.count()).select_from(m.Delegate)) == 1
        # The check-in made against the stub now belongs to the real person (and can be pushed).
        assert s.scalar(select(m.CheckIn.delegate_id)) == real["id"]


def test_a_taken_or_missing_id_falls_back_below_the_walk_in_range(
        hub_and_desk: tuple[Database, Database]) -> None:
    src, desk = hub_and_desk
    walk_in = tokens.walk_in_id(7, 1)
    payloads = delegates(src)
    with desk.write() as s:  # this desk's own walk-in, and a local person on the first hub id
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "ATTENDEE"))
        for d_id, uid in ((walk_in, "walk-in-1"), (payloads[0]["id"], "local-only")):
            s.execute(insert(m.Delegate).values(
                id=d_id, uid=uid, registration_code=uid, category_id=cat, status="approved",
                badge_serial=1, walk_in=d_id == walk_in, updated_at=NOW))
    no_id = {k: v for k, v in payloads[1].items() if k != "id"}  # e.g. from an older hub
    with desk.write() as s:
        st.DELEGATES.apply(s, [payloads[0], no_id, *payloads[2:]])
    got = ids_by_uid(desk)
    assert got["local-only"] == payloads[0]["id"] and got["walk-in-1"] == walk_in
    assert all(got[p["uid"]] == p["id"] for p in payloads[2:])
    # The two that could not keep their id get fresh ones: never a walk-in's, never a clash.
    for uid in (payloads[0]["uid"], payloads[1]["uid"]):
        assert got[uid] != payloads[0]["id"] and not tokens.is_walk_in_id(got[uid])
    assert len(set(got.values())) == len(got) == len(payloads) + 2


def test_a_serial_never_goes_back_and_a_revocation_moves_it_on(
        hub_and_desk: tuple[Database, Database]) -> None:
    src, desk = hub_and_desk
    vip = MiniEvent().vip
    with desk.write() as s:
        st.DELEGATES.apply(s, delegates(src))
        d_id = s.scalar(select(m.Delegate.id).where(m.Delegate.uid == vip))
        # A reprint here that the hub has not heard of yet.
        s.execute(m.Delegate.__table__.update().where(m.Delegate.id == d_id).values(badge_serial=3))
    with desk.write() as s:  # an older copy of the row (serial 1) arrives
        st.DELEGATES.apply(s, delegates(src, [vip]))
    with desk.read() as s:
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.id == d_id)) == 3

    def revocation(serial: int, uid: str = vip) -> dict[str, Any]:
        return {"delegate": uid, "serial": serial, "revoked_at": "2024-11-23T01:30:00+00:00",
                "reason": "lost", "desk": "A", "operator": "lead"}

    with desk.write() as s:
        done = st.BADGE_REVOCATIONS.apply(s, [revocation(3), revocation(3), revocation(1),
                                              revocation(1, "NOBODY"), revocation("x")])  # type: ignore[arg-type]
    assert done.inserted == 2 and done.serials == {d_id}
    assert [k for _, k, _ in done.skipped] == ["NOBODY:1", f"{vip}:x"]
    assert "unknown delegate" in done.skipped[0][2] and "invalid badge serial" in done.skipped[1][2]
    with desk.write() as s:
        again = st.BADGE_REVOCATIONS.apply(s, [revocation(3)])
    assert again.inserted == 0 and not again.serials
    with desk.read() as s:
        row = s.execute(select(m.Delegate.badge_serial, m.Delegate.badge_outdated)
                        .where(m.Delegate.id == d_id)).one()
        assert tuple(row) == (4, False)
        assert sorted(s.scalars(select(sec.BadgeRevocation.serial))) == [1, 3]
        assert all(s.scalars(select(sec.BadgeRevocation.synced)))


def test_prints_are_append_only_and_need_their_delegate(hub_and_desk: tuple[Database, Database]) -> None:
    src, desk = hub_and_desk
    vip = MiniEvent().vip
    with desk.write() as s:
        st.DELEGATES.apply(s, delegates(src))

    def badge_print(n: int, uid: str = vip, outcome: str = "done") -> dict[str, Any]:
        return {"uuid": f"p-{n}", "job_uuid": f"j-{n}", "delegate": uid, "badge_serial": 1,
                "template": "A6", "desk": "A", "operator": "auto", "printer": "lp:X",
                "reason": "first", "outcome": outcome, "message": "", "at": "2024-11-23T01:30:00+00:00"}

    with desk.write() as s:
        done = st.BADGE_PRINTS.apply(s, [badge_print(1), badge_print(1), badge_print(2, "NOBODY")])
    assert done.inserted == 1 and [k for _, k, _ in done.skipped] == ["p-2"]
    with desk.write() as s:  # a later copy never rewrites what happened
        assert st.BADGE_PRINTS.apply(s, [badge_print(1, outcome="failed")]).inserted == 0
    with desk.read() as s:
        assert s.execute(select(BadgePrint.outcome, BadgePrint.synced)).all() == [("done", True)]
