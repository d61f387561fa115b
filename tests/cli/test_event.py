"""`checkin-app event …` and `hub event …`: starter files, the check report, apply, export, show, publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin_app.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_new_check_apply_show_export(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     suffix: str) -> None:
    f, db = tmp_path / f"event{suffix}", str(tmp_path / "desk.sqlite3")
    rc, out, _ = run(capsys, "event", "new", str(f), "--template", "chongqing")
    assert rc == 0 and f.exists()
    rc, _, err = run(capsys, "event", "new", str(f))
    assert rc == 2 and "--overwrite" in err
    rc, out, _ = run(capsys, "event", "check", str(f))
    assert rc == 0 and "Check passed: CQITEC2024, 14 activities, 12 categories" in out
    rc, out, _ = run(capsys, "event", "apply", str(f), "--db", db, "--json")
    data = json.loads(out)
    assert rc == 0 and data["applied"] and len(data["changes"]) == 27
    rc, out, _ = run(capsys, "event", "apply", str(f), "--db", db)
    assert rc == 0 and "No change" in out
    rc, out, _ = run(capsys, "event", "show", "--db", db)
    assert rc == 0 and "每天一次 once per day" in out and "嘉宾" in out
    rc, out, _ = run(capsys, "event", "show", "--db", db, "--json")
    shown = json.loads(out)
    assert shown["event"]["code"] == "CQITEC2024" and "VIP" in shown["admitted"]["OPENING"]
    back = tmp_path / f"back{suffix}"
    rc, out, _ = run(capsys, "event", "export", str(back), "--db", db)
    assert rc == 0 and back.exists()
    rc, out, _ = run(capsys, "event", "apply", str(back), "--db", db)
    assert "No change" in out


def test_check_report_and_refused_apply(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "e.yaml"
    run(capsys, "event", "new", str(f))
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("#78909C", "grey").replace("timezone: Asia/Shanghai",
                                                         "timezone: Asia/Chongqing_Typo"),
                 encoding="utf-8")
    rc, out, _ = run(capsys, "event", "check", str(f), "--json")
    data = json.loads(out)
    assert rc == 1 and not data["ok"]
    codes = {p["code"]: p for p in data["problems"]}
    assert {"bad_colour", "bad_timezone"} <= set(codes)
    assert codes["bad_colour"]["line"] > 0 and codes["bad_colour"]["hint_zh"]
    rc, out, _ = run(capsys, "event", "check", str(f))
    assert "[错误 error] line" in out and "→" in out
    rc, _, err = run(capsys, "event", "apply", str(f), "--db", str(tmp_path / "d.sqlite3"))
    assert rc == 1 and "Nothing was applied" in err


def test_hub_event_apply_publishes_to_desks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from checkin_app.hub.db import HubDatabase
    from checkin_app.hub.store import HubStore

    f, hub = tmp_path / "e.yaml", str(tmp_path / "hub.sqlite3")
    run(capsys, "event", "new", str(f))
    rc, out, _ = run(capsys, "hub", "event", "apply", str(f), "--db", hub)
    assert rc == 0 and "Published" in out
    store = HubStore(HubDatabase(hub))
    try:
        changes = store.changes_after(0, 1000)
        high = store.high_water()
    finally:
        store.db.close()
    tables = {t for _, t, _, _ in changes}
    assert {"events", "activities", "categories"} <= tables
    # A changed capacity goes out as one changed activity row.
    f.write_text(f.read_text(encoding="utf-8").replace("capacity: 500", "capacity: 650"), encoding="utf-8")
    rc, out, _ = run(capsys, "hub", "--db", hub, "event", "apply", str(f), "--json")
    data = json.loads(out)
    assert rc == 0 and data["published"] == 1
    store = HubStore(HubDatabase(hub))
    try:
        [(_, table, key, payload)] = store.changes_after(high, 1000)
    finally:
        store.db.close()
    assert (table, key) == ("activities", "OPENING") and json.loads(payload)["capacity"] == 650
    rc, out, _ = run(capsys, "hub", "event", "show", "--db", hub)
    assert rc == 0 and "capacity 650" in out
    rc, out, _ = run(capsys, "hub", "event", "export", str(tmp_path / "hub.xlsx"), "--db", hub)
    assert rc == 0 and (tmp_path / "hub.xlsx").exists()


def test_show_without_an_event_says_what_to_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _, err = run(capsys, "event", "show", "--db", str(tmp_path / "empty.sqlite3"))
    assert rc == 2 and "event apply" in err
