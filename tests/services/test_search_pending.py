"""Keys a big import leaves pending: the people are found by their names as written meanwhile,
build_pending makes them searchable by pinyin too, and nothing stays pending after a kill."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing, search
from checkin_app.services.checkin import CheckInService
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

_ROWS = [("P001", "司马光明", "Oxford University"), ("P002", "欧阳娜娜", "重庆邮电大学"),
         ("P003", "Đorđe Petrović", "University of Belgrade")]


def _import(db: Database, clock: FixedClock, tmp_path: Path,
            rows: list[tuple[str, str, str]] = _ROWS) -> importing.ImportResult:
    path = tmp_path / "list.csv"
    path.write_text("报名编号,姓名,单位,类别\n" + "".join(f"{c},{n},{o},参会者\n" for c, n, o in rows),
                    encoding="utf-8")
    return ImportService(db, clock).apply(path)


def _names(db: Database, text: str) -> list[str]:
    return [d.name_native for d in search.SearchService(db).search(text)]


def test_pending_people_are_found_as_written_then_by_pinyin(
        demo_db: Database, clock: FixedClock, tmp_path: Path, deferred_index: None) -> None:
    result = _import(demo_db, clock, tmp_path)
    assert result.index_pending and result.counts.new == 3
    svc = search.SearchService(demo_db)
    assert svc.index_pending()
    # As written: characters, a Latin name in any case, the code, the organisation.
    assert "司马光明" in _names(demo_db, "司马光")
    assert "Đorđe Petrović" in _names(demo_db, "đorđe petrović")
    assert _names(demo_db, "P002") == ["欧阳娜娜"]
    assert "司马光明" in _names(demo_db, "oxford")
    # Wildcards typed are letters, not patterns.
    assert _names(demo_db, "%") == [] and _names(demo_db, "_") == []
    assert "欧阳娜娜" in _names(demo_db, "ouyang")  # the Latin name the import wrote
    assert "欧阳娜娜" not in _names(demo_db, "oynn")  # initials need the keys
    # A code scan never needed the keys: the person can be checked in at once.
    assert CheckInService(demo_db, clock).scan("P002", desk="D1").admitted
    assert svc.build_pending() > 0 and not svc.index_pending()
    assert "欧阳娜娜" in _names(demo_db, "oynn")
    assert "Đorđe Petrović" in _names(demo_db, "djordje")
    assert svc.build_pending() == 0  # nothing left


def test_a_small_import_indexes_at_once(demo_db: Database, clock: FixedClock, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "DEFER_INDEX", 4)
    result = _import(demo_db, clock, tmp_path)
    assert not result.index_pending
    assert not search.SearchService(demo_db).index_pending()
    assert "欧阳娜娜" in _names(demo_db, "ouyang")


def test_keys_left_pending_by_a_killed_process_are_built_later(
        demo_db: Database, clock: FixedClock, tmp_path: Path, deferred_index: None) -> None:
    """The import committed and its process died before build_pending: the mark is in the
    database, and whoever opens it next (the desk at start, the CLI) builds the keys."""
    _import(demo_db, clock, tmp_path)
    path = demo_db.path
    demo_db.close()
    again = Database(path)
    try:
        svc = search.SearchService(again)
        assert svc.index_pending()
        assert svc.build_pending() > 0
        assert "欧阳娜娜" in _names(again, "ouyang") and not svc.index_pending()
        # A rebuild gives the same keys: nothing doubled, nothing missing.
        with again.read() as s:
            built = sorted(s.execute(select(m.SearchKey.delegate_id, m.SearchKey.key)).all())
        search.reindex_all(again)
        with again.read() as s:
            assert sorted(s.execute(select(m.SearchKey.delegate_id, m.SearchKey.key)).all()) == built
    finally:
        again.close()


def test_a_person_with_no_key_does_not_stay_pending(
        demo_db: Database, clock: FixedClock, tmp_path: Path, deferred_index: None) -> None:
    result = _import(demo_db, clock, tmp_path)
    with demo_db.write() as s:  # one record with nothing to search by
        s.execute(update(m.Delegate).where(m.Delegate.id == result.changed_ids[0]).values(
            name_native="", name_latin="", family_name="", given_name="", registration_code="",
            organisation_zh="", organisation_en=""))
    svc = search.SearchService(demo_db)
    svc.build_pending()
    assert not svc.index_pending()


def test_a_reimport_changes_nothing_and_defers_nothing(
        demo_db: Database, clock: FixedClock, tmp_path: Path, deferred_index: None) -> None:
    _import(demo_db, clock, tmp_path)
    search.SearchService(demo_db).build_pending()
    again = _import(demo_db, clock, tmp_path)
    assert (again.counts.new, again.counts.changed, again.index_pending) == (0, 0, False)
    assert not search.SearchService(demo_db).index_pending()


def test_defer_index_drops_the_keys_of_exactly_the_ids_given(demo_db: Database) -> None:
    """Runs of consecutive ids in any order, with gaps: only those ids lose their keys."""
    from array import array

    with demo_db.read() as s:
        ids = sorted({int(i) for i in s.scalars(select(m.SearchKey.delegate_id))})[:12]
    given = array("q", [ids[5], ids[6], ids[7], ids[1], ids[2], ids[10]])
    with demo_db.write() as s:
        search.defer_index(s, given)
    with demo_db.read() as s:
        keyed = {int(i) for i in s.scalars(select(m.SearchKey.delegate_id))}
    assert not keyed & set(given)
    assert set(ids) - set(given) <= keyed
    assert search.SearchService(demo_db).index_pending()
