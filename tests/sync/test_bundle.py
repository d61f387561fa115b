"""Offline bundles: a desk's unsynced events to the hub by file, the hub's data to an offline desk."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkin_app.hub.bundles import export_hub_data, import_desk_events
from checkin_app.services.checkin import CheckInService
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.bundle import export_desk_events, import_hub_data
from checkin_app.sync.protocol import SyncError
from tests.sync.conftest import build_hub
from tests.sync.test_client import DOORS


def test_round_trip_through_files_is_idempotent(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub.sqlite3", 200)
    try:
        hub_file = tmp_path / "hub-data.bundle"
        assert export_hub_data(hub, hub_file).items > 200
        desk = Database(tmp_path / "offline.sqlite3")
        try:
            info = import_hub_data(desk, hub_file)
            assert import_hub_data(desk, hub_file).items == info.items  # again: nothing changes
            with desk.read() as s:
                assert s.scalar(select(func.count()).select_from(m.Delegate)) == 200
            assert SearchService(desk).search("zhang")
            code = next(iter(SearchService(desk).search("zhang"))).registration_code
            r = CheckInService(desk, DOORS).scan(code, desk="USB desk")
            assert r.event is not None
            out = tmp_path / "desk-events.bundle"
            exported = export_desk_events(desk, out)
            assert exported.items >= 2 and exported.desk  # the check-in and its audit entry
            _info, first = import_desk_events(hub, out)
            _info, again = import_desk_events(hub, out)
            assert [s["key"] for s in first.stored if s["table"] == "checkins"] == [r.event.uuid]
            assert again.stored == [] and len(again.duplicates) == len(first.stored)
            with hub.db.read() as s:
                assert s.scalar(select(func.count()).select_from(m.CheckIn)) == 1
        finally:
            desk.close()
    finally:
        hub.db.close()


def test_a_cut_short_bundle_is_refused_whole(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub.sqlite3", 50)
    try:
        full = tmp_path / "full.bundle"
        export_hub_data(hub, full)
        raw = gzip.decompress(full.read_bytes())
        cut = tmp_path / "cut.bundle"
        cut.write_bytes(gzip.compress(raw[: len(raw) // 2]))
        desk = Database(tmp_path / "d.sqlite3")
        try:
            with pytest.raises(SyncError, match="cut short"):
                import_hub_data(desk, cut)
            with desk.read() as s:
                assert s.scalar(select(func.count()).select_from(m.Delegate)) == 0
            with pytest.raises(SyncError, match="not a desk's export"):
                import_desk_events(hub, full)
        finally:
            desk.close()
    finally:
        hub.db.close()
