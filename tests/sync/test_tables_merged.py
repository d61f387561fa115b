"""The organiser's merge, decided on the hub's database, reaches desks by sync and by bundle: the
merged record's code checks in the kept person once, counted once at the desk and the hub; APART
undoes it at the desk after the next pull."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import select

from checkin_app.cli import main
from checkin_app.domain.verdicts import Verdict
from checkin_app.hub.bundles import export_hub_data
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.bundle import import_hub_data
from checkin_app.sync.client import DeskSync
from tests.sync.conftest import HubRig
from tests.sync.test_client import DOORS

SURVEY = "编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,参会者\n"
GUESTS = "编号,姓名,单位,电子邮箱,类别\n1,张伟,重庆大学,ZW@cqu.edu.cn,嘉宾\n"


def _merged_into(db: Database, code: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(m.Delegate.merged_into).where(m.Delegate.registration_code == code))


def _pull_until(sync: DeskSync, db: Database, done: Callable[[], bool]) -> None:
    """Sync until `done` (the running hub takes in what another process logged on its next poll)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sync.sync_once()
        if done():
            return
        time.sleep(0.3)
    pytest.fail("the hub's change never reached the desk")


def _main(db: Database) -> tuple[int, int]:
    s = next(x for x in CatalogService(db, DOORS).stats() if x.activity_code == "MAIN")
    return s.registered, s.checked_in


def test_a_merge_at_the_hub_reaches_the_desk_and_apart_undoes_it(
        rig: HubRig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk, sync = rig.desk(tmp_path, "Desk A")
    sync.sync_once()
    hub_db = cast(Database, rig.store.db)
    registered, checked_in = _main(desk)
    hub_before = _main(hub_db)
    survey, guests = tmp_path / "survey.csv", tmp_path / "guests.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    guests.write_text(GUESTS, encoding="utf-8")
    hub = ["--db", str(rig.path)]
    assert main(["import", str(survey), *hub]) == 0
    assert main(["import", str(guests), *hub, "--merge", "1=GUESTS-1"]) == 0
    assert main(["hub", "publish", *hub]) == 0
    capsys.readouterr()
    with hub_db.read() as s:
        kept_uid = s.scalar(select(m.Delegate.uid).where(m.Delegate.registration_code == "1"))
    assert kept_uid
    _pull_until(sync, desk, lambda: _merged_into(desk, "GUESTS-1") == kept_uid)
    # Two records, one person: counted once among the registered.
    assert _main(desk) == (registered + 1, checked_in)

    scan = CheckInService(desk, DOORS)
    r = scan.scan("GUESTS-1", desk="Desk A")
    assert r.admitted and r.delegate is not None and r.delegate.registration_code == "1"
    assert r.delegate.category.code == "ATTENDEE" and r.details["merged_record"] == "GUESTS-1"
    assert r.next_en.startswith("Merged record: this code is 张伟's (source guests)")
    assert scan.scan("1", desk="Desk A").verdict is Verdict.ALREADY_IN
    assert _main(desk) == (registered + 1, checked_in + 1)
    # The check-in goes to the hub as the kept person's: the dashboard counts one person.
    sync.sync_once()
    with hub_db.read() as s:
        at_hub = s.execute(select(m.Delegate.registration_code).join(
            m.CheckIn, m.CheckIn.delegate_id == m.Delegate.id).where(m.CheckIn.uuid == r.event.uuid)
        ).scalar() if r.event else None
    assert at_hub == "1"
    assert _main(hub_db) == (hub_before[0] + 1, hub_before[1] + 1)

    # A desk filled from a USB bundle knows the merge too.
    bundle = tmp_path / "hub.bundle"
    export_hub_data(rig.store, bundle, ensure_certificate(rig.proc.tls_dir))
    offline = Database(tmp_path / "offline.sqlite3")
    try:
        import_hub_data(offline, bundle, fingerprint=rig.fingerprint)
        assert _merged_into(offline, "GUESTS-1") == kept_uid
        got = CheckInService(offline, DOORS).scan("GUESTS-1", desk="USB desk")
        assert got.delegate is not None and got.delegate.registration_code == "1"
    finally:
        offline.close()

    assert main(["import", str(guests), *hub, "--keep-apart", "1=GUESTS-1"]) == 0
    assert main(["hub", "publish", *hub]) == 0
    _pull_until(sync, desk, lambda: _merged_into(desk, "GUESTS-1") == "")
    apart = scan.scan("GUESTS-1", desk="Desk A")
    assert apart.admitted and apart.delegate is not None
    assert apart.delegate.registration_code == "GUESTS-1" and "merged_record" not in apart.details
    assert _main(desk) == (registered + 2, checked_in + 2)
