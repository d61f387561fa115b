"""The desk core: every service built once on a real SQLite file, fakes through the same constructor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from checkin_app.desk import Bundles, DeskCore, WalkIns
from checkin_app.domain.clock import FixedClock
from checkin_app.services.badges import BadgeService
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.conflicts import ConflictService
from checkin_app.services.importing import ImportService
from checkin_app.services.pins import PinService
from checkin_app.services.search import SearchService
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from tests.sync.conftest import HubRig, make_rig  # noqa: F401  (fixture)


def test_core_builds_every_desk_service_on_one_database(demo_db: Database,
                                                         clock: FixedClock) -> None:
    core = DeskCore(demo_db, clock)
    assert isinstance(core.checkin, CheckInService) and core.checkin.db is demo_db
    assert isinstance(core.catalog, CatalogService) and core.catalog.db is demo_db
    assert isinstance(core.search, SearchService)
    assert isinstance(core.badges, BadgeService) and core.badges.db is demo_db
    assert isinstance(core.pins, PinService) and core.pins.db is demo_db
    assert isinstance(core.conflicts, ConflictService) and core.conflicts.db is demo_db
    assert isinstance(core.walkins, WalkIns) and isinstance(core.bundles, Bundles)
    assert isinstance(core.importer, ImportService) and core.importer is core.importer
    assert core.clock is clock and core.db_path == Path(demo_db.path)
    # They work: the demo's event and people are read through them.
    event = core.catalog.event()
    assert event is not None and core.catalog.activities()
    assert core.search.search("zhang", limit=3)
    assert [c.code for c in core.walkins.categories()]
    assert core.badges.settings().auto_print
    assert core.pins.has_managers() is False
    assert core.conflicts.conflicts() == []
    assert "打印" in core.printer_state() or "print" in core.printer_state().lower()


def test_sync_is_none_until_the_desk_is_enrolled(demo_db: Database, clock: FixedClock) -> None:
    core = DeskCore(demo_db, clock)
    assert core.sync is None and core.can_sync
    standalone = DeskCore(demo_db, clock, hub=False)
    assert standalone.sync is None and not standalone.can_sync
    with pytest.raises(RuntimeError, match="hub"):
        standalone.enrol("checkin-enrol:v1?u=x")


def test_enrol_gives_the_core_its_sync_and_a_new_core_finds_it(
        tmp_path: Path, clock: FixedClock, make_rig: Callable[..., HubRig]) -> None:  # noqa: F811
    rig = make_rig()
    path = tmp_path / "laptop.sqlite3"
    core = DeskCore(path, clock)
    try:
        config = core.enrol(rig.code("North gate"))
        assert config.desk == "North gate"
        assert isinstance(core.sync, DeskSync) and core.sync.status().enrolled
    finally:
        core.close()
    again = DeskCore(path, clock)  # the next start of the desk
    try:
        assert again.sync is not None and again.sync.config() is not None
    finally:
        again.close()


def test_fakes_go_through_the_same_constructor(demo_db: Database, clock: FixedClock) -> None:
    class CountingCheckIn(CheckInService):
        scans = 0

        def scan(self, raw: str, **kwargs: object) -> object:  # type: ignore[override]
            CountingCheckIn.scans += 1
            return super().scan(raw, **kwargs)  # type: ignore[arg-type]

    fake = CountingCheckIn(demo_db, clock)
    core = DeskCore(demo_db, clock, checkin=fake)
    assert core.checkin is fake
    core.checkin.scan("GARBAGE-000001", desk="Test")
    assert CountingCheckIn.scans == 1
    # Walk-ins check in through the replaced service, like the desk's scans.
    assert core.walkins._checkin is fake


def test_core_closes_only_a_database_it_opened(tmp_path: Path, clock: FixedClock) -> None:
    # A closed Database has stopped its checkpoint thread (it stays usable otherwise).
    given = Database(tmp_path / "given.sqlite3")
    DeskCore(given, clock).close()
    assert given._checkpointer.is_alive()
    given.close()
    opened = DeskCore(str(tmp_path / "opened.sqlite3"), clock)
    assert opened.db_path.exists()
    db = opened.checkin.db
    assert db._checkpointer.is_alive()
    opened.close()
    assert not db._checkpointer.is_alive()
