"""Key files, certification, rotation, retirement, desk revocation and public bundles."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services import audit
from checkin_app.services.checkin import CheckInService
from checkin_app.services.keys import KeyService, KeyServiceError, read_key_file
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database
from tests.factories import make_event
from tests.security_helpers import enrol, second_desk, token_for


@pytest.fixture
def desk_a(db: Database) -> Database:
    make_event(db)
    return db


def test_init_writes_a_private_0600_key_file_that_never_enters_the_database(
        desk_a: Database, tmp_path: Path, clock: FixedClock) -> None:
    key_file = tmp_path / "keys" / "event.pem"
    enrol(desk_a, key_file, clock)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    pem_body = "".join(key_file.read_text().splitlines()[1:-1])
    desk_a.checkpoint("TRUNCATE")
    assert pem_body.encode() not in (tmp_path / "desk.sqlite3").read_bytes()
    st = KeyService(desk_a, clock).status()
    assert len(st.event_keys) == 1 and st.signing_key_id is not None and st.signing_desk == "Desk A"
    with pytest.raises(KeyServiceError, match="rotate"):
        KeyService(desk_a, clock).init_event(tmp_path / "other.pem", desk_name="A", desk="A",
                                             operator="t")
    with pytest.raises(KeyServiceError, match="already exists"):
        KeyService(Database(tmp_path / "x.sqlite3"), clock).init_event(
            key_file, desk_name="A", desk="A", operator="t")


def test_a_key_file_others_can_read_is_refused(tmp_path: Path, desk_a: Database,
                                               clock: FixedClock) -> None:
    key_file = tmp_path / "event.pem"
    enrol(desk_a, key_file, clock)
    os.chmod(key_file, 0o644)
    with pytest.raises(KeyServiceError, match="chmod 600"):
        read_key_file(key_file)


def test_other_desk_accepts_a_token_offline_after_importing_public_keys(
        desk_a: Database, tmp_path: Path, clock: FixedClock) -> None:
    ks = enrol(desk_a, tmp_path / "event.pem", clock)
    token = token_for(desk_a, "CQ24-ATT001")
    bundle = tmp_path / "public.json"
    ks.export_public(bundle, desk="A", operator="t")
    assert "PRIVATE" not in bundle.read_text()
    desk_b = second_desk(tmp_path)
    try:
        before = CheckInService(desk_b, clock).scan(token, desk="B")
        assert before.verdict is Verdict.UNKNOWN_CODE and "enrol" in before.message_en
        counts = KeyService(desk_b, clock).import_public(bundle, desk="B", operator="t")
        assert counts["event_keys"] == 1 and counts["desk_keys"] == 1 and counts["rejected"] == 0
        r = CheckInService(desk_b, clock).scan(token, desk="B")
        assert r.verdict is Verdict.SIGNATURE_ONLY and r.admitted and r.event is not None
        assert "Attendee" in r.message_en and "Desk A" in r.message_en
        again = CheckInService(desk_b, clock).scan(token, desk="B")
        assert again.verdict is Verdict.ALREADY_IN
    finally:
        desk_b.close()


def test_a_forged_certificate_in_a_bundle_is_rejected(desk_a: Database, tmp_path: Path,
                                                      clock: FixedClock) -> None:
    import json

    ks = enrol(desk_a, tmp_path / "event.pem", clock)
    bundle = tmp_path / "public.json"
    ks.export_public(bundle, desk="A", operator="t")
    data = json.loads(bundle.read_text())
    data["desk_keys"][0]["desk_name"] = "Evil desk"  # the certificate no longer matches
    bundle.write_text(json.dumps(data))
    desk_b = second_desk(tmp_path)
    try:
        counts = KeyService(desk_b, clock).import_public(bundle, desk="B", operator="t")
        assert counts["rejected"] == 1 and counts["desk_keys"] == 0
    finally:
        desk_b.close()


def test_certify_another_desk_database_from_the_registry(desk_a: Database, tmp_path: Path,
                                                         clock: FixedClock) -> None:
    ks = enrol(desk_a, tmp_path / "event.pem", clock)
    desk_b = second_desk(tmp_path)
    try:
        view = ks.certify_desk(tmp_path / "event.pem", desk_name="Desk B", desk="A", operator="t",
                               desk_db=desk_b)
        assert view.own and view.certified
        st_b = KeyService(desk_b, clock).status()
        assert st_b.signing_key_id == view.key_id
        st_a = KeyService(desk_a, clock).status()
        registry = {d.key_id: d for d in st_a.desk_keys}
        assert view.key_id in registry and not registry[view.key_id].own  # no private key here
        assert len({d.key_id for d in st_a.desk_keys}) == 2
        with desk_b.read() as s:
            assert s.scalar(select(sec.DeskKey.private_key).where(
                sec.DeskKey.key_id == view.key_id)) is not None
    finally:
        desk_b.close()


def test_revoked_desk_key_makes_its_badges_revoked_with_when_and_why(
        desk_a: Database, tmp_path: Path, clock: FixedClock) -> None:
    ks = enrol(desk_a, tmp_path / "event.pem", clock)
    token = token_for(desk_a, "CQ24-ATT001")
    svc = CheckInService(desk_a, clock)
    key_id = ks.status().signing_key_id
    assert key_id is not None
    ks.revoke_desk(key_id, reason="laptop stolen", desk="A", operator="t")
    r = svc.scan(token, desk="A")
    assert r.verdict is Verdict.REVOKED and not r.admitted
    assert "laptop stolen" in r.message_en and "2024-11-23 09:30" in r.message_en
    assert KeyService(desk_a, clock).status().signing_key_id is None  # can no longer sign
    # An exit is still recorded: the holder is a real person leaving.
    out = svc.scan(token, desk="A", direction="out")
    assert out.admitted and out.event is not None


def test_rotation_keeps_old_badges_valid_until_the_old_key_is_retired(
        desk_a: Database, tmp_path: Path, clock: FixedClock) -> None:
    key_file = tmp_path / "event.pem"
    ks = enrol(desk_a, key_file, clock)
    old_fp = ks.status().event_keys[0].fingerprint
    old_token = token_for(desk_a, "CQ24-ATT001")
    ks.rotate(key_file, desk_name="Desk A", desk="A", operator="t")
    assert (tmp_path / f"event.pem.{old_fp}.old").exists()
    new_token = token_for(desk_a, "CQ24-MED001")
    assert new_token[5:9] != old_token[5:9] or new_token != old_token
    svc = CheckInService(desk_a, clock)
    assert svc.scan(old_token, desk="A").admitted
    assert svc.scan(new_token, desk="A").admitted
    ks.retire(old_fp, reason="rotation finished", desk="A", operator="t")
    refused = svc.scan(old_token, desk="A")
    assert refused.verdict is Verdict.REVOKED and "retired" in refused.message_en
    assert svc.scan(new_token, desk="A").verdict is Verdict.ALREADY_IN  # still genuine


def test_every_key_operation_is_audited_and_the_chain_holds(desk_a: Database, tmp_path: Path,
                                                           clock: FixedClock) -> None:
    key_file = tmp_path / "event.pem"
    ks = enrol(desk_a, key_file, clock)
    ks.rotate(key_file, desk_name="Desk A", desk="A", operator="t")
    key_id = ks.status().desk_keys[0].key_id
    assert key_id is not None
    ks.revoke_desk(key_id, reason="test", desk="A", operator="t")
    ks.export_public(tmp_path / "p.json", desk="A", operator="t")
    ks.import_public(tmp_path / "p.json", desk="A", operator="t")
    ks.retire(ks.status().event_keys[0].fingerprint, reason="r", desk="A", operator="t")
    with desk_a.read() as s:
        from checkin_app.storage.models import AuditEntry

        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"key_init", "key_certify_desk", "key_rotate", "key_revoke_desk", "key_export_public",
            "key_import_public", "key_retire"} <= actions
    assert audit.verify_chain(desk_a).ok
