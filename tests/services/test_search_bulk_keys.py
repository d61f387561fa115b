"""The bulk key path (key_params, used by an import's key workers) gives exactly the keys of
build_keys, stored as stored_key writes them, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.search_keys import (
    DelegateText,
    TextRow,
    build_keys,
    key_params,
    stored_key,
)
from checkin_app.services import importing, search
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

_ROWS: list[TextRow] = [
    (1, "张伟", "Zhang Wei", "张", "伟", "eastern", "B0000001", "重庆大学", "Chongqing University"),
    (2, "欧阳娜娜", "", "", "", "eastern", "", "重庆长安汽车股份有限公司", ""),
    (3, "Đorđe PETROVIĆ", "", "PETROVIĆ", "Đorđe", "western", "RS-7", "", "University of Belgrade"),
    (4, "정지민", "JEONG Jimin", "정", "지민", "eastern", "K1", "", "Seoul National University"),
    (5, "", "Smith John", "Smith", "John", "western", "", "", "The University of Cambridge"),
    (6, "单雄信", "", "单", "雄信", "eastern", "zhangwei", "张伟科技有限公司", "zhangwei ltd"),
    (7, "", "", "", "", "western", "", "", ""),
]


def _expected(rows: list[TextRow]) -> list[tuple[int, str, int]]:
    return [(row[0], stored_key(kind, text), kind) for row in rows
            for kind, text in build_keys(DelegateText(*row[1:]))]


def test_bulk_keys_are_build_keys() -> None:
    assert key_params(_ROWS) == _expected(_ROWS)
    assert key_params(_ROWS + _ROWS) == _expected(_ROWS + _ROWS)  # the cached names again


_LETTERS = "张王李伟娜 ABCzhangwei-·'欧阳重庆大学有限公司Đć정지민"
_text = st.text(alphabet=st.sampled_from(_LETTERS), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text, _text, st.sampled_from(["eastern", "western"]),
                          _text, _text, _text), min_size=1, max_size=5))
def test_bulk_keys_are_build_keys_for_any_text(fields: list[tuple[str, ...]]) -> None:
    rows: list[TextRow] = [(i + 1, *f) for i, f in enumerate(fields)]  # type: ignore[misc]
    assert key_params(rows) == _expected(rows)


def _index_names(db: Database) -> set[str]:
    with db.read() as s:
        return {str(r[0]) for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_keys'")}


def _all_keys(db: Database) -> set[tuple[int, str, int]]:
    with db.read() as s:
        return {(int(d), str(k), int(kind)) for d, k, kind in s.execute(
            select(m.SearchKey.delegate_id, m.SearchKey.key, m.SearchKey.kind))}


def test_bulk_import_rebuilds_both_key_indexes_and_updates_keys(
        demo_db: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk import leaves its keys pending, and a second import that renames people drops
    their old keys at once (a renamed person is never found by the old name); build_pending
    then leaves both key indexes and the keys a rebuild makes."""
    before = _index_names(demo_db)
    assert {"ix_search_keys_key", "ix_search_keys_delegate"} <= before
    monkeypatch.setattr(importing, "BULK_BYTES", 0)
    monkeypatch.setattr(importing, "CHUNK", 40)
    monkeypatch.setattr(search, "BULK_WORKERS", 0)
    monkeypatch.setattr(search, "DEFER_INDEX", 100)
    monkeypatch.setattr(search, "BULK_INDEX", 100)
    path = tmp_path / "list.csv"
    svc = ImportService(demo_db, clock)
    searcher = search.SearchService(demo_db)
    # The second list renames the 150 people and adds 50: new keys in bulk, old ones replaced.
    for middle, n in (("伟", 150), ("芳", 200)):
        rows = [f"B{i:04d},{'王李张刘陈'[i % 5]}{middle}{'明强'[i % 2]},重庆大学,参会者" for i in range(n)]
        path.write_text("报名编号,姓名,单位,类别\n" + "\n".join(rows) + "\n", encoding="utf-8")
        result = svc.apply(path)
        assert (result.counts.new, result.counts.changed) == ((150, 0) if n == 150 else (50, 150))
        assert result.index_pending
        if n == 200:
            assert not any(k.endswith("王伟明") for _d, k, _kind in _all_keys(demo_db))
            # Meanwhile found by the name as written (after every keyed match), never by the old.
            assert [d.name_native for d in searcher.search("王芳明")][:1] == ["王芳明"]
            assert not [d for d in searcher.search("王伟明") if d.name_native == "王伟明"]
        searcher.build_pending()
        assert _index_names(demo_db) == before
    built = _all_keys(demo_db)
    assert any(k.endswith("王芳明") for _d, k, _kind in built)
    assert not any(k.endswith("王伟明") for _d, k, _kind in built)
    search.reindex_all(demo_db)
    assert _all_keys(demo_db) == built
