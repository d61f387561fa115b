"""Print queue, print log, auto-print decision and reprints (new serial, old one revoked)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.badges import (
    CANCELLED,
    DONE,
    FAILED,
    QUEUED,
    BadgeService,
    BadgeServiceError,
    Selection,
)
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import make_event


@pytest.fixture
def svc(db: Database, clock: FixedClock) -> tuple[BadgeService, int]:
    codes = make_event(db)
    with db.read() as s:
        did = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == codes.vip))
    assert did is not None
    return BadgeService(db, clock), did


def _print(service: BadgeService, job_uuid: str, ok: bool = True) -> None:
    assert service.start(job_uuid) is not None
    service.finish(job_uuid, ok=ok, message="" if ok else "paper jam\n卡纸")


def test_auto_print_happens_once_per_serial(svc: tuple[BadgeService, int]) -> None:
    service, did = svc
    job = service.enqueue(did, printer="folder:/tmp/x", desk="D1", operator="auto", auto=True)
    assert job is not None and job.state == QUEUED and job.badge_serial == 1
    # While it waits, a second admission does not queue another badge.
    assert service.enqueue(did, printer="folder:/tmp/x", desk="D1", operator="auto", auto=True) is None
    _print(service, job.uuid)
    assert service.printed_current(did)
    assert service.enqueue(did, printer="folder:/tmp/x", desk="D2", operator="auto", auto=True) is None
    log = service.log(did)
    assert [e.outcome for e in log] == [DONE]
    assert log[0].desk == "D1" and log[0].printer == "folder:/tmp/x" and log[0].badge_serial == 1


def test_a_failed_print_does_not_count_as_printed(svc: tuple[BadgeService, int]) -> None:
    service, did = svc
    job = service.enqueue(did, printer="lp:X", desk="D1", operator="auto", auto=True)
    assert job is not None
    _print(service, job.uuid, ok=False)
    assert service.job(job.uuid).state == FAILED and "paper jam" in service.job(job.uuid).error
    assert not service.printed_current(did)
    retried = service.retry(job.uuid, operator="manager")
    assert retried.state == QUEUED
    moved = service.redirect(job.uuid, "folder:/tmp/y", operator="manager")
    assert moved.printer == "folder:/tmp/y"
    assert service.cancel(job.uuid, operator="manager").state == CANCELLED
    with pytest.raises(BadgeServiceError, match="cannot be cancelled"):
        service.cancel(job.uuid, operator="manager")


def test_a_failed_auto_print_stays_one_job_until_a_manager_retries(
        svc: tuple[BadgeService, int]) -> None:
    service, did = svc
    job = service.enqueue(did, printer="lp:X", desk="D1", operator="auto", auto=True)
    assert job is not None
    _print(service, job.uuid, ok=False)
    # Later scans of that person (at this desk or another) queue no second job.
    for desk in ("D1", "D1", "D2"):
        assert service.enqueue(did, printer="lp:X", desk=desk, operator="auto", auto=True) is None
    assert [(j.uuid, j.state) for j in service.jobs()] == [(job.uuid, FAILED)]
    service.retry(job.uuid, operator="manager", printer="folder:/tmp/x")
    _print(service, job.uuid)
    assert service.printed_current(did) and len(service.jobs()) == 1
    # A manager may still print another copy by hand.
    assert service.enqueue(did, printer="lp:X", desk="D1", operator="m", reason="manual") is not None


def test_reprint_issues_a_new_serial_and_revokes_the_old(svc: tuple[BadgeService, int],
                                                         db: Database) -> None:
    service, did = svc
    first = service.enqueue(did, printer="folder:/tmp/x", desk="D1", operator="auto", auto=True)
    assert first is not None
    _print(service, first.uuid)
    with db.write() as s:
        d = s.get(m.Delegate, did)
        assert d is not None
        d.badge_outdated = True
    with pytest.raises(BadgeServiceError, match="reprint reason"):
        service.reprint(did, reason="because", desk="D1", operator="manager", printer="folder:/x")
    r = service.reprint(did, reason="lost", desk="D1", operator="manager", printer="folder:/x")
    assert (r.old_serial, r.new_serial) == (1, 2) and r.job.badge_serial == 2
    assert r.job.reason == "lost" and r.job.state == QUEUED
    with db.read() as s:
        d = s.get(m.Delegate, did)
        assert d is not None and d.badge_serial == 2 and not d.badge_outdated
        actions = [(a.action, a.after_json) for a in s.scalars(select(m.AuditEntry))]
    revoked = [json.loads(after) for action, after in actions if action == "revoke_serial"]
    assert revoked and revoked[-1]["serial"] == 1
    assert any(action == "badge_reprint" for action, _ in actions)
    assert any(action == "badge_print" for action, _ in actions)
    # The new serial has not been printed yet, so auto-print would print it.
    assert not service.printed_current(did)


def test_start_takes_the_current_serial_and_skips_cancelled_jobs(svc: tuple[BadgeService, int]) -> None:
    service, did = svc
    job = service.enqueue(did, printer="folder:/x", desk="D1", operator="m", reason="manual")
    assert job is not None
    service.cancel(job.uuid, operator="m")
    assert service.start(job.uuid) is None
    job2 = service.enqueue(did, printer="folder:/x", desk="D1", operator="m", reason="manual")
    assert job2 is not None
    claimed = service.start(job2.uuid)
    assert claimed is not None
    view, data = claimed
    assert view.attempts == 1 and data.badge_serial == view.badge_serial
    assert data.code and data.event_en == "Test Conference"
    # A crash while printing: the job becomes failed, visible and retryable.
    assert service.recover_interrupted("D1") == 1
    assert service.job(job2.uuid).state == FAILED


def test_a_job_for_a_serial_reissued_elsewhere_never_prints(svc: tuple[BadgeService, int],
                                                             db: Database) -> None:
    """Desk D1's badge is stuck in its queue; another desk reprints it (the hub moves the serial)."""
    service, did = svc
    stuck = service.enqueue(did, printer="lp:X", desk="D1", operator="auto", auto=True)
    failed = service.enqueue(did, printer="lp:X", desk="D1", operator="m", reason="manual")
    assert stuck is not None and failed is not None
    _print(service, failed.uuid, ok=False)
    with db.write() as s:  # what a pull does when another desk's reprint arrives
        d = s.get(m.Delegate, did)
        assert d is not None
        d.badge_serial = 2
    assert service.start(stuck.uuid) is None
    job = service.job(stuck.uuid)
    assert job.state == CANCELLED and "reissued as serial 2" in job.error and "第 2 号" in job.error
    assert (CANCELLED, 1) in [(e.outcome, e.badge_serial) for e in service.log(did)]
    with pytest.raises(BadgeServiceError, match="Use Reprint"):
        service.retry(failed.uuid, operator="manager")
    # The reissued serial itself prints normally.
    fresh = service.enqueue(did, printer="lp:X", desk="D1", operator="auto", auto=True)
    assert fresh is not None and fresh.badge_serial == 2
    claimed = service.start(fresh.uuid)
    assert claimed is not None and claimed[1].badge_serial == 2


def test_selection_by_category_and_activity(svc: tuple[BadgeService, int]) -> None:
    service, _ = svc
    assert service.count(Selection(categories=("VIP",))) == 1
    # HALL admits ATTENDEE and VIP, plus one MEDIA by exception, minus one ATTENDEE excluded.
    names = {d.registration_code for d in service.iter_badge_data(Selection(activity="HALL"))}
    assert "CQ24-MED002" in names and "CQ24-ATT002" not in names and "CQ24-CAN001" not in names
    assert len(list(service.iter_badge_data(Selection(), chunk=2))) == service.count(Selection())
    with pytest.raises(BadgeServiceError, match="No activity"):
        service.count(Selection(activity="NOPE"))


def test_settings_default_to_auto_print_on_the_system_printer(svc: tuple[BadgeService, int]) -> None:
    service, _ = svc
    s = service.settings()
    assert s.auto_print and s.printer == "qt:" and s.template == ""
    s = service.save_settings(desk="D1", operator="manager", auto_print=False,
                              printer="lp:PDF", template="vip")
    assert (s.auto_print, s.printer, s.template) == (False, "lp:PDF", "vip")
