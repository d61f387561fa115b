"""Badges through the hub (real hub process): prints, serial revocations after a reprint, printer state."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from checkin_app.domain import tokens
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.hub.enrolment import EVENT_KEY_ENV
from checkin_app.printing.runner import JobRunner
from checkin_app.printing.status import PrinterState
from checkin_app.services.badge_codes import badge_code
from checkin_app.services.badges import DONE, BadgeService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.keys import write_key_file
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import dumps, gzip_bytes
from checkin_app.sync.transport import make_client
from tests.sync.conftest import HubRig

DOORS = FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def keyed_rig(make_rig: Callable[..., HubRig], tmp_path: Path) -> HubRig:
    """A hub started with an event key, so every desk it enrols signs badge codes."""
    key_file = tmp_path / "event-key.pem"
    write_key_file(key_file, Ed25519PrivateKey.generate())
    return make_rig(env={EVENT_KEY_ENV: str(key_file)})


def first_approved(db: Database) -> tuple[int, str]:
    """(id, registration code) of the first approved delegate (admitted to MAIN)."""
    with db.read() as s:
        row = s.execute(select(m.Delegate.id, m.Delegate.registration_code)
                        .where(m.Delegate.status == "approved").order_by(m.Delegate.id).limit(1)).one()
    return int(row.id), str(row.registration_code)


def hub_prints(rig: HubRig) -> list[tuple[str, int, str]]:
    with rig.store.db.read() as s:
        return [(r.uuid, r.badge_serial, r.desk) for r in s.scalars(select(BadgePrint))]


def print_badge(db: Database, delegate_id: int, folder: Path, desk: str) -> str:
    """Queue and really print (to a PDF folder) one badge; returns the job uuid."""
    service = BadgeService(db, DOORS)
    job = service.enqueue(delegate_id, printer=f"folder:{folder}", desk=desk, operator="auto",
                          auto=True)
    assert job is not None
    outcome = JobRunner(service).run(job.uuid)
    assert outcome is not None and outcome.job.state == DONE, outcome
    return job.uuid


def test_a_print_reaches_the_hub_once_and_other_desks_do_not_print_it_again(
        rig: HubRig, tmp_path: Path) -> None:
    db_a, sync_a = rig.desk(tmp_path, "Desk A")
    db_b, sync_b = rig.desk(tmp_path, "Desk B")
    sync_a.sync_once()
    sync_b.sync_once()
    did, _code = first_approved(db_a)
    print_badge(db_a, did, tmp_path / "pdf-a", "Desk A")
    assert sync_a.pending_count() == 1  # the print is waiting for the hub

    with db_a.read() as s:
        items, _ = sync_a._outbox(s)
    prints = [i for i in items if i["table"] == "badge_prints"]
    assert len(prints) == 1
    cfg = sync_a.config()
    assert cfg is not None
    body = gzip_bytes(dumps({"items": prints}))
    with make_client(cfg.url, fingerprint=cfg.fingerprint, cert_pem=cfg.cert_pem, token=cfg.token) as c:
        first = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"}).json()
        again = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"}).json()
    assert [i["key"] for i in first["stored"]] == [prints[0]["key"]] and not first["rejected"]
    assert not again["stored"] and [i["key"] for i in again["duplicates"]] == [prints[0]["key"]]
    result = sync_a.push_once()  # the desk never saw those answers: it pushes the print again
    assert result.remaining == 0 and result.duplicates == 1  # (its audit entries are new)
    assert sync_a.pending_count() == 0
    assert hub_prints(rig) == [(prints[0]["key"], 1, "Desk A")]

    sync_b.sync_once()
    service_b = BadgeService(db_b, DOORS)
    with db_b.read() as s:
        did_b = s.scalar(select(m.Delegate.id).where(m.Delegate.uid == prints[0]["payload"]["delegate"]))
    assert did_b is not None
    assert service_b.printed_current(did_b)  # printed at Desk A
    assert service_b.enqueue(did_b, printer="folder:/nowhere", desk="Desk B", operator="auto",
                             auto=True) is None
    # A pulled print is the hub's already: Desk B never pushes it back.
    assert sync_b.pending_count() == 0
    sync_b.sync_once()
    assert len(hub_prints(rig)) == 1
    sync_a.close_clients()
    sync_b.close_clients()


def test_a_reprint_at_one_desk_revokes_the_old_badge_at_every_desk(
        keyed_rig: HubRig, tmp_path: Path) -> None:
    rig = keyed_rig
    db_a, sync_a = rig.desk(tmp_path, "Desk A")
    db_b, sync_b = rig.desk(tmp_path, "Desk B")
    sync_a.sync_once()
    sync_b.sync_once()
    did, _code = first_approved(db_a)
    with db_a.read() as s:
        old_token = badge_code(s, did)
        uid = s.scalar(select(m.Delegate.uid).where(m.Delegate.id == did))
    assert old_token.startswith(tokens.PREFIX), old_token  # signed by Desk A's certified key

    reprint = BadgeService(db_a, DOORS).reprint(did, reason="lost", desk="Desk A", operator="lead",
                                                printer=f"folder:{tmp_path / 'pdf-a'}")
    assert (reprint.old_serial, reprint.new_serial) == (1, 2)
    JobRunner(BadgeService(db_a, DOORS)).run(reprint.job.uuid)
    with db_a.read() as s:
        new_token = badge_code(s, did)
    assert sync_a.pending_count() == 2  # the revocation and the print
    pushed = sync_a.push_once()
    assert pushed.remaining == 0 and not pushed.rejected

    with rig.store.db.read() as s:
        hub_serial = s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.uid == uid))
        hub_revoked = s.execute(select(sec.BadgeRevocation.serial, sec.BadgeRevocation.desk)).all()
    assert hub_serial == 2 and [tuple(r) for r in hub_revoked] == [(1, "Desk A")]

    scan_b = CheckInService(db_b, DOORS)
    sync_b.sync_once()
    with db_b.read() as s:
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.id == did)) == 2
    old = scan_b.scan(old_token, activity_code="MAIN", desk="Desk B")
    assert old.verdict is Verdict.REVOKED and old.event is None
    assert "at desk Desk A" in old.message_en and "badge is no. 2" in old.message_en, old.message_en
    new = scan_b.scan(new_token, activity_code="MAIN", desk="Desk B")
    assert new.admitted and new.event is not None and new.delegate is not None
    assert new.delegate.id == did

    # A desk enrolled after the reprint downloads the delegate late in the feed (the row changed)
    # and still files everyone under the hub's ids, so tokens name the same people there.
    db_c, sync_c = rig.desk(tmp_path, "Desk C")
    sync_c.sync_once()
    with db_c.read() as s, rig.store.db.read() as h:
        assert dict(s.execute(select(m.Delegate.uid, m.Delegate.id)).all()) == dict(
            h.execute(select(m.Delegate.uid, m.Delegate.id)).all())
        assert s.scalar(select(func.count()).select_from(sec.BadgeRevocation)) == 1
    scan_c = CheckInService(db_c, DOORS)
    assert scan_c.scan(old_token, activity_code="MAIN", desk="Desk C").verdict is Verdict.REVOKED
    at_c = scan_c.scan(new_token, activity_code="MAIN", desk="Desk C")
    assert at_c.admitted and at_c.delegate is not None and at_c.delegate.id == did

    # Desk A's own revocation and print came back from the hub without being duplicated.
    sync_a.sync_once()
    with db_a.read() as s:
        assert s.scalar(select(func.count()).select_from(sec.BadgeRevocation)) == 1
        assert s.scalar(select(func.count()).select_from(BadgePrint)) == 1
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.id == did)) == 2
    for sync in (sync_a, sync_b, sync_c):
        sync.close_clients()


def test_a_desk_reports_its_printer_state_to_the_hub(rig: HubRig, tmp_path: Path) -> None:
    db = Database(tmp_path / "desk-P.sqlite3")
    rig.desks.append(db)
    sync = DeskSync(db, printer_state=PrinterState(db, max_age_s=0))
    sync.enrol(rig.code("Desk P"))
    sync.sync_once()
    BadgeService(db, DOORS).save_settings(desk="Desk P", operator="lead",
                                          printer=f"folder:{tmp_path / 'badges'}")
    did, _code = first_approved(db)
    assert BadgeService(db, DOORS).enqueue(did, printer="lp:nowhere", desk="Desk P",
                                           operator="auto") is not None
    expected = "打印机 PDF 文件夹 badges 正常 · 队列 1 / Printer PDF folder badges ok · 1 queued"
    assert sync.printer_state() == expected
    sync.pull_once()

    deadline = time.monotonic() + 10  # the hub writes desk health about once a second
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = {d.name: d.printer_state for d in rig.store.desks()}
        if states.get("Desk P") == expected:
            break
        time.sleep(0.2)
    assert states.get("Desk P") == expected
    sync.close_clients()
