"""A big import's shape on a small file: search keys built while the rows are written (in a worker
process) are the keys a full rebuild makes, and repetitive notes are counted in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.importers.report import INFO, NOTES_PER_KIND
from checkin_app.services import importing, search
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


def _keys(db: Database) -> set[tuple[int, str, int]]:
    with db.read() as s:
        return {(int(d), str(k), int(kind)) for d, k, kind in s.execute(
            select(m.SearchKey.delegate_id, m.SearchKey.key, m.SearchKey.kind))}


def _file(tmp_path: Path, n: int) -> Path:
    lines = ["报名编号,姓名,单位,国家/地区,类别"]
    family, given = "王李张刘陈杨黄赵", "伟芳娜敏静丽强磊军洋"
    for i in range(n):
        name = family[i % len(family)] + given[i % len(given)] + given[(i // 7) % len(given)]
        # Serbia: no Mainland pinyin is made for these names, so each row says 'Latin missing'.
        lines.append(f"B{i:05d},{name},重庆大学,RS,参会者")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [0, 1])
def test_keys_deferred_by_a_big_import_match_a_rebuild(demo_db: Database, clock: FixedClock,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        workers: int) -> None:
    """A big import commits its people with their keys pending; build_pending then writes the
    keys a full rebuild writes, and the key index is back."""
    monkeypatch.setattr(importing, "BULK_BYTES", 0)  # the big-file path for a small file
    monkeypatch.setattr(search, "DEFER_INDEX", 300)
    monkeypatch.setattr(search, "BULK_INDEX", 300)  # build_pending's bulk path, with workers
    monkeypatch.setattr(search, "BULK_WORKERS", workers)
    monkeypatch.setattr(importing, "CHUNK", 50)
    svc = ImportService(demo_db, clock)
    before = _keys(demo_db)
    result = svc.apply(_file(tmp_path, 700))
    assert result.counts.new == 700 and result.index_pending
    assert _keys(demo_db) == before  # the new people have no keys yet
    searcher = search.SearchService(demo_db)
    assert searcher.index_pending()
    written = searcher.build_pending()
    assert written > 700 and not searcher.index_pending()
    built = _keys(demo_db)
    search.reindex_all(demo_db)
    assert _keys(demo_db) == built
    found = searcher.search("王伟")
    assert any(d.name_native.startswith("王伟") for d in found)
    with demo_db.read() as s:  # the key index is back
        names = {r[0] for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_keys'")}
    assert {"ix_search_keys_key", "ix_search_keys_delegate"} <= names


def test_repetitive_notes_are_counted_in_one_line(demo_db: Database, clock: FixedClock,
                                                  tmp_path: Path) -> None:
    svc = ImportService(demo_db, clock)
    result = svc.dry_run(_file(tmp_path, 300))
    notes = [p for p in result.problems if p.code == "latin_missing"]
    assert len(notes) == NOTES_PER_KIND
    more = [p for p in result.problems if p.code == "more_notes"]
    assert len(more) == 1 and more[0].severity == INFO
    assert "280" in more[0].message_en and "Latin name missing" in more[0].message_en
    assert "280" in more[0].message_zh
    # Warnings and errors are never counted away.
    dup = [p for p in result.problems if p.code == "duplicate_person"]
    assert len(dup) == result.counts.warnings


def test_new_people_get_distinct_version_4_uids() -> None:
    import uuid

    uids = importing._uuids(5000)
    assert len(set(uids)) == 5000
    assert all(uuid.UUID(u).version == 4 and uuid.UUID(u).variant == uuid.RFC_4122 for u in uids)
    assert all(str(uuid.UUID(u)) == u for u in uids)  # the canonical form, as uuid4() writes it
    assert importing._uuids(0) == []
