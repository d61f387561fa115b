"""Push ingest on SQLite and PostgreSQL: idempotent pushes, refusals, conflicts, presence, commit order."""

from __future__ import annotations

import threading
import time
import uuid as uuidlib
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from checkin_app.hub.store import HubStore
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.sync.protocol import iso
from tests.factories import MiniEvent, local


def checkin(code: str, activity: str, desk: str, at: datetime, *, undoes: str | None = None,
            forced: bool = False, direction: str = "in") -> dict[str, Any]:
    """A check-in as a desk pushes it."""
    u = str(uuidlib.uuid4())
    return {"table": "checkins", "key": u, "payload": {
        "uuid": u, "delegate": code, "activity": activity, "direction": direction, "desk": desk,
        "operator": "manager" if forced else "t", "at": iso(at), "received_at": None,
        "verdict": "UNDO" if undoes else "ADMIT", "forced": forced,
        # A forced check-in says who allowed it and why (the hub refuses one that does not).
        "reason": "override" if forced else "", "undoes": undoes, "conflict": False}}


def log_rows(hub: HubStore) -> list[tuple[int, str, str]]:
    with hub.db.read() as s:
        return [(r.seq, r.table_name, r.row_key) for r in s.scalars(
            select(mh.HubChange).order_by(mh.HubChange.seq))]


def test_push_is_idempotent(hub: HubStore) -> None:
    item = checkin(MiniEvent().attendee, "MAIN", "A", local(23, 9, 5))
    first = hub.ingest("A", [item, item])
    assert [s["key"] for s in first.stored] == [item["key"]]
    again = hub.ingest("A", [item])
    assert again.stored == []
    assert again.duplicates == [{"table": "checkins", "key": item["key"], "seq": first.stored[0]["seq"]}]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.CheckIn)) == 1
        assert s.scalar(select(m.CheckIn.received_at)) is not None


def test_unknown_delegate_is_refused_with_a_reason(hub: HubStore) -> None:
    r = hub.ingest("A", [checkin("NOBODY", "MAIN", "A", local(23, 9))])
    assert r.stored == [] and len(r.rejected) == 1
    assert "unknown delegate" in r.rejected[0]["reason"]


def test_later_admission_from_another_desk_is_flagged_both_kept(hub: HubStore) -> None:
    code = MiniEvent().attendee
    late = checkin(code, "HALL", "A", local(23, 9, 10))
    early = checkin(code, "HALL", "B", local(23, 9, 5))
    first_seq = hub.ingest("A", [late]).stored[0]["seq"]
    hub.ingest("B", [early])  # arrives second, but happened first
    with hub.db.read() as s:
        flags = dict(s.execute(select(m.CheckIn.uuid, m.CheckIn.conflict)).all())
    assert flags == {late["key"]: True, early["key"]: False}
    conflicts = hub.conflicts()
    assert [(c.uuid, c.desk, c.first_desk) for c in conflicts] == [(late["key"], "A", "B")]
    # The flag travels back to desks as a new change of that event.
    [late_seq] = [seq for seq, t, k in log_rows(hub) if k == late["key"]]
    assert late_seq > first_seq
    # Undoing the duplicate admission resolves the conflict.
    hub.ingest("A", [checkin(code, "HALL", "A", local(23, 9, 20), undoes=late["key"])])
    assert hub.conflicts() == []


def test_reentry_activities_and_overrides_are_not_conflicts(hub: HubStore) -> None:
    code = MiniEvent().attendee
    hub.ingest("A", [checkin(code, "MAIN", "A", local(23, 9, 5))])
    hub.ingest("B", [checkin(code, "MAIN", "B", local(23, 9, 6))])
    hub.ingest("A", [checkin(code, "HALL", "A", local(23, 9, 5))])
    hub.ingest("B", [checkin(code, "HALL", "B", local(23, 9, 7), forced=True)])
    assert hub.conflicts() == []


