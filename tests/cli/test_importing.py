"""`checkin-app import`: dry run, report file, presets, exit codes, bilingual errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.storage.db import Database

DATA = Path(__file__).parent.parent / "importers" / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def event_db(demo_db: Database) -> str:
    return str(demo_db.path)


def test_dry_run_then_apply_with_report(capsys: pytest.CaptureFixture[str], event_db: str,
                                        tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    rc, out, _ = run(capsys, "import", str(DATA / "problems_utf8.csv"), "--db", event_db,
                     "--dry-run", "--report", str(report))
    assert rc == 1  # rows were rejected
    assert "Dry run, nothing written: new 5" in out and "rejected 5" in out
    assert "line 3 Category: 未知类别：Speaker" in out
    with report.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["工作表 Sheet", "行 Line", "列 Column", "值 Value"]
    assert rows[1][:4] == ["", "2", "Name", ""] and len(rows) == 12
    rc, out, _ = run(capsys, "import", str(DATA / "media_utf8_bom.csv"), "--db", event_db, "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["applied"] and data["counts"]["new"] == 3 and data["encoding"] == "utf-8-sig"
    rc, out, _ = run(capsys, "import", str(DATA / "media_utf8_bom.csv"), "--db", event_db, "--json")
    assert json.loads(out)["counts"]["unchanged"] == 3


def test_column_override_and_saved_preset(capsys: pytest.CaptureFixture[str], event_db: str,
                                          tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("Code,Person,Type,Seat\nS-1,Anna Berg,ATTENDEE,12\n", encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(p), "--db", event_db, "--column", "Person=name",
                     "--save-mapping", "partner", "--dry-run")
    assert rc == 0 and "Person                   → 姓名 / Name" in out
    p.write_text("Seat,Person,Code,Type\n12,Anna Berg,S-1,ATTENDEE\n", encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(p), "--db", event_db, "--mapping", "partner")
    assert rc == 0 and "Imported: new 1" in out


def test_errors_are_bilingual(capsys: pytest.CaptureFixture[str], event_db: str, tmp_path: Path) -> None:
    rc, _, err = run(capsys, "import", str(tmp_path / "nope.csv"), "--db", event_db)
    assert rc == 2 and "找不到文件" in err and "File not found" in err
    rc, _, err = run(capsys, "import", str(DATA / "chinese_excel_gb18030.csv"), "--db", event_db,
                     "--encoding", "utf-8")
    assert rc == 2 and "garbled" in err
    rc, _, err = run(capsys, "import", str(DATA / "platform_export.xlsx"), "--db", event_db,
                     "--sheet", "Sheet1")
    assert rc == 2 and "No sheet named Sheet1" in err
    empty = tmp_path / "empty.sqlite3"
    rc, _, err = run(capsys, "import", str(DATA / "media_utf8_bom.csv"), "--db", str(empty))
    assert rc == 2 and "must exist" in err


def test_source_names_the_list(capsys: pytest.CaptureFixture[str], event_db: str, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("编号,姓名,类别\n1,张伟,参会者\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("编号,姓名,类别\n1,李娜,参会者\n", encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(a), "--db", event_db, "--source", "报名系统", "--json")
    assert rc == 0 and json.loads(out)["source"] == "报名系统"
    rc, out, _ = run(capsys, "import", str(b), "--db", event_db)
    assert rc == 0 and "source b (new)" in out and "new 1," in out  # 1 of b is not 1 of 报名系统
    rc, out, _ = run(capsys, "import", str(a), "--db", event_db, "--source", "报名系统")
    assert "unchanged 1," in out and "source 报名系统\n" in out


def test_all_sheets_of_a_workbook_in_one_command(capsys: pytest.CaptureFixture[str], event_db: str) -> None:
    book = DATA / "platforms" / "分类名单.xlsx"
    rc, out, _ = run(capsys, "import", str(book), "--db", event_db, "--all-sheets")
    assert rc == 0
    assert [line.split("source ")[1] for line in out.splitlines() if "header on line" in line] == [
        "嘉宾 (new)", "媒体 (new)", "工作人员 (new)"]
    assert out.count("Imported: new 8,") == 1 and out.count("Imported: new 6,") == 2
    rc, out, _ = run(capsys, "import", str(book), "--db", event_db, "--all-sheets")
    assert out.count("new 0, changed 0,") == 3


def test_a_preset_with_a_source_never_makes_the_sheets_one_list(capsys: pytest.CaptureFixture[str],
                                                                event_db: str) -> None:
    book = DATA / "platforms" / "分类名单.xlsx"
    rc, _, _ = run(capsys, "import", str(book), "--db", event_db, "--sheet", "嘉宾", "--source", "名单",
                   "--save-mapping", "分类", "--dry-run")
    assert rc == 0
    rc, out, _ = run(capsys, "import", str(book), "--db", event_db, "--mapping", "分类", "--all-sheets")
    assert rc == 0 and out.count("Imported: new 6,") == 2 and out.count("Imported: new 8,") == 1
    assert "source 名单/媒体 (new)" in out
    # Without a source of its own, a preset leaves each file or sheet its own name.
    rc, _, _ = run(capsys, "import", str(book), "--db", event_db, "--sheet", "媒体",
                   "--save-mapping", "plain", "--dry-run")
    rc, out, _ = run(capsys, "import", str(book), "--db", event_db, "--mapping", "plain", "--sheet",
                     "工作人员", "--dry-run")
    assert "source 工作人员 (new)" in out


def test_a_big_import_builds_the_name_index_before_the_command_ends(
        capsys: pytest.CaptureFixture[str], event_db: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from checkin_app.services import importing, search

    monkeypatch.setattr(importing, "BULK_BYTES", 0)
    monkeypatch.setattr(search, "DEFER_INDEX", 2)
    monkeypatch.setattr(search, "BULK_WORKERS", 0)
    path = tmp_path / "big.csv"
    path.write_text("报名编号,姓名,类别\nQ1,欧阳娜娜,参会者\nQ2,司马光明,参会者\n", encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(path), "--db", event_db, "--json")
    assert rc == 0
    index = json.loads(out)["name_index"]
    assert index["keys"] > 2 and index["seconds"] >= 0
    path.write_text("报名编号,姓名,类别\nQ1,欧阳娜娜,参会者\nQ2,司马光明,参会者\nQ3,诸葛亮,参会者\n",
                    encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(path), "--db", event_db)
    assert rc == 0 and "new 1" in out and "Name index built" not in out  # one person: at once
    monkeypatch.setattr(search, "DEFER_INDEX", 1)
    path.write_text("报名编号,姓名,类别\nQ4,上官婉儿,参会者\n", encoding="utf-8")
    rc, out, _ = run(capsys, "import", str(path), "--db", event_db)
    assert "姓名索引已建立" in out and "Name index built" in out
    rc, out, _ = run(capsys, "search", "sgwe", "--db", event_db)
    assert "上官婉儿" in out
