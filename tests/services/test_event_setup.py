"""Applying an event definition: one transaction, idempotent, audited, never losing check-ins."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.event_def import EventDefinition
from checkin_app.domain.verdicts import Verdict
from checkin_app.services import event_files as ef
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.event_setup import EventSetupError, EventSetupService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.domain.event_strategies import definitions

SH = ZoneInfo("Asia/Shanghai")
CLOCK = FixedClock(datetime(2025, 6, 1, 9, 30, tzinfo=SH))


def _audit_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEntry)) or 0)


def _person(db: Database, code: str = "P-1", category: str = "ATTENDEE") -> int:
    with db.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == category))
        d = m.Delegate(uid=code, registration_code=code, name_native="张伟", name_latin="ZHANG Wei",
                       category_id=cat, updated_at=CLOCK.now())
        s.add(d)
        s.flush()
        return d.id


@pytest.fixture
def svc(db: Database) -> EventSetupService:
    return EventSetupService(db, CLOCK)


def test_apply_creates_the_event_and_again_changes_nothing(svc: EventSetupService, db: Database) -> None:
    first = svc.apply(ef.blank(), operator="org", desk="laptop")
    assert first.changed and {c.action for c in first.changes} == {"add"}
    entries = _audit_count(db)
    assert entries == len(first.changes)
    with db.read() as s:
        actions = set(s.scalars(select(m.AuditEntry.action)))
    assert {"event.event.add", "event.activity.add", "event.category.add"} == actions
    again = svc.apply(ef.blank())
    assert not again.changed and _audit_count(db) == entries
    assert svc.current() == ef.blank()
    acts = {a.code: a for a in CatalogService(db).activities()}
    assert acts["MAIN"].once_per_day and acts["MAIN"].reentry
    assert acts["OPENING"].admitted_categories == {"VIP", "ATTENDEE"} and not acts["OPENING"].reentry


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_export_then_apply_is_a_no_op(svc: EventSetupService, db: Database, tmp_path: Path,
                                      suffix: str) -> None:
    svc.apply(ef.chongqing())
    path = tmp_path / f"out{suffix}"
    svc.export(path)
    before = _audit_count(db)
    assert not svc.apply_file(path).changed
    assert _audit_count(db) == before
    if suffix == ".yaml":
        again = tmp_path / "again.yaml"
        svc.export(again)
        assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_demo_database_exports_and_applies_as_a_no_op(demo_db: Database, tmp_path: Path) -> None:
    svc = EventSetupService(demo_db, CLOCK)
    assert svc.current() == ef.chongqing()
    svc.export(tmp_path / "demo.xlsx")
    assert not svc.apply_file(tmp_path / "demo.xlsx").changed


def test_changed_time_and_capacity_update_and_are_audited(svc: EventSetupService, db: Database) -> None:
    svc.apply(ef.blank())
    d = ef.blank()
    opening = replace(d.activities[1], start=time(9, 30), capacity=800)
    result = svc.apply(replace(d, activities=(d.activities[0], opening)), operator="Li")
    [change] = result.changes
    assert (change.table, change.code, change.action) == ("activity", "OPENING", "update")
    assert change.before["capacity"] == 500 and change.after["capacity"] == 800
    assert change.after["starts_at"].startswith("2025-06-01T01:30")  # 09:30 Chongqing, as UTC
    with db.read() as s:
        e = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id.desc())).first()
    assert e is not None and (e.action, e.subject, e.operator) == ("event.activity.update", "OPENING", "Li")
    assert '"capacity": 800' in e.after_json
    acts = {a.code: a for a in CatalogService(db).activities()}
    assert acts["OPENING"].capacity == 800


def test_an_activity_with_checkins_is_never_deleted(svc: EventSetupService, db: Database) -> None:
    svc.apply(ef.blank())
    _person(db)
    assert CheckInService(db, CLOCK).scan("P-1", activity_code="OPENING", desk="D1").admitted
    d = ef.blank()
    without = replace(d, activities=d.activities[:1])
    before = _audit_count(db)
    with pytest.raises(EventSetupError) as err:
        svc.apply(without)
    [p] = err.value.problems
    assert p.code == "activity_has_checkins" and "OPENING" in p.message_en
    assert "--archive-removed" in p.hint_en
    assert "签到记录" in str(err.value)
    assert _audit_count(db) == before and svc.current() == ef.blank()
    result = svc.apply(without, archive_removed=True)
    assert [(c.code, c.action) for c in result.changes] == [("OPENING", "archive")]
    current = svc.current()
    assert current is not None and current.activity("OPENING") is not None
    assert current.activity("OPENING").archived  # type: ignore[union-attr]
    assert not svc.apply(without, archive_removed=True).changed
    assert not svc.apply(without).changed  # archived already: nothing to refuse
    assert "OPENING" not in {a.code for a in CatalogService(db).activities()}
    import checkin_app.services.checkin as checkin_module

    checkin_module.CATALOG_TTL_S = 0.0
    try:
        r = CheckInService(db, CLOCK).scan("P-1", activity_code="OPENING", desk="D1")
    finally:
        checkin_module.CATALOG_TTL_S = 5.0
    assert r.verdict is Verdict.CLOSED and "withdrawn" in r.message_en


def test_an_activity_without_checkins_is_deleted(svc: EventSetupService, db: Database) -> None:
    svc.apply(ef.blank())
    d = ef.blank()
    result = svc.apply(replace(d, activities=d.activities[:1],
                               categories=(replace(d.categories[0], default_activities=()),
                                           d.categories[1])))
    assert ("OPENING", "delete") in {(c.code, c.action) for c in result.changes}
    assert [a.code for a in CatalogService(db).activities()] == ["MAIN"]


def test_a_category_people_have_cannot_go(svc: EventSetupService, db: Database) -> None:
    svc.apply(ef.blank())
    _person(db, category="VIP")
    d = ef.blank()
    with pytest.raises(EventSetupError) as err:
        svc.apply(replace(d, categories=d.categories[1:]))
    assert [p.code for p in err.value.problems] == ["category_in_use"]


def test_another_events_file_over_checkins_is_refused_unless_forced(svc: EventSetupService,
                                                                   db: Database) -> None:
    svc.apply(ef.blank())
    other = replace(ef.blank(), event=replace(ef.blank().event, code="OTHER"))
    assert svc.apply(other).changed  # no check-ins yet: simply replaced
    svc.apply(ef.blank())
    _person(db)
    CheckInService(db, CLOCK).scan("P-1", desk="D1")
    with pytest.raises(EventSetupError) as err:
        svc.apply(other)
    assert err.value.problems[0].code == "other_event" and "--force" in err.value.problems[0].hint_en
    result = svc.apply(other, force=True)
    assert result.event_code == "OTHER"


def test_a_file_with_errors_is_not_applied(svc: EventSetupService, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(ef.yaml_text(ef.blank()).replace("#C62828", "crimson"), encoding="utf-8")
    with pytest.raises(EventSetupError) as err:
        svc.apply_file(path)
    assert err.value.problems[0].code == "bad_colour" and err.value.problems[0].line > 0
    assert svc.current() is None


@pytest.fixture(scope="module")
def blank_db_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("tmpl") / "empty.sqlite3"
    Database(path).close()
    yield path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definitions(), st.sampled_from([".yaml", ".xlsx"]))
def test_random_definitions_survive_export_apply_export(blank_db_file: Path, tmp_path: Path,
                                                        d: EventDefinition, suffix: str) -> None:
    work = tmp_path / "h"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy(blank_db_file, work / "a.sqlite3")
    shutil.copy(blank_db_file, work / "b.sqlite3")
    a, b = Database(work / "a.sqlite3"), Database(work / "b.sqlite3")
    try:
        sa, sb = EventSetupService(a, CLOCK), EventSetupService(b, CLOCK)
        sa.apply(d)
        assert sa.current() == d
        first = work / f"first{suffix}"
        sa.export(first)
        assert not sa.apply_file(first).changed
        sb.apply_file(first)
        second = work / f"second{suffix}"
        sb.export(second)
        assert ef.check_file(second).definition == d
        if suffix == ".yaml":
            assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    finally:
        a.close()
        b.close()


def test_a_late_start_changes_one_activity_only(svc: EventSetupService, db: Database) -> None:
    svc.apply(ef.chongqing())
    result = svc.change_activity("opening", start=time(9, 30), end=time(11, 0), operator="Li",
                                 desk="dashboard")
    [change] = result.changes
    assert (change.code, set(change.after)) == ("OPENING", {"starts_at", "ends_at"})
    acts = {a.code: a for a in CatalogService(db).activities()}
    assert acts["OPENING"].starts_at == datetime(2024, 11, 23, 9, 30, tzinfo=SH)
    with pytest.raises(EventSetupError) as err:
        svc.change_activity("OPENING", end=time(8, 0), operator="Li")
    assert err.value.problems[0].code == "end_before_start"
    with pytest.raises(EventSetupError):
        svc.change_activity("NOPE", capacity=5, operator="Li")
    with pytest.raises(ValueError):
        svc.change_activity("OPENING", name_en="x", operator="Li")
