"""Every look-up an import makes once per chunk finds its rows through an index: a query that scans
the people's tables makes a big import quadratic (one did: 2 s of 12 at 100,000 rows)."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage.db import Database

# Tables that grow with the people; a per-chunk query must never scan one.
_BIG = ("delegates", "import_identities", "import_keys", "delegate_admissions",
        "import_admissions", "delegate_private", "search_keys")


def _file(tmp_path: Path, name: str, n: int) -> Path:
    lines = ["报名编号,姓名,单位,类别,参加活动,邮箱,手机"]
    for i in range(n):
        lines.append(f"{i + 1},张{'伟芳娜敏静丽'[i % 6]}{i},重庆大学,参会者,开幕式,"
                     f"p{i}@example.cn,1380000{i:04d}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_per_chunk_lookups_use_indexes(demo_db: Database, clock: FixedClock, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "CHUNK", 10)  # 4 chunks per file
    statements: dict[str, list[Any]] = defaultdict(list)

    def seen(_conn: object, _cursor: object, statement: str, parameters: Any, _context: object,
             executemany: bool) -> None:
        if not executemany and statement.lstrip().upper().startswith("SELECT"):
            statements[statement].append(parameters)

    event.listen(demo_db.engine, "before_cursor_execute", seen)
    try:
        svc = ImportService(demo_db, clock)
        first = _file(tmp_path, "survey.csv", 40)
        assert svc.apply(first, ImportOptions(source="survey")).counts.new == 40
        # The same file again (every row matched) and a second list numbered 1..N whose people
        # share e-mails with the first (identities of another source looked up).
        assert svc.apply(first, ImportOptions(source="survey")).counts.unchanged == 40
        other = svc.apply(_file(tmp_path, "guests.csv", 40), ImportOptions(source="guests"))
        assert other.counts.new == 40 and len(other.same_people) == 40
    finally:
        event.remove(demo_db.engine, "before_cursor_execute", seen)

    per_chunk = {s: params for s, params in statements.items() if len(params) >= 4}
    assert any("source_code" in s for s in per_chunk)  # the people's own look-up is among them
    con = sqlite3.connect(demo_db.path)
    try:
        scans = {}
        for statement, params in per_chunk.items():
            plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + statement, params[0])]
            bad = [p for p in plan if re.match(rf"SCAN ({'|'.join(_BIG)})\b", p)]
            if bad:
                scans[statement] = bad
    finally:
        con.close()
    assert scans == {}
