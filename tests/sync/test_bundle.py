"""Offline bundles: a desk's unsynced events to the hub by file, the hub's data to an offline desk."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import func, select

from checkin_app.hub.bundles import export_hub_data, import_desk_events
from checkin_app.services.checkin import CheckInService
from checkin_app.services.keys import KeyService
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.sync.bundle import export_desk_events, import_hub_data
from checkin_app.sync.protocol import SyncError
from tests.factories import MiniEvent, make_event
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
            with pytest.raises(SyncError, match="not signed"):
                import_desk_events(hub, out)  # this desk holds no certified key
            _info, first = import_desk_events(hub, out, allow_unsigned=True)
            _info, again = import_desk_events(hub, out, allow_unsigned=True)
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


def _rewrite(src: Path, dst: Path, edit: Callable[[list[bytes]], None]) -> None:
    lines = gzip.decompress(src.read_bytes()).splitlines(keepends=True)
    edit(lines)
    dst.write_bytes(gzip.compress(b"".join(lines)))


def test_a_signed_bundle_is_verified_and_any_change_refused(tmp_path: Path) -> None:
    """A desk the hub never saw online signs with its certified key; the hub checks it all."""
    hub = build_hub(tmp_path / "hub.sqlite3", 60)
    key_file = tmp_path / "event-key.pem"
    try:
        hub_db = cast(Database, hub.db._sqlite)
        KeyService(hub_db).init_event(key_file, desk_name="Hub", desk="hub", operator="organiser")
        hub.refresh()
        hub_file = tmp_path / "hub-data.bundle"
        export_hub_data(hub, hub_file)
        desk = Database(tmp_path / "offline.sqlite3")
        try:
            import_hub_data(desk, hub_file)
            # The organiser certifies the desk from the hub's registry (the hub keeps the public half).
            KeyService(hub_db).certify_desk(key_file, desk_name="USB desk", desk="hub",
                                            operator="organiser", desk_db=desk)
            code = next(iter(SearchService(desk).search("zhang"))).registration_code
            r = CheckInService(desk, DOORS).scan(code, desk="USB desk")
            assert r.event is not None
            out = tmp_path / "signed.bundle"
            info = export_desk_events(desk, out)
            assert info.signed_by.startswith("USB desk (key ")
            # Altered on the way: one check-in's desk changed, checksum recomputed by the forger
            # too (the signature still covers the original).
            forged = tmp_path / "forged.bundle"

            def swap_desk(lines: list[bytes]) -> None:
                i = next(n for n, line in enumerate(lines) if b'"checkins"' in line)
                lines[i] = lines[i].replace(b'"USB desk"', b'"Other desk"')
                body = b"".join(lines[:-1])
                end = json.loads(lines[-1])
                end["sha256"] = hashlib.sha256(body).hexdigest()
                lines[-1] = json.dumps(end).encode() + b"\n"

            _rewrite(out, forged, swap_desk)
            with pytest.raises(SyncError, match="content does not match the signature"):
                import_desk_events(hub, forged)
            # Altered without fixing the checksum: caught before any signature check.
            tampered = tmp_path / "tampered.bundle"
            _rewrite(out, tampered, lambda lines: lines.insert(1, lines[1]))
            with pytest.raises(SyncError, match=r"altered|cut short"):
                import_desk_events(hub, tampered)
            with hub.db.read() as s:
                assert s.scalar(select(func.count()).select_from(m.CheckIn)) == 0
            # The genuine file goes in, signer named.
            got, result = import_desk_events(hub, out)
            assert got.signed_by == info.signed_by
            assert [x["key"] for x in result.stored if x["table"] == "checkins"] == [r.event.uuid]
            # Once the desk's key is revoked (a lost laptop), its bundles are refused.
            with desk.read() as s:
                key_id = s.scalar(select(sec.DeskKey.key_id).where(sec.DeskKey.private_key.is_not(None)))
            assert key_id is not None
            KeyService(hub_db).revoke_desk(key_id, reason="laptop lost", desk="hub", operator="organiser")
            with pytest.raises(SyncError, match=r"revoked.*laptop lost"):
                import_desk_events(hub, out)
        finally:
            desk.close()
    finally:
        hub.db.close()


def test_a_stranger_certificate_is_refused(tmp_path: Path) -> None:
    """A key certified by some other event key (not this hub's) does not vouch for anything here."""
    hub = build_hub(tmp_path / "hub.sqlite3", 30)
    try:
        KeyService(cast(Database, hub.db._sqlite)).init_event(tmp_path / "ours.pem", desk_name="Hub",
                                                              desk="hub", operator="o")
        stranger = Database(tmp_path / "stranger.sqlite3")
        try:
            make_event(stranger)
            KeyService(stranger).init_event(tmp_path / "theirs.pem", desk_name="X", desk="X",
                                            operator="o")
            CheckInService(stranger, DOORS).scan(MiniEvent().attendee, desk="X")
            out = tmp_path / "stranger.bundle"
            assert export_desk_events(stranger, out).signed_by
            with pytest.raises(SyncError, match="event key this hub does not know"):
                import_desk_events(hub, out, allow_unsigned=True)
        finally:
            stranger.close()
    finally:
        hub.db.close()
