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
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services.checkin import CheckInService
from checkin_app.services.keys import KeyService
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.sync.bundle import export_desk_events, import_hub_data
from checkin_app.sync.protocol import SyncError
from tests.factories import MiniEvent, make_event
from tests.sync.conftest import HubRig, build_hub
from tests.sync.test_client import DOORS


def test_round_trip_through_files_is_idempotent(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub.sqlite3", 200)
    try:
        hub_file = tmp_path / "hub-data.bundle"
        cert = ensure_certificate(tmp_path / "tls")
        assert export_hub_data(hub, hub_file, cert).items > 200
        desk = Database(tmp_path / "offline.sqlite3")
        try:
            info = import_hub_data(desk, hub_file, fingerprint=cert.fingerprint)
            assert info.signed_by.startswith(f"hub {cert.fingerprint[:16]}")
            again = import_hub_data(desk, hub_file, fingerprint=cert.fingerprint)
            assert again.items == info.items  # again: nothing changes
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
        export_hub_data(hub, full, ensure_certificate(tmp_path / "tls"))
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
        cert = ensure_certificate(tmp_path / "tls")
        export_hub_data(hub, hub_file, cert)
        desk = Database(tmp_path / "offline.sqlite3")
        try:
            import_hub_data(desk, hub_file, fingerprint=cert.fingerprint)
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


def _delegates(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Delegate)) or 0)


def test_a_hub_bundle_comes_only_from_the_hub_the_desk_trusts(tmp_path: Path) -> None:
    """Who may be admitted comes on a USB stick: it must be the hub's, and unchanged."""
    hub = build_hub(tmp_path / "hub.sqlite3", 40)
    try:
        cert = ensure_certificate(tmp_path / "tls")
        other = ensure_certificate(tmp_path / "other-tls")
        genuine = tmp_path / "hub.bundle"
        export_hub_data(hub, genuine, cert)
        desk = Database(tmp_path / "offline.sqlite3")
        try:
            with pytest.raises(SyncError, match="--fingerprint"):
                import_hub_data(desk, genuine)  # never enrolled, no fingerprint given
            with pytest.raises(SyncError, match="signed by another hub"):
                import_hub_data(desk, genuine, fingerprint=other.fingerprint)
            # A delegate slipped in, checksum recomputed: the hub's signature does not cover it.
            forged = tmp_path / "forged.bundle"

            def add_person(lines: list[bytes]) -> None:
                i = next(n for n, line in enumerate(lines) if b'"t": "delegates"' in line
                         or b'"t":"delegates"' in line)
                lines.insert(i, lines[i].replace(b'"uid":"', b'"uid":"x').replace(b'"uid": "', b'"uid": "x'))
                body = b"".join(lines[:-1])
                end = json.loads(lines[-1])
                end["sha256"], end["count"] = hashlib.sha256(body).hexdigest(), end["count"] + 1
                lines[-1] = json.dumps(end).encode() + b"\n"

            _rewrite(genuine, forged, add_person)
            with pytest.raises(SyncError, match="invalid signature"):
                import_hub_data(desk, forged, fingerprint=cert.fingerprint)
            # Signed by another hub, certificate and all: refused for its fingerprint.
            impostor = tmp_path / "impostor.bundle"
            export_hub_data(hub, impostor, other)
            with pytest.raises(SyncError, match="signed by another hub"):
                import_hub_data(desk, impostor, fingerprint=cert.fingerprint.upper())
            # An unsigned bundle (an older hub) only when the organiser says so.
            unsigned = tmp_path / "unsigned.bundle"
            export_hub_data(hub, unsigned)
            with pytest.raises(SyncError, match="not signed by a hub"):
                import_hub_data(desk, unsigned, fingerprint=cert.fingerprint)
            assert _delegates(desk) == 0  # nothing refused was applied
            assert import_hub_data(desk, unsigned, allow_unsigned=True).signed_by == ""
            assert _delegates(desk) == 40
        finally:
            desk.close()
    finally:
        hub.db.close()


def test_an_enrolled_desk_checks_a_hub_bundle_against_its_pinned_hub(rig: HubRig, tmp_path: Path) -> None:
    desk, sync = rig.desk(tmp_path, "Desk U")
    sync.close_clients()
    bundle = tmp_path / "hub.bundle"
    export_hub_data(rig.store, bundle, ensure_certificate(rig.proc.tls_dir))
    info = import_hub_data(desk, bundle)  # no fingerprint needed: the one pinned at enrolment
    assert info.signed_by.startswith(f"hub {rig.fingerprint[:16]}") and info.items > 300
    stranger = tmp_path / "stranger.bundle"
    export_hub_data(rig.store, stranger, ensure_certificate(tmp_path / "stranger-tls"))
    with pytest.raises(SyncError, match="signed by another hub"):
        import_hub_data(desk, stranger)