def test_audit_entries_are_kept_as_the_desk_wrote_them(hub: HubStore) -> None:
    entry = {"uuid": str(uuidlib.uuid4()), "at": iso(local(23, 9)), "desk": "A", "operator": "v",
             "action": "checkin", "subject": "X", "before_json": "", "after_json": "{}",
             "prev_hash": "0" * 64, "hash": "ab" * 32}
    item = {"table": "audit", "key": entry["uuid"], "payload": entry}
    assert len(hub.ingest("A", [item]).stored) == 1
    assert hub.ingest("A", [item]).stored == []
    with hub.db.read() as s:
        row = s.scalar(select(mh.HubAudit))
        assert row is not None and row.hash == "ab" * 32 and row.seq > 0


def test_a_reader_never_sees_a_gap_while_desks_push_concurrently(hub: HubStore) -> None:
    codes = [MiniEvent().attendee, MiniEvent().vip, MiniEvent().noted, MiniEvent().media]
    stop = threading.Event()
    seen: dict[int, str] = {}
    errors: list[BaseException] = []

    def pusher(desk: str) -> None:
        try:
            for i in range(15):
                hub.ingest(desk, [checkin(codes[i % 4], "MAIN", desk, local(23, 9, i))
                                  for _ in range(3)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def puller() -> None:
        cursor = 0
        while not stop.is_set():
            with hub.db.read() as s:
                for seq, table, key, _p in hub.changes(s, cursor, None):
                    if table == "checkins":
                        seen[seq] = key
                    cursor = seq
            time.sleep(0.005)
        with hub.db.read() as s:
            for seq, table, key, _p in hub.changes(s, cursor, None):
                if table == "checkins":
                    seen[seq] = key

    threads = [threading.Thread(target=pusher, args=(f"D{i}",)) for i in range(4)]
    reader = threading.Thread(target=puller)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    stop.set()
    reader.join(10)
    assert not errors
    with hub.db.read() as s:
        stored = set(s.scalars(select(m.CheckIn.uuid)))
    assert len(stored) == 4 * 15 * 3
    assert set(seen.values()) == stored  # the incremental reader missed nothing


def _presence_rows(hub: HubStore) -> list[tuple[Any, ...]]:
    with hub.db.read() as s:
        return [tuple(r) for r in s.execute(select(
            m.Presence.delegate_id, m.Presence.activity_id, m.Presence.first_in_uuid, m.Presence.first_in_at,
            m.Presence.first_in_desk, m.Presence.last_direction, m.Presence.last_at, m.Presence.last_desk)
            .order_by(m.Presence.delegate_id, m.Presence.activity_id)).all()]


def test_presence_kept_by_pushes_equals_a_full_rebuild(hub: HubStore) -> None:
    """The hub's Core projection on the push path gives what the desk's recompute gives."""
    import random

    from checkin_app.services.checkin import rebuild_all_presence

    rng = random.Random(7)
    codes = [MiniEvent().attendee, MiniEvent().vip, MiniEvent().noted, MiniEvent().media_allowed]
    pushed: list[dict[str, Any]] = []
    for i in range(60):
        desk = rng.choice("ABC")
        at = local(23, 9, rng.randrange(0, 59))
        if pushed and rng.random() < 0.25:
            target = rng.choice(pushed)["payload"]
            desk = target["desk"]  # a desk undoes its own events
            item = checkin(target["delegate"], target["activity"], desk, at, undoes=target["uuid"])
        else:
            item = checkin(rng.choice(codes), rng.choice(["MAIN", "HALL", "LOUNGE"]), desk, at,
                           direction=rng.choice(["in", "in", "out"]), forced=rng.random() < 0.1)
        pushed.append(item)
        if i % 7 == 6:  # some pushes carry several events, some one
            hub.ingest(desk, pushed[-3:])
        else:
            hub.ingest(desk, [item])
    kept = _presence_rows(hub)
    assert kept
    with hub.db.write() as s:
        rebuild_all_presence(s)
    assert _presence_rows(hub) == kept


def test_a_batch_touching_more_pairs_than_one_read_takes_is_projected_whole(
        hub: HubStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from checkin_app.hub import ingest as ingest_module
    from checkin_app.services.checkin import rebuild_all_presence

    monkeypatch.setattr(ingest_module, "_PAIRS_PER_READ", 2)
    codes = [MiniEvent().attendee, MiniEvent().vip, MiniEvent().noted, MiniEvent().media_allowed]
    first = [checkin(c, a, "A", local(23, 9, 1)) for c in codes for a in ("MAIN", "HALL")]
    again = [checkin(c, "HALL", "B", local(23, 9, 2)) for c in codes]  # later, other desk
    hub.ingest_many([("A", first), ("B", again)])
    assert len(hub.conflicts()) == len(codes)  # every pair's events were read, not the first two
    kept = _presence_rows(hub)
    assert len(kept) == 2 * len(codes)
    with hub.db.write() as s:
        rebuild_all_presence(s)
    assert _presence_rows(hub) == kept


def test_pushes_stored_together_answer_each_desk_as_if_alone(hub: HubStore) -> None:
    code = MiniEvent().attendee
    a = checkin(code, "HALL", "A", local(23, 9, 5))
    b = checkin(code, "HALL", "B", local(23, 9, 6))
    bad = checkin("NOBODY", "MAIN", "C", local(23, 9, 7))
    ra, rb, rc, again = hub.ingest_many([("A", [a]), ("B", [b]), ("C", [bad]), ("A", [a])])
    assert [s["key"] for s in ra.stored] == [a["key"]]
    assert [s["key"] for s in rb.stored] == [b["key"]]
    assert rc.stored == [] and [r["key"] for r in rc.rejected] == [bad["key"]]
    # The same push twice in one batch (a desk's retry) is stored once.
    assert again.stored == [] and [d["key"] for d in again.duplicates] == [a["key"]]
    assert ra.high == rb.high == rc.high > 0
    assert [(c.uuid, c.desk, c.first_desk) for c in hub.conflicts()] == [(b["key"], "B", "A")]


def test_a_placeholder_pushed_by_an_older_desk_is_acknowledged_not_stored(hub: HubStore) -> None:
    from checkin_app.domain.codes import STUB_PREFIX

    stub = {"uid": "token:4294967301", "registration_code": f"{STUB_PREFIX}4294967301", "walk_in": True,
            "category": "ATTENDEE", "name_native": "", "name_latin": ""}
    result = hub.ingest("A", [{"table": "delegates", "key": stub["uid"], "payload": stub}])
    assert result.stored == [] and result.rejected == []
    assert [d["key"] for d in result.duplicates] == [stub["uid"]]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Delegate).where(
            m.Delegate.registration_code.startswith(STUB_PREFIX))) == 0


def test_remembered_ids_never_hide_a_new_delegate_or_a_replaced_activity(hub: HubStore) -> None:
    code = MiniEvent().attendee
    assert hub.ingest("A", [checkin(code, "MAIN", "A", local(23, 9))]).stored
    assert hub.ids.delegates and hub.ids.activities  # remembered for the next push
    with hub.db.write() as s:  # a delegate and an activity added behind the store's back
        cat = s.scalar(select(m.Category.id).limit(1))
        s.add(m.Delegate(uid="late-1", registration_code="CQ24-LATE1", name_native="迟到",
                         name_latin="CHI Dao", category_id=cat, status="approved",
                         updated_at=local(23, 8)))
        s.add(m.Activity(code="EXTRA", name_zh="加场", name_en="Extra session",
                         starts_at=local(23, 8), ends_at=local(23, 18)))
        s.add(m.Activity(code="EXTRA1", name_zh="加场一", name_en="Extra one", reentry=False,
                         starts_at=local(23, 8), ends_at=local(23, 18)))
    late = hub.ingest("A", [checkin("late-1", "EXTRA", "A", local(23, 9, 5))])
    assert [x["key"] for x in late.stored] and not late.rejected
    # A single-entry activity the store had not seen keeps its conflict rule.
    hub.ingest("A", [checkin("late-1", "EXTRA1", "A", local(23, 9, 6))])
    second = checkin("late-1", "EXTRA1", "B", local(23, 9, 7))
    hub.ingest("B", [second])
    assert [c.uuid for c in hub.conflicts()] == [second["key"]]
    hub.forget({"activities"})
    assert hub.ids.activities == {} and hub.ids.single_entry is None


def test_an_activity_made_re_entry_stops_flagging_once_the_hub_hears_of_it(hub: HubStore) -> None:
    code = MiniEvent().attendee
    hub.ingest("A", [checkin(code, "HALL", "A", local(23, 9, 5))])
    assert hub.ids.single_entry  # HALL is single-entry, remembered
    with hub.db.write() as s:
        hall = s.scalar(select(m.Activity).where(m.Activity.code == "HALL"))
        assert hall is not None
        hall.reentry = True
    hub.forget({"activities"})  # what the change feed does when activities change
    hub.ingest("B", [checkin(code, "HALL", "B", local(23, 9, 6))])
    assert hub.conflicts() == []


def test_published_check_ins_are_what_the_hub_stored(hub: HubStore) -> None:
    """The push path publishes rows as inserted (no read-back): equal to exporting them."""
    import json

    from checkin_app.sync import tables as st
    from checkin_app.sync.protocol import canonical

    code, vip = MiniEvent().attendee, MiniEvent().vip
    a = checkin(code, "HALL", "A", local(23, 9, 5))
    b = checkin(code, "HALL", "B", local(23, 9, 6))  # flagged as it goes in
    c = checkin(vip, "MAIN", "C", local(23, 9, 7))
    del c["payload"]["reason"], c["payload"]["forced"]  # an older desk: the defaults apply
    hub.ingest_many([("A", [a]), ("B", [b]), ("C", [c])])
    with hub.db.read() as s:
        logged = dict(s.execute(select(mh.HubChange.row_key, mh.HubChange.payload)
                                .where(mh.HubChange.table_name == "checkins")).all())
        exported = {k: canonical(p) for k, p in st.CHECKINS.export(s, None)}
    assert logged == exported
    assert json.loads(logged[b["key"]])["conflict"] is True
    assert json.loads(logged[c["key"]])["forced"] is False


def test_a_batch_answers_repeats_across_its_pushes_for_every_table(hub: HubStore) -> None:
    entry = {"uuid": str(uuidlib.uuid4()), "at": iso(local(23, 9)), "desk": "A", "operator": "v",
             "action": "checkin", "subject": "X", "before_json": "", "after_json": "{}",
             "prev_hash": "0" * 64, "hash": "ab" * 32}
    audit = {"table": "audit", "key": entry["uuid"], "payload": entry}
    item = checkin(MiniEvent().attendee, "MAIN", "A", local(23, 9, 5))
    first, again = hub.ingest_many([("A", [item, audit]), ("A", [audit, item])])
    assert sorted(x["table"] for x in first.stored) == ["audit", "checkins"] and not first.duplicates
    assert again.stored == [] and sorted(x["table"] for x in again.duplicates) == ["audit", "checkins"]
    [seq] = [x["seq"] for x in first.stored if x["table"] == "checkins"]
    assert [x["seq"] for x in again.duplicates if x["table"] == "checkins"] == [seq]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(mh.HubAudit)) == 1


def test_push_batches_and_other_writers_commit_in_sequence_order(hub: HubStore) -> None:
    """A push batch orders itself by the sequence counter's row lock, not the advisory lock."""
    commits: list[tuple[str, int]] = []
    started = threading.Event()

    def slow() -> None:
        with hub.db.write(lock=False) as s:
            seq = hub.allocate(s, 1)
            started.set()
            time.sleep(0.4)
            commits.append(("slow", seq))

    def other(name: str, lock: bool) -> None:
        started.wait(5)
        with hub.db.write(lock=lock) as s:
            seq = hub.allocate(s, 1)
            commits.append((name, seq))

    # The in-process lock would order these threads anyway; a second store (its own lock and
    # pool, like a second hub process) shows the database does it too.
    from checkin_app.hub.db import HubDatabase

    second = HubStore(HubDatabase(hub.db.url, migrate=False)) if not hub.db.is_sqlite else hub
    threads = [threading.Thread(target=slow),
               threading.Thread(target=lambda: second.ingest("B", [checkin(
                   MiniEvent().vip, "MAIN", "B", local(23, 9, 1))]) and commits.append(("push", 0)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    if second is not hub:
        second.db.close()
    assert [name for name, _ in commits] == ["slow", "push"]
