"""Check-ins the hub refuses: remembered with the reason, not resent on every push, retried after new data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from checkin_app.services.badges import BadgeService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.conflicts import ConflictService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync.client import DeskSync
from checkin_app.ui.sync_status import status_text, status_tip
from tests.sync.conftest import HubRig
from tests.sync.test_client import DOORS, codes, hub_uuids, scan_all

LATE_UID = "late-registration-0001"
LATE_CODE = "CQ24-LATE-0001"


def _add_late_delegate(db: Database, uid: str = LATE_UID, code: str = LATE_CODE) -> None:
    """The same person the registration system will later hand to the hub (same uid and code)."""
    with db.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "ATTENDEE"))
        assert cat is not None
        s.add(m.Delegate(uid=uid, registration_code=code, name_native="晚到", name_latin="WAN Dao",
                         category_id=cat, status="approved", country="CN",
                         updated_at=datetime(2024, 11, 22, tzinfo=UTC)))


def _print_badge(db: Database, delegate_id: int) -> str:
    """A badge printed for this person (the print log row that travels to the hub); its uuid."""
    svc = BadgeService(db, DOORS)
    job = svc.enqueue(delegate_id, printer="folder:/nowhere", desk="Desk R", operator="volunteer")
    assert job is not None and svc.start(job.uuid) is not None
    svc.finish(job.uuid, ok=True)
    with db.read() as s:
        uuid = s.scalar(select(BadgePrint.uuid).where(BadgePrint.delegate_id == delegate_id))
    assert uuid is not None
    return uuid


def _pull_news(sync: DeskSync) -> None:
    """Long-poll until the hub process has seen rows published in its database from outside."""
    assert sync.pull_once(wait=10.0).applied >= 1
    while sync.pull_once().more:
        pass


def test_a_refused_checkin_waits_for_new_data_and_then_goes_through(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk R")
    sync.sync_once()
    # A person this desk knows (a local list) but the hub does not have yet.
    _add_late_delegate(db)
    late = CheckInService(db, DOORS).scan(LATE_CODE, desk="Desk R")
    assert late.event is not None
    printed = _print_badge(db, late.event.delegate_id)  # the badge that printed on admission
    known = scan_all(db, "Desk R", codes(rig.store, 2))
    assert sync.pending_count() == 4

    first = sync.push_once()
    assert first.stored >= 2 and len(first.rejected) == 2
    assert "unknown delegate" in first.rejected[0] and "unknown delegate" in first.rejected[1]
    assert sorted(hub_uuids(rig.store)) == sorted(known)
    # Counted apart from the queue, and kept with the hub's reason and the time.
    assert sync.pending_count() == 0 and first.remaining == 0
    status = sync.status()
    assert (status.pending, status.refused) == (0, 2)
    refusals = {r.table: r for r in sync.refusals()}
    assert refusals["badge_prints"].key == printed
    refusal = refusals["checkins"]
    assert refusal.key == late.event.uuid
    assert "未知人员" in refusal.reason and "unknown delegate" in refusal.reason
    assert refusal.at is not None
    [item] = [i for i in ConflictService(db).describe(sync.refusals()) if i.table == "checkins"]
    assert (item.name, item.registration_code, item.activity_code) == ("晚到", LATE_CODE, "MAIN")

    # Not resent: neither by the next push, nor after a pull that only brought check-ins.
    again = sync.push_once()
    assert (again.stored, again.duplicates, again.rejected) == (0, 0, [])
    other_db, other = rig.desk(tmp_path, "Desk S")
    other.sync_once()
    scan_all(other_db, "Desk S", codes(rig.store, 1, offset=5))
    other.push_once()
    assert sync.pull_once().applied >= 1
    assert sync.push_once().rejected == [] and sync.refused_count() == 2

    # The hub gets the person (an import there); the desk pulls it; the next push retries.
    _add_late_delegate(rig.store.db)  # type: ignore[arg-type]
    assert rig.store.refresh() >= 1
    _pull_news(sync)
    retried = sync.push_once()
    assert retried.stored >= 2 and retried.rejected == []
    assert late.event.uuid in hub_uuids(rig.store)
    with rig.store.db.read() as s:
        assert s.scalar(select(BadgePrint.id).where(BadgePrint.uuid == printed)) is not None
    assert sync.status().refused == 0 and sync.refusals() == [] and sync.pending_count() == 0
    sync.close_clients()
    other.close_clients()


def test_refused_again_after_unrelated_reference_data_and_retry_on_request(
        rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk T")
    sync.sync_once()
    _add_late_delegate(db)
    late = CheckInService(db, DOORS).scan(LATE_CODE, desk="Desk T")
    assert late.event is not None
    assert len(sync.push_once().rejected) == 1
    # Another delegate changes at the hub: the desk retries once, is refused again, waits again.
    with rig.store.db.write() as s:
        person = s.scalars(select(m.Delegate).order_by(m.Delegate.id).limit(1)).one()
        person.position_en = "Updated at the hub"
    assert rig.store.refresh() == 1
    _pull_news(sync)
    retried = sync.push_once()
    assert len(retried.rejected) == 1 and sync.refused_count() == 1
    assert sync.push_once().rejected == []
    # A manager can ask for a retry without waiting for new data.
    assert sync.retry_refusals() == 1
    assert sync.pending_count() == 1 and sync.refused_count() == 0
    assert len(sync.push_once().rejected) == 1 and sync.refused_count() == 1
    sync.close_clients()


def test_many_refusals_do_not_hold_up_the_checkins_behind_them(rig: HubRig, tmp_path: Path) -> None:
    from checkin_app.sync import client

    db, sync = rig.desk(tmp_path, "Desk U")
    sync.sync_once()
    uids = [f"late-{i:04d}" for i in range(client.PUSH_BATCH + 5)]
    with db.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "ATTENDEE"))
        s.add_all(m.Delegate(uid=u, registration_code=f"CQ24-L{i:04d}", name_native="晚到",
                             name_latin="WAN Dao", category_id=cat, status="approved",
                             updated_at=datetime(2024, 11, 22, tzinfo=UTC)) for i, u in enumerate(uids))
    scan_all(db, "Desk U", [f"CQ24-L{i:04d}" for i in range(len(uids))])
    behind = scan_all(db, "Desk U", codes(rig.store, 3))
    result = sync.push_once()  # the first batch is all refusals; the rest still goes in this push
    assert len(result.rejected) == len(uids) and result.remaining == 0
    assert set(behind) <= set(hub_uuids(rig.store))
    assert sync.refused_count() == len(uids)
    sync.close_clients()


def test_status_bar_counts_refused_apart_from_pending() -> None:
    from checkin_app.sync.client import SyncStatus

    at = datetime(2024, 11, 23, 1, 31, 5, tzinfo=UTC)
    text_en, _, _ = status_text(SyncStatus(True, True, 3, at, refused=2), "en")
    tip_en = status_tip(SyncStatus(True, True, 3, at, refused=2), "en")
    text_zh, _, _ = status_text(SyncStatus(True, True, 3, at, refused=2), "zh")
    # Short on the bar (it must fit a 1366 px window), spelled out in the tooltip.
    assert text_en == "● Online · last sync 09:31:05 · 3 not on hub · 2 refused"
    assert "Refused by the hub: 2" in tip_en
    assert text_zh == "● 在线 · 上次同步 09:31:05 · 未上传 3 · 中心拒收 2 条"
    assert "refused" not in status_text(SyncStatus(True, True, 0, at), "en")[0]
