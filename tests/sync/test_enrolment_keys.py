"""Desk keys end to end: certified at enrolment by a hub with the event key, trusted and revoked via sync."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services import keys
from checkin_app.services.checkin import CheckInService
from checkin_app.services.walkin import WalkInForm, register_walk_in
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import AccessRefused
from tests.factories import local
from tests.hub.support import ROOT, HubProcess
from tests.sync.conftest import HubRig, build_hub

NOW = FixedClock(local(23, 9, 30))


def hub_cli(hub_db: Path, *args: str) -> str:
    """`checkin-app hub … --db HUB` in its own process, as an organiser runs it beside the hub."""
    out = subprocess.run([sys.executable, "-m", "checkin_app", "hub", *args, "--db", str(hub_db)],
                         capture_output=True, text=True, timeout=120, cwd=str(ROOT),
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture
def keyed_rig(tmp_path: Path) -> Iterator[HubRig]:
    """A hub started with `--event-key FILE` (the event signing key never leaves that file)."""
    key_file = tmp_path / "event-key.pem"
    keys.write_key_file(key_file, Ed25519PrivateKey.generate())
    path = tmp_path / "hub.sqlite3"
    store = build_hub(path, 300)
    tls = tmp_path / "tls"
    cert = ensure_certificate(tls)
    proc = HubProcess(str(path), tls, args=["--event-key", str(key_file)]).start()
    rig = HubRig(path, store, proc, cert.fingerprint)
    yield rig
    proc.stop()
    store.db.close()
    for d in rig.desks:
        d.close()


def walk_in(db: Database, name: str) -> str:
    """Register a walk-in at this desk (offline) and return the badge code it signs."""
    result = register_walk_in(CheckInService(db, NOW), WalkInForm(name, "XIANCHANG Jiabin", "重庆大学",
                                                                   "CN", "ATTENDEE"),
                              desk="Desk A", operator="Li Lei")
    assert result.scan.verdict in (Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION)
    return result.badge_code


def test_desk_key_certified_at_enrolment_until_the_hub_revokes_the_desk(
        keyed_rig: HubRig, tmp_path: Path) -> None:
    rig = keyed_rig
    # The organiser enrols desk A with the CLI; the desk gets its own certified signing key.
    printed = hub_cli(rig.path, "enrol-desk", "Desk A")
    code = printed.strip().splitlines()[-1].strip().removeprefix("checkin-app enrol '").rstrip("'")
    a_db = Database(tmp_path / "a.sqlite3")
    rig.desks.append(a_db)
    a = DeskSync(a_db)
    assert a.enrol(code).desk == "Desk A"
    a.sync_once()
    with a_db.read() as s:
        signer = keys.signing_key(s)
        assert signer is not None and signer.desk_name == "Desk A"
    with rig.store.db.read() as s:
        at_hub = s.scalars(select(sec.DeskKey).where(sec.DeskKey.key_id == signer.key_id)).one()
        assert at_hub.private_key is None  # the hub holds the certificate, never the private key

    # Desk B holds no event private key; what it trusts came from the hub's feed.
    b_db, b = rig.desk(tmp_path, "Desk B")
    b.sync_once()
    with b_db.read() as s:
        ring = keys.load_keyring(s)
        assert signer.key_id in ring.desk_keys and ring.has_event_keys
        assert s.scalar(select(sec.DeskKey.private_key).where(
            sec.DeskKey.key_id == signer.key_id)) is None

    # Both offline now: A registers a walk-in and signs the badge; B admits it on the signature.
    first_badge = walk_in(a_db, "现场嘉宾")
    seen = CheckInService(b_db, NOW).scan(first_badge, desk="Desk B")
    assert seen.verdict is Verdict.SIGNATURE_ONLY and seen.event is not None

    # The laptop of desk A is stolen: the hub revokes the desk, and with it its signing key.
    printed = hub_cli(rig.path, "revoke-desk", "Desk A", "--reason", "laptop stolen")
    assert "revoked" in printed and str(signer.key_id) in printed
    with pytest.raises(AccessRefused):
        a.push_once()
    # The thief's desk still signs offline, but desk B, once it has synced, refuses the badges.
    stolen_badge = walk_in(a_db, "冒名者")
    assert b.pull_once(wait=15.0).applied >= 1
    with b_db.read() as s:
        revoked = s.scalars(select(sec.KeyRevocation)).all()
    assert [(r.key_id, r.reason) for r in revoked] == [(signer.key_id, "laptop stolen")]
    refused = CheckInService(b_db, NOW).scan(stolen_badge, desk="Desk B")
    assert refused.verdict is Verdict.REVOKED and refused.event is None
    assert "Desk A" in refused.message_en and "laptop stolen" in refused.message_en
    assert CheckInService(b_db, NOW).scan(first_badge, desk="Desk B").verdict is Verdict.REVOKED
    a.close_clients()
    b.close_clients()


def test_a_desk_retired_in_good_order_keeps_its_badges_valid(keyed_rig: HubRig, tmp_path: Path) -> None:
    rig = keyed_rig
    c_db, c = rig.desk(tmp_path, "Desk C")
    c.sync_once()
    badge = walk_in(c_db, "现场嘉宾")
    printed = hub_cli(rig.path, "revoke-desk", "Desk C", "--keep-signing-key")
    assert "revoked" in printed and "signing key" not in printed
    with pytest.raises(AccessRefused):
        c.pull_once()
    c.close_clients()
    d_db, d = rig.desk(tmp_path, "Desk D")
    d.sync_once()
    with d_db.read() as s:
        assert s.scalars(select(sec.KeyRevocation)).all() == []
    assert CheckInService(d_db, NOW).scan(badge, desk="Desk D").verdict is Verdict.SIGNATURE_ONLY
    d.close_clients()


def test_the_hub_refuses_to_start_with_an_unusable_event_key(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    build_hub(path, 20).db.close()
    loose = tmp_path / "loose.pem"
    keys.write_key_file(loose, Ed25519PrivateKey.generate())
    loose.chmod(0o644)  # readable by others: refused like ssh refuses such a key
    for key_file in (tmp_path / "missing.pem", loose):
        out = subprocess.run([sys.executable, "-m", "checkin_app", "hub", "--db", str(path),
                              "--port", "1", "--tls-dir", str(tmp_path / "tls"),
                              "--event-key", str(key_file)],
                             capture_output=True, text=True, timeout=60, cwd=str(ROOT),
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert out.returncode == 2, out.stdout + out.stderr
        assert str(key_file) in out.stderr and ("无法读取" in out.stderr or "权限过宽" in out.stderr)
