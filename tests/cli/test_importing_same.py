"""`checkin-app import … --merge KEPT=OTHER / --keep-apart A=B`: same-person decisions stored and not
asked again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.services.importing import ImportService
from checkin_app.storage.db import Database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_merge_and_keep_apart_from_the_command_line(capsys: pytest.CaptureFixture[str],
                                                     demo_db: Database, tmp_path: Path) -> None:
    db = str(demo_db.path)
    survey = tmp_path / "survey.csv"
    survey.write_text("编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,参会者\n"
                      "2,李娜,西南大学,ln@swu.edu.cn,参会者\n", encoding="utf-8")
    guests = tmp_path / "guests.csv"
    guests.write_text("编号,姓名,单位,电子邮箱,类别\n1,张伟,重庆大学,ZW@cqu.edu.cn,嘉宾\n"
                      "2,李娜,西南大学,ln@swu.edu.cn,嘉宾\n", encoding="utf-8")
    assert run(capsys, "import", str(survey), "--db", db)[0] == 0
    rc, out, _ = run(capsys, "import", str(guests), "--db", db)
    assert rc == 0
    assert "Possibly the same person" in out
    assert "张伟 GUESTS-1 = 1 (survey" in out and "李娜 GUESTS-2 = 2 (survey" in out
    # A dry run stores no decision; a number nobody holds is refused, bilingual.
    rc, _, err = run(capsys, "import", str(guests), "--db", db, "--dry-run", "--merge", "1=GUESTS-1")
    assert rc != 0 and "dry run stores no decision" in err
    rc, _, err = run(capsys, "import", str(guests), "--db", db, "--merge", "1=NOPE-9")
    assert rc != 0 and "NOPE-9" in err and "没有报名编号" in err
    rc, out, _ = run(capsys, "import", str(guests), "--db", db, "--json", "--merge", "1=GUESTS-1",
                     "--keep-apart", "GUESTS-2=2")
    assert rc == 0
    data = json.loads(out)
    assert data["decisions"] == [{"decision": "merge", "kept": "1", "other": "GUESTS-1"},
                                 {"decision": "apart", "kept": "GUESTS-2", "other": "2"}]
    # The next import asks about neither and changes nothing.
    rc, out, _ = run(capsys, "import", str(guests), "--db", db, "--json")
    data = json.loads(out)
    assert data["same_people"] == [] and data["counts"]["unchanged"] == 2
    decided = {(d.kept_code, d.other_code, d.decision)
               for d in ImportService(demo_db).same_person_decisions()}
    assert decided == {("1", "GUESTS-1", "merge"), ("2", "GUESTS-2", "apart")}
