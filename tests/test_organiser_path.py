"""An organiser's own event by the commands alone: event file, check, apply, import with mappings, scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin_app.cli import main

EVENT = """\
event:
  code: TECH_EXPO_2025
  name_zh: 2025西部科技博览会
  name_en: 2025 Western Tech Expo
  venue_zh: 会展中心
  venue_en: Expo Centre
  timezone: Asia/Shanghai
  starts_on: 2025-09-10
  ends_on: 2025-09-11
activities:
  - code: MAIN
    name_zh: 主入口
    name_en: Main entrance
    day: 2025-09-10
    end_day: 2025-09-11
    start: '08:00'
    end: '18:00'
    doors_before: 0
    admits: ['*']
    mode: once_per_day
    main: true
  - code: FORUM
    name_zh: 主论坛
    name_en: Main forum
    day: 2025-09-10
    start: '09:30'
    end: '11:30'
    capacity: 300
    mode: single
categories:
  - code: GUEST
    name_zh: 特邀嘉宾
    name_en: Invited guest
    colour: '#AD1457'
    default_activities: [FORUM]
  - code: PRESS
    name_zh: 新闻记者
    name_en: Press
    colour: '#5D4037'
  - code: CREW
    name_zh: 会务
    name_en: Crew
    colour: '#263238'
    default_activities: [FORUM]
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_from_an_empty_machine_to_scans(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "desk.sqlite3")
    starter = tmp_path / "starter.yaml"
    assert run(capsys, "event", "new", str(starter))[0] == 0  # what an organiser starts from
    event = tmp_path / "expo.yaml"
    event.write_text(EVENT, encoding="utf-8")
    rc, out, _ = run(capsys, "event", "check", str(event))
    assert rc == 0 and "Check passed: TECH_EXPO_2025, 2 activities, 3 categories" in out
    assert run(capsys, "event", "apply", str(event), "--db", db)[0] == 0

    export = tmp_path / "registrations.csv"
    people = [("EX-001", "王芳", "嘉宾"), ("EX-002", "李雷", "媒体"), ("EX-003", "赵敏", "工作人员"),
              ("EX-004", "陈静", "嘉宾")]
    export.write_bytes(("报名编号,姓名,工作单位,参会身份\n" + "".join(
        f"{code},{name},重庆大学,{cat}\n" for code, name, cat in people)).encode("gb18030"))
    rc, out, _ = run(capsys, "import", str(export), "--db", db, "--dry-run")
    assert rc == 1 and "嘉宾 ×2" in out and "媒体 ×1" in out
    rc, out, _ = run(capsys, "import", str(export), "--db", db, "--map", "category:嘉宾=GUEST",
                     "--map", "category:媒体=PRESS", "--map", "category:工作人员=CREW",
                     "--save-mapping", "registration-platform")
    assert rc == 0 and "new 4" in out and "rejected 0" in out

    def scan(code: str, when: str, activity: str = "MAIN") -> str:
        _rc, out, _ = run(capsys, "checkin", code, "--db", db, "--clock", when, "--activity", activity,
                          "--desk", "Desk 1", "--json")
        return str(json.loads(out)["verdict"])

    assert scan("EX-001", "2025-09-10T08:30") == "ADMIT"
    assert scan("EX-001", "2025-09-10T12:00") == "ALREADY_IN"
    assert scan("EX-002", "2025-09-10T09:40", "FORUM") == "NOT_ADMITTED_HERE"
    assert scan("EX-004", "2025-09-10T09:45", "FORUM") == "ADMIT"
    assert scan("EX-001", "2025-09-11T08:10") == "ADMIT"  # once per day: a new day, a new arrival
    assert scan("EX-001", "2025-09-11T09:00") == "ALREADY_IN"

    # The day before: the forum starts 30 minutes late. Applying the edited file changes just that.
    event.write_text(EVENT.replace("start: '09:30'", "start: '10:00'"), encoding="utf-8")
    rc, out, _ = run(capsys, "event", "apply", str(event), "--db", db, "--json")
    changes = json.loads(out)["changes"]
    assert rc == 0 and [(c["code"], c["action"]) for c in changes] == [("FORUM", "update")]
    assert set(changes[0]["after"]) == {"starts_at"}