def test_the_usb_stick_round_trip_from_the_command_line(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from checkin_app.cli import main

    hub = build_hub(tmp_path / "hub.sqlite3", 30)
    hub.db.close()
    tls, stick, desk = tmp_path / "tls", tmp_path / "stick.bundle", tmp_path / "desk.sqlite3"
    assert main(["hub", "bundle", "export-delegates", str(stick), "--db", str(tmp_path / "hub.sqlite3"),
                 "--tls-dir", str(tls)]) == 0
    out = capsys.readouterr().out
    fp = ensure_certificate(tls).fingerprint
    assert f"--fingerprint {fp}" in out  # what to type at the offline desk
    assert main(["bundle", "import", str(stick), "--db", str(desk)]) == 2
    assert "--fingerprint" in capsys.readouterr().err
    assert main(["bundle", "import", str(stick), "--db", str(desk), "--fingerprint", fp]) == 0
    assert "signature verified: hub" in capsys.readouterr().out
    db = Database(desk)
    try:
        assert _delegates(db) == 30
    finally:
        db.close()


def test_an_older_stick_never_turns_newer_data_back(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub.sqlite3", 30)
    cert = ensure_certificate(tmp_path / "tls")
    desk = Database(tmp_path / "offline.sqlite3")
    try:
        old_stick, new_stick = tmp_path / "monday.bundle", tmp_path / "tuesday.bundle"
        export_hub_data(hub, old_stick, cert)
        with hub.db.write() as s:
            person = s.scalars(select(m.Delegate).order_by(m.Delegate.id).limit(1)).one()
            uid = person.uid
            person.attention_note = "轮椅通道 / wheelchair access"
        hub.refresh()
        export_hub_data(hub, new_stick, cert)

        def note() -> str:
            with desk.read() as s:
                return str(s.scalar(select(m.Delegate.attention_note).where(m.Delegate.uid == uid)))

        import_hub_data(desk, old_stick, fingerprint=cert.fingerprint)
        assert "wheelchair" not in note()
        import_hub_data(desk, new_stick, fingerprint=cert.fingerprint)
        assert "wheelchair" in note()
        again = import_hub_data(desk, old_stick, fingerprint=cert.fingerprint)  # Monday's stick again
        assert "wheelchair" in note() and again.items > 30
    finally:
        desk.close()
        hub.db.close()


def test_an_enrolled_desk_refuses_a_rogue_hubs_bundle_even_with_its_fingerprint(
        rig: HubRig, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: the rogue export prints the command to type; typing it changes nothing."""
    import io

    from checkin_app.cli import main
    from checkin_app.services.pins import PinService

    desk, sync = rig.desk(tmp_path, "Desk R")
    sync.close_clients()
    rogue = build_hub(tmp_path / "rogue.sqlite3", 20)
    rogue_cert = ensure_certificate(tmp_path / "rogue-tls")
    stick = tmp_path / "rogue.bundle"
    export_hub_data(rogue, stick, rogue_cert)
    rogue.db.close()
    before = _delegates(desk)
    with pytest.raises(SyncError, match="belongs to another hub"):
        import_hub_data(desk, stick, fingerprint=rogue_cert.fingerprint)
    path = str(tmp_path / "desk-Desk R.sqlite3")
    assert main(["bundle", "import", str(stick), "--db", path, "--fingerprint", rogue_cert.fingerprint]) == 2
    assert "--change-hub" in capsys.readouterr().err
    assert _delegates(desk) == before  # nothing of the rogue hub's was taken

    # Changing hubs on purpose: a manager's PIN, audited; a wrong PIN changes nothing.
    PinService(desk).set_pin("Li Lei", "2468", desk="Desk R", operator="setup")
    monkeypatch.setattr("sys.stdin", io.StringIO("1357\n"))
    assert main(["bundle", "import", str(stick), "--db", path, "--fingerprint", rogue_cert.fingerprint,
                 "--change-hub"]) == 2
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["bundle", "import", str(stick), "--db", path, "--fingerprint", rogue_cert.fingerprint,
                 "--change-hub"]) == 0
    assert "audited" in capsys.readouterr().out
    with desk.read() as s:
        moved = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "hub_changed")).one()
    assert moved.operator == "Li Lei" and rig.fingerprint[:16] in moved.before_json
    assert sync.config() is None  # no longer enrolled with the old hub
    # From now on the old hub's sticks are the other hub's.
    old = tmp_path / "old.bundle"
    export_hub_data(rig.store, old, ensure_certificate(rig.proc.tls_dir))
    with pytest.raises(SyncError, match=r"belongs to another hub|signed by another hub"):
        import_hub_data(desk, old, fingerprint=rig.fingerprint)


def test_a_desk_that_took_one_hubs_bundle_belongs_to_that_hub(tmp_path: Path) -> None:
    a = build_hub(tmp_path / "a.sqlite3", 10)
    b = build_hub(tmp_path / "b.sqlite3", 10)
    a_cert, b_cert = ensure_certificate(tmp_path / "a-tls"), ensure_certificate(tmp_path / "b-tls")
    stick_a, stick_b = tmp_path / "a.bundle", tmp_path / "b.bundle"
    export_hub_data(a, stick_a, a_cert)
    export_hub_data(b, stick_b, b_cert)
    desk = Database(tmp_path / "offline.sqlite3")
    try:
        assert import_hub_data(desk, stick_a, fingerprint=a_cert.fingerprint).signed_by
        assert import_hub_data(desk, stick_a).signed_by  # its hub now: no fingerprint needed
        with pytest.raises(SyncError, match="belongs to another hub"):
            import_hub_data(desk, stick_b, fingerprint=b_cert.fingerprint)
    finally:
        desk.close()
        a.db.close()
        b.db.close()
