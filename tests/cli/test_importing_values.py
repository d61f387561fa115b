"""`checkin-app import --map KIND:VALUE=TARGET`: unknown values grouped in the dry run, mappings saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin_app.cli import main
from checkin_app.storage.db import Database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_groups_then_map_imports_and_the_preset_remembers(
        capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path) -> None:
    db = str(demo_db.path)
    f = tmp_path / "export.csv"
    rows = [f"E-{i},人{i},单位,中国,{'讲者' if i % 3 else '嘉宾'}" for i in range(60)]
    f.write_bytes(("报名编号,姓名,工作单位,国家/地区,参会身份\n" + "\n".join(rows) + "\n").encode("gb18030"))
    rc, out, _ = run(capsys, "import", str(f), "--db", db, "--dry-run")
    assert rc == 1 and "讲者 ×40" in out
    assert out.count("未知类别：讲者") == 0  # one grouped line, not forty row lines
    rc, out, _ = run(capsys, "import", str(f), "--db", db, "--dry-run", "--json")
    data = json.loads(out)
    assert data["unknown_values"] == [{"kind": "category", "column": "参会身份", "value": "讲者",
                                       "count": 40, "lines": [3, 4, 6, 7, 9], "severity": "error"}]
    rc, out, _ = run(capsys, "import", str(f), "--db", db, "--map", "category:讲者=GUEST",
                     "--save-mapping", "platform")
    assert rc == 0 and "new 60" in out and "rejected 0" in out
    g = tmp_path / "again.csv"
    g.write_bytes(f.read_bytes().replace(b"E-", b"F-"))
    rc, out, _ = run(capsys, "import", str(g), "--db", db, "--mapping", "platform")
    assert rc == 0 and "new 60" in out


def test_a_malformed_map_says_how(capsys: pytest.CaptureFixture[str], demo_db: Database,
                                  tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("报名编号,姓名,参会身份\nX-1,甲,讲者\n", encoding="utf-8")
    rc, _, err = run(capsys, "import", str(f), "--db", str(demo_db.path), "--map", "讲者=GUEST")
    assert rc == 2 and "KIND:VALUE=TARGET" in err
