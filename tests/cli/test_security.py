"""`checkin-app keys …`, `issue-code` and `pin …` on real database files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, make_event

CLOCK = ["--clock", "2024-11-23T09:30"]


@pytest.fixture
def mini(tmp_path: Path) -> tuple[Path, MiniEvent]:
    path = tmp_path / "org.sqlite3"
    db = Database(path)
    codes = make_event(db)
    db.close()
    return path, codes


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_key_workflow_from_init_to_revocation(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              mini: tuple[Path, MiniEvent]) -> None:
    org, codes = mini
    key = str(tmp_path / "event.pem")
    rc, out, _ = run(capsys, "keys", "init", "--db", str(org), "--key-file", key, "--desk", "Org")
    assert rc == 0 and "certified" in out
    rc, out, err = run(capsys, "keys", "init", "--db", str(org), "--key-file", key)
    assert rc == 2 and "rotate" in err

    desk = tmp_path / "desk.sqlite3"
    db = Database(desk)
    make_event(db)
    db.close()
    rc, out, _ = run(capsys, "keys", "certify-desk", "--db", str(org), "--key-file", key,
                     "--desk", "Hall A 1", "--desk-db", str(desk))
    assert rc == 0 and "Hall A 1" in out
    rc, out, _ = run(capsys, "keys", "export-public", "--db", str(org), str(tmp_path / "p.json"))
    assert rc == 0
    rc, out, _ = run(capsys, "keys", "import-public", "--db", str(desk), str(tmp_path / "p.json"))
    assert rc == 0
    rc, out, _ = run(capsys, "keys", "list", "--db", str(desk), "--json")
    listed = json.loads(out)
    assert {d["desk_name"] for d in listed["desk_keys"]} == {"Org", "Hall A 1"}
    org_key = next(d["key_id"] for d in listed["desk_keys"] if d["desk_name"] == "Org")

    rc, token, _ = run(capsys, "issue-code", codes.attendee, "--db", str(org))
    token = token.strip()
    assert rc == 0 and token.startswith("CK-")
    rc, out, _ = run(capsys, "checkin", token.lower(), "--db", str(desk), *CLOCK, "--json")
    assert rc == 0 and json.loads(out)["verdict"] == "ADMIT"

    # Only the organiser revokes: the event key file is the proof (a stranger key is refused).
    stranger = tmp_path / "stranger.pem"
    rc, _, _ = run(capsys, "keys", "init", "--db", str(tmp_path / "elsewhere.sqlite3"), "--key-file",
                   str(stranger), "--desk", "X")
    rc, _, err = run(capsys, "keys", "revoke-desk", str(org_key), "--reason", "stolen", "--db", str(desk),
                     "--key-file", str(stranger))
    assert rc == 2 and "organiser" in err
    rc, out, _ = run(capsys, "keys", "revoke-desk", str(org_key), "--reason", "stolen",
                     "--db", str(desk), "--key-file", key)
    assert rc == 0 and "stolen" in out
    rc, out, _ = run(capsys, "checkin", token, "--db", str(desk), *CLOCK, "--json")
    assert rc == 1 and json.loads(out)["verdict"] == "REVOKED"
    # A revocation made in error is lifted (audited): the badge is genuine again.
    rc, out, _ = run(capsys, "keys", "lift-revocation", str(org_key), "--reason", "wrong key id",
                     "--db", str(desk), "--key-file", key)
    assert rc == 0 and "lifted" in out
    rc, out, _ = run(capsys, "checkin", token, "--db", str(desk), *CLOCK, "--json")
    assert rc == 0 and json.loads(out)["verdict"] == "ALREADY_IN"
    rc, out, _ = run(capsys, "keys", "lift-revocation", str(org_key), "--reason", "again", "--db", str(desk),
                     "--key-file", key)
    assert rc == 2
    rc, out, _ = run(capsys, "audit", "verify", "--db", str(desk))
    assert rc == 0


def test_issue_code_needs_a_key(capsys: pytest.CaptureFixture[str],
                                mini: tuple[Path, MiniEvent]) -> None:
    org, codes = mini
    rc, _, err = run(capsys, "issue-code", codes.attendee, "--db", str(org))
    assert rc == 2 and "keys init" in err and "证件" in err


def test_pin_set_then_changes_need_an_existing_pin(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   mini: tuple[Path, MiniEvent]) -> None:
    org, _ = mini
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n2468\n"))
    rc, out, _ = run(capsys, "pin", "set", "--name", "Li Lei", "--db", str(org))
    assert rc == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("0000\n7391\n7391\n"))
    rc, _, err = run(capsys, "pin", "set", "--name", "Wang", "--db", str(org))
    assert rc == 2 and "Wrong PIN" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n7391\n7391\n"))
    rc, _, _ = run(capsys, "pin", "set", "--name", "Wang", "--db", str(org))
    assert rc == 0
    rc, out, _ = run(capsys, "pin", "list", "--db", str(org))
    assert out.split() == ["Li", "Lei", "Wang"]
