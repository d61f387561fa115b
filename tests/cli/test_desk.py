"""The `checkin-app` command line: stable JSON, exit codes, bilingual errors, demo building."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, make_event

CLOCK = ["--clock", "2024-11-23T09:30"]


@pytest.fixture
def mini(tmp_path: Path) -> tuple[Path, MiniEvent]:
    path = tmp_path / "cli.sqlite3"
    db = Database(path)
    codes = make_event(db)
    db.close()
    return path, codes


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_checkin_json_shape_and_exit_codes(capsys: pytest.CaptureFixture[str],
                                           mini: tuple[Path, MiniEvent]) -> None:
    path, codes = mini
    rc, out, _ = run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK, "--json",
                     "--desk", "Desk 1")
    assert rc == 0
    data = json.loads(out)
    assert data["verdict"] == "ADMIT" and data["message_en"] and data["message_zh"]
    assert data["delegate"]["registration_code"] == codes.attendee
    assert data["delegate"]["name_native"] == "张伟"
    assert set(data["event"]) >= {"uuid", "desk", "at"} and data["event"]["desk"] == "Desk 1"
    assert data["event"]["at_local"].startswith("2024-11-23T09:30")
    assert data["direction"] == "in"
    rc, out, _ = run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK, "--json",
                     "--direction", "out", "--desk", "Desk 1")
    exit_ = json.loads(out)
    assert rc == 0 and exit_["direction"] == "out" and exit_["event"]["direction"] == "out"
    assert exit_["message_en"].startswith("Exit") or "Exit" in exit_["message_en"]

    rc, out, _ = run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK, "--json")
    again = json.loads(out)
    assert rc == 0 and again["verdict"] == "ALREADY_IN"
    assert again["previous"]["desk"] == "Desk 1"

    rc, out, _ = run(capsys, "checkin", codes.cancelled, "--db", str(path), *CLOCK, "--json")
    assert rc == 1 and json.loads(out)["verdict"] == "CANCELLED"
    rc, out, _ = run(capsys, "checkin", "garbage!!", "--db", str(path), *CLOCK, "--json")
    refused = json.loads(out)
    assert rc == 1 and refused["verdict"] == "UNKNOWN_CODE" and refused["delegate"] is None
    assert refused["event"] is None


def test_checkin_text_output_and_activity(capsys: pytest.CaptureFixture[str],
                                          mini: tuple[Path, MiniEvent]) -> None:
    path, codes = mini
    rc, out, _ = run(capsys, "checkin", codes.media, "--activity", "hall", "--db", str(path), *CLOCK)
    assert rc == 1 and "NOT_ADMITTED_HERE" in out and "Not admitted here" in out and "本场不可入场" in out


def test_undo_last_and_by_uuid(capsys: pytest.CaptureFixture[str],
                               mini: tuple[Path, MiniEvent]) -> None:
    path, codes = mini
    _, out, _ = run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK, "--json",
                    "--desk", "D9")
    uuid = json.loads(out)["event"]["uuid"]
    rc, out, _ = run(capsys, "undo", "--last", "--desk", "D9", "--db", str(path), *CLOCK, "--json")
    assert rc == 0 and json.loads(out)["undoes"] == uuid
    rc, _, err = run(capsys, "undo", uuid, "--db", str(path), *CLOCK)
    assert rc == 2 and "already undone" in err and "已撤销" in err
    rc, out, _ = run(capsys, "stats", "--activity", "MAIN", "--db", str(path), "--json")
    assert json.loads(out)[0]["checked_in"] == 0


def test_stats_and_activities(capsys: pytest.CaptureFixture[str],
                              mini: tuple[Path, MiniEvent]) -> None:
    path, codes = mini
    run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK)
    rc, out, _ = run(capsys, "stats", "--db", str(path), "--json")
    rows = {r["activity_code"]: r for r in json.loads(out)}
    assert rc == 0 and rows["MAIN"]["checked_in"] == 1 and rows["MAIN"]["registered"] == 6
    rc, out, _ = run(capsys, "activities", "--db", str(path), "--json")
    assert rc == 0 and json.loads(out)[0]["code"] == "MAIN"
    rc, out, _ = run(capsys, "stats", "--db", str(path))
    assert rc == 0 and "MAIN" in out


def test_clear_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                      mini: tuple[Path, MiniEvent]) -> None:
    rc, _, err = run(capsys, "checkin", "X", "--db", str(tmp_path / "empty.sqlite3"))
    assert rc == 2 and "holds no event" in err and "没有活动数据" in err
    path, codes = mini
    rc, _, err = run(capsys, "checkin", codes.attendee, "--db", str(path), "--clock", "yesterday")
    assert rc == 2 and "Invalid --clock" in err
    rc, _, err = run(capsys, "stats", "--activity", "NOPE", "--db", str(path))
    assert rc == 2 and "No activity" in err
    rc, _, err = run(capsys, "demo", "--db", str(path), "--size", "10")
    assert rc == 2 and "already holds an event" in err


def test_demo_then_checkin_and_search_as_separate_processes(tmp_path: Path) -> None:
    """The documented flow, through the installed entry point (`python -m checkin_app`)."""
    path = tmp_path / "demo.sqlite3"
    cmd = [sys.executable, "-m", "checkin_app"]
    # 700 people: the JSON of a broad search is then larger than a pipe's buffer (below).
    built = subprocess.run([*cmd, "demo", "--db", str(path), "--size", "700", "--seed", "3"],
                           capture_output=True, text=True, check=True)
    assert "700 delegates" in built.stdout
    sample = next(line.split()[-1] for line in built.stdout.splitlines() if "CQ24-" in line)
    res = subprocess.run([*cmd, "checkin", sample, "--db", str(path), *CLOCK, "--json"],
                         capture_output=True, text=True)
    data = json.loads(res.stdout)
    assert data["delegate"]["registration_code"] == sample
    name = data["delegate"]["name_native"]
    found = subprocess.run([*cmd, "search", name, "--db", str(path), "--json"],
                           capture_output=True, text=True, check=True)
    assert sample in [d["registration_code"] for d in json.loads(found.stdout)]
    again = subprocess.run([*cmd, "demo", "--db", str(path), "--if-missing"],
                           capture_output=True, text=True)
    assert again.returncode == 0
    assert not list(tmp_path.glob("*.building*"))
    # Piped into `head`: the reader goes away early; no traceback for the user.
    proc = subprocess.Popen([*cmd, "search", "a", "--db", str(path), "--json", "--limit", "700"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(30) in (0, 2) and "Traceback" not in err, err


def test_audit_verify_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 mini: tuple[Path, MiniEvent]) -> None:
    import sqlite3

    path, codes = mini
    run(capsys, "checkin", codes.attendee, "--db", str(path), *CLOCK)
    run(capsys, "checkin", codes.vip, "--db", str(path), *CLOCK)
    rc, out, _ = run(capsys, "audit", "verify", "--db", str(path))
    assert rc == 0 and "intact" in out
    rc, out, _ = run(capsys, "audit", "export", str(tmp_path / "a.csv"), "--db", str(path))
    assert rc == 0 and (tmp_path / "a.csv").exists()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE audit_log SET desk = 'X' WHERE action = 'checkin'")
    con.close()
    rc, _, err = run(capsys, "audit", "verify", "--db", str(path))
    assert rc == 1 and "BROKEN" in err and "已损坏" in err


def test_a_broken_database_file_is_a_clear_error(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    bad = tmp_path / "broken.sqlite3"
    bad.write_bytes(b"this is not a database, just a file on a USB stick" * 100)
    rc, _, err = run(capsys, "stats", "--db", str(bad))
    assert rc == 2 and "无法打开数据库" in err and "Cannot open database" in err
    assert "not a database" in err and "sqlalche.me" not in err
    assert bad.read_bytes().startswith(b"this is not a database")  # nothing overwritten


def test_the_rehearsal_clock_continues_across_restarts(mini: tuple[Path, MiniEvent],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime, timedelta

    from checkin_app.cli.common import parse_clock
    from checkin_app.domain.clock import OffsetClock
    from checkin_app.storage import models as m

    path, codes = mini
    db = Database(path)
    try:
        first = parse_clock("2024-11-23T09:20", db)
        assert isinstance(first, OffsetClock)
        assert abs(first.now() - datetime(2024, 11, 23, 1, 20, tzinfo=UTC)) < timedelta(seconds=5)
        # As if that launch was 45 minutes ago: the next one goes on from there.
        with db.write() as s:
            row = s.get(m.DeskSetting, "clock.rehearsal")
            assert row is not None
            kept = json.loads(row.value)
            kept["since"] = (datetime.fromisoformat(kept["since"]) - timedelta(minutes=45)).isoformat()
            row.value = json.dumps(kept)
        again = parse_clock("2024-11-23T09:20", db)
        assert again.now() - datetime(2024, 11, 23, 1, 20, tzinfo=UTC) >= timedelta(minutes=45)
        other = parse_clock("2024-11-24T08:00", db)  # another value: anew
        assert abs(other.now() - datetime(2024, 11, 24, 0, 0, tzinfo=UTC)) < timedelta(seconds=5)
    finally:
        db.close()
    # Scans on the CLI with the same --clock never go back in time.
    ats = []
    for code in (codes.attendee, codes.vip):
        rc, out, _ = run(capsys, "checkin", code, "--db", str(path), "--clock", "2024-11-23T09:20",
                         "--json")
        assert rc == 0
        ats.append(json.loads(out)["event"]["at"])
    assert ats[0] <= ats[1]
    with pytest.raises(SystemExit):
        main(["gui", "--help"])
    assert "continues across restarts" in " ".join(capsys.readouterr().out.split())
