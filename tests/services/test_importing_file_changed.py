"""A file rewritten while it is being imported writes nothing (issue 15), on the spooled path and
on the big file's streamed path, where the write transaction is open while the rows are read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing, search
from checkin_app.services.importing import ImportFailed, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


def _people(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Delegate)) or 0)


@pytest.mark.parametrize("big", [False, True], ids=["spooled", "streamed"])
def test_a_file_rewritten_while_read_writes_nothing(demo_db: Database, clock: FixedClock,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     big: bool) -> None:
    if big:
        monkeypatch.setattr(importing, "BULK_BYTES", 0)
        monkeypatch.setattr(search, "DEFER_INDEX", 10)
    path = tmp_path / "list.csv"
    rows = "".join(f"F{i:05d},王{i},重庆大学,参会者\n" for i in range(3000))
    path.write_text("报名编号,姓名,单位,类别\n" + rows, encoding="utf-8")
    before = _people(demo_db)
    touched: list[str] = []

    def progress(stage: str, _done: int, _total: int) -> None:
        if stage == "read" and not touched:
            touched.append(stage)
            with path.open("a", encoding="utf-8") as f:  # another program saves the file
                f.write("F99999,李雷,西南大学,参会者\n")

    with pytest.raises(ImportFailed) as failed:
        ImportService(demo_db, clock).apply(path, progress=progress)
    assert touched
    assert "list.csv" in str(failed.value)
    assert _people(demo_db) == before
    assert not search.SearchService(demo_db).index_pending()
