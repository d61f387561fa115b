"""`hub event apply` at a running hub: desks get the changed and new activities with their next pull."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.services import event_files as ef
from checkin_app.services.catalog import CatalogService
from checkin_app.services.event_setup import EventSetupService
from tests.sync.conftest import HubRig


def test_a_changed_programme_reaches_a_desk(rig: HubRig, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    desk, sync = rig.desk(tmp_path, "Desk A")
    sync.sync_once()
    assert EventSetupService(desk).current() == ef.chongqing()
    d = ef.chongqing()
    opening = d.activity("OPENING")
    assert opening is not None
    gala = replace(opening, code="GALA", name_zh="欢迎晚宴", name_en="Welcome dinner", capacity=300,
                   mode="single")
    acts = tuple(replace(a, capacity=2500) if a.code == "OPENING" else a for a in d.activities)
    changed = tmp_path / "changed.yaml"
    ef.write_definition(replace(d, activities=(*acts, gala)), changed)
    assert main(["hub", "event", "apply", str(changed), "--db", str(rig.path)]) == 0
    assert "Published 2 changed rows" in capsys.readouterr().out
    # The running hub takes in what another process logged on its next poll of the change log.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sync.sync_once()
        if "GALA" in {a.code for a in CatalogService(desk).activities()}:
            break
        time.sleep(0.3)
    rules = {a.code: a for a in CatalogService(desk).activities()}
    assert rules["OPENING"].capacity == 2500
    assert rules["GALA"].name_en == "Welcome dinner" and not rules["GALA"].reentry
    assert EventSetupService(desk).current() == ef.check_file(changed).definition


def test_an_activity_dropped_at_the_hub_is_archived_so_desks_drop_it(
        rig: HubRig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk, sync = rig.desk(tmp_path, "Desk B")
    sync.sync_once()
    d = ef.chongqing()
    dropped = tmp_path / "dropped.yaml"
    ef.write_definition(replace(d, activities=tuple(a for a in d.activities if a.code != "LAUNCH")), dropped)
    assert main(["hub", "event", "apply", str(dropped), "--db", str(rig.path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"action": "archive"' in out and '"code": "LAUNCH"' in out
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sync.sync_once()
        if "LAUNCH" not in {a.code for a in CatalogService(desk).activities()}:
            break
        time.sleep(0.3)
    assert "LAUNCH" not in {a.code for a in CatalogService(desk).activities()}
    assert "LAUNCH" in {a.code for a in CatalogService(desk).activities(archived=True)}
