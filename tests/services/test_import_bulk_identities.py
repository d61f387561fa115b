"""A big import drops the identities' hash index only when no other source can match, and the
index is back (as the migration made it) when the import is done; same people are still found."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage.db import Database
from checkin_app.storage.models_import import ImportIdentity


def _file(tmp_path: Path, name: str, n: int, offset: int = 0) -> Path:
    lines = ["报名编号,姓名,单位,邮箱,类别"]
    for i in range(n):
        lines.append(f"{i + 1},测员{chr(0x4E00 + i + offset)},重庆大学,p{i + offset}@example.cn,参会者")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _indexes(db: Database) -> dict[str, str]:
    with db.read() as s:
        return {str(n): str(sql) for n, sql in s.connection().exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'import_identities'"
            " AND sql IS NOT NULL")}


def test_hash_index_comes_back_and_other_sources_still_match(
        demo_db: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _indexes(demo_db)
    assert "ix_import_identities_hash" in before
    monkeypatch.setattr(importing, "BULK_BYTES", 0)  # the big-file path for a small file
    monkeypatch.setattr(importing, "CHUNK", 40)  # several chunks
    dropped: list[bool] = []
    finish = importing._Writer.finish

    def spy(self: importing._Writer, session: object) -> None:
        dropped.append(self._hash_index_dropped)
        finish(self, session)  # type: ignore[arg-type]

    monkeypatch.setattr(importing._Writer, "finish", spy)
    svc = ImportService(demo_db, clock)
    first = svc.apply(_file(tmp_path, "a.csv", 200), ImportOptions(source="A"))
    assert first.counts.new == 200
    assert dropped == [True]  # the bulk path was taken
    assert _indexes(demo_db) == before
    with demo_db.read() as s:
        assert len(s.execute(select(ImportIdentity.hash)).all()) >= 400
    # A second source holding 50 of the same people (same e-mail, name and organisation): each is
    # reported, none overwritten; the index is not dropped here (lookups by hash are needed).
    second = svc.apply(_file(tmp_path, "b.csv", 50, offset=150), ImportOptions(source="B"))
    assert second.counts.new == 50
    assert len(second.same_people) == 50
    assert dropped == [True, False]
    assert _indexes(demo_db) == before


def test_failed_bulk_import_leaves_the_index(demo_db: Database, clock: FixedClock, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = _indexes(demo_db)
    monkeypatch.setattr(importing, "BULK_BYTES", 0)
    monkeypatch.setattr(importing, "CHUNK", 40)

    def boom(self: object, session: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(importing._Writer, "finish", boom)
    with pytest.raises(importing.ImportFailed):
        ImportService(demo_db, clock).apply(_file(tmp_path, "a.csv", 120), ImportOptions(source="A"))
    assert _indexes(demo_db) == before
    with demo_db.read() as s:
        assert s.execute(select(ImportIdentity.hash)).first() is None
