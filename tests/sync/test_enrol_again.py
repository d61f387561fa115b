"""Enrolling a desk again over the network (another hub, or the same hub anew): manager PIN, audited."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.cli import main
from checkin_app.hub.bundles import export_hub_data
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services.pins import PinService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.bundle import import_hub_data
from checkin_app.sync.client import DeskSync, ManagerRequired
from tests.sync.conftest import HubRig


def _moves(db: Database) -> list[m.AuditEntry]:
    with db.read() as s:
        rows = list(s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "hub_changed")
                              .order_by(m.AuditEntry.id)))
        s.expunge_all()
    return rows


def test_cli_first_enrolment_is_free_enrolling_again_needs_a_manager_pin_and_is_audited(
        make_rig: Callable[..., HubRig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    first, other = make_rig(size=20), make_rig(size=20)
    path = tmp_path / "desk.sqlite3"
    # First enrolment: no PIN asked (stdin holds nothing to read).
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["enrol", first.code("Desk 1"), "--db", str(path)]) == 0
    capsys.readouterr()
    desk = Database(path)
    try:
        sync = DeskSync(desk)
        cfg = sync.config()
        assert cfg is not None and cfg.fingerprint == first.fingerprint
        assert _moves(desk) == []

        # Another hub's code: refused while no manager PIN exists; the desk stays with its hub
        # and the one-time code stays unused (it works later).
        move = other.code("Hall A-1")
        assert main(["enrol", move, "--db", str(path)]) == 2
        assert "manager PIN" in capsys.readouterr().err
        PinService(desk).set_pin("Li Lei", "2468", desk="Desk 1", operator="setup")
        monkeypatch.setattr("sys.stdin", io.StringIO("1357\n"))  # a wrong PIN
        assert main(["enrol", move, "--db", str(path)]) == 2
        capsys.readouterr()
        cfg = sync.config()
        assert cfg is not None and cfg.fingerprint == first.fingerprint and _moves(desk) == []

        monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
        assert main(["enrol", move, "--db", str(path)]) == 0
        out = capsys.readouterr().out
        assert "Li Lei" in out and "audited" in out
        cfg = sync.config()
        assert cfg is not None and cfg.fingerprint == other.fingerprint and cfg.desk == "Hall A-1"
        (moved,) = _moves(desk)
        before, after = json.loads(moved.before_json), json.loads(moved.after_json)
        assert moved.operator == "Li Lei"
        assert before["fingerprint"] == first.fingerprint and before["desk"] == "Desk 1"
        assert after["fingerprint"] == other.fingerprint and after["desk"] == "Hall A-1"

        # The same hub anew is enrolling again too.
        monkeypatch.setattr("sys.stdin", io.StringIO("0000\n"))
        assert main(["enrol", other.code("Hall A-2"), "--db", str(path)]) == 2
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
        assert main(["enrol", other.code("Hall A-2"), "--db", str(path)]) == 0
        again = _moves(desk)[-1]
        assert json.loads(again.before_json)["desk"] == "Hall A-1"
        assert json.loads(again.after_json)["desk"] == "Hall A-2"
        pushed, _ = sync.sync_once()  # and it syncs with its new identity
        assert pushed.remaining == 0
        sync.close_clients()
    finally:
        desk.close()


def test_enrol_without_a_manager_is_refused_before_the_network(
        make_rig: Callable[..., HubRig], tmp_path: Path) -> None:
    first, other = make_rig(size=20), make_rig(size=20)
    desk, sync = first.desk(tmp_path, "Desk 1")
    move = other.code("Hall B")
    assert sync.enrolment_needs_manager(move)
    with pytest.raises(ManagerRequired, match="manager"):
        sync.enrol(move)
    cfg = sync.config()
    assert cfg is not None and cfg.fingerprint == first.fingerprint
    # Refused before the hub saw it: the code is still good for a manager.
    assert sync.enrol(move, manager="Li Lei").desk == "Hall B"
    assert _moves(desk)[-1].operator == "Li Lei"
    sync.close_clients()


def test_a_desk_that_took_its_hubs_bundle_enrols_with_that_hub_freely_but_not_with_another(
        make_rig: Callable[..., HubRig], tmp_path: Path) -> None:
    first, other = make_rig(size=20), make_rig(size=20)
    stick = tmp_path / "hub.bundle"
    export_hub_data(first.store, stick, ensure_certificate(first.proc.tls_dir))
    desk = Database(tmp_path / "offline.sqlite3")
    try:
        import_hub_data(desk, stick, fingerprint=first.fingerprint)
        sync = DeskSync(desk)
        assert sync.enrolment_needs_manager(other.code("Rogue"))
        with pytest.raises(ManagerRequired):
            sync.enrol(other.code("Rogue"))
        assert not sync.enrolment_needs_manager(first.code("Desk 1"))
        assert sync.enrol(first.code("Desk 1")).fingerprint == first.fingerprint
        assert _moves(desk) == []
        sync.close_clients()
    finally:
        desk.close()
