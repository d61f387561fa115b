"""Identity per source: numbers unique within their list, widths kept by the source, the same person
in two lists reported and never merged, re-imports that change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


def _people(db: Database, source: str) -> dict[str, tuple[str, str]]:
    """source_code → (registration number, name) of one source's people."""
    with db.read() as s:
        rows = s.execute(select(m.Delegate.source_code, m.Delegate.registration_code,
                                m.Delegate.name_native).where(m.Delegate.source == source)).all()
    return {r.source_code: (r.registration_code, r.name_native) for r in rows}


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Delegate)) or 0


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_two_lists_numbered_from_one_keep_every_person(svc: ImportService, tmp_path: Path) -> None:
    survey = _write(tmp_path / "问卷星导出.csv",
                    "编号,姓名,单位,类别\n1,张伟,重庆大学,参会者\n2,李娜,西南大学,参会者\n3,王芳,重庆邮电大学,参会者\n")
    guests = _write(tmp_path / "外事办嘉宾.csv",
                    "Registration No.,Name,Organisation,Category\n"
                    "1,Ana Jovanović,University of Belgrade,GUEST\n"
                    "2,Marko Petrović,Serbian Chamber of Commerce,GUEST\n3,Lee Min-ho,KAIST,GUEST\n")
    before = _count(svc.db)
    a = svc.apply(survey)
    b = svc.apply(guests)
    assert (a.counts.new, b.counts.new) == (3, 3)
    assert _count(svc.db) == before + 6
    assert {c: n for c, (_r, n) in _people(svc.db, "问卷星导出").items()} == {
        "1": "张伟", "2": "李娜", "3": "王芳"}
    foreign = _people(svc.db, "外事办嘉宾")
    # The second list's numbers are held already: qualified by its prefix, said once per row.
    assert foreign["1"][1] == "Ana Jovanović"
    assert all(code.endswith(f"-{n}") and code != n for n, (code, _name) in foreign.items())
    assert sum(p.code == "code_qualified" for p in b.problems) == 3
    # Re-importing either is a no-op; so is importing them again in the other order.
    for path in (guests, survey):
        again = svc.apply(path)
        assert (again.counts.new, again.counts.changed, again.counts.unchanged) == (0, 0, 3)
    assert _count(svc.db) == before + 6


def test_the_source_keeps_its_width_not_the_database(svc: ImportService, tmp_path: Path) -> None:
    first = _write(tmp_path / "reg.csv", "报名编号,姓名,类别\n005,张伟,参会者\n006,李娜,参会者\n")
    r = svc.apply(first, ImportOptions(source="报名系统"))
    assert r.inspection.code_width == 3
    # The next export of the same list lost its zeros (Excel): same people, nothing changes.
    second = _write(tmp_path / "reg2.csv", "报名编号,姓名,类别\n5,张伟,参会者\n6,李娜,参会者\n")
    r = svc.apply(second, ImportOptions(source="报名系统"))
    assert (r.counts.new, r.counts.changed, r.counts.unchanged) == (0, 0, 2)
    assert _people(svc.db, "报名系统") == {"5": ("005", "张伟"), "6": ("006", "李娜")}
    # Another list's 5 is not padded to the first list's width, and not the same person.
    other = _write(tmp_path / "other.csv", "报名编号,姓名,类别\n5,赵敏,参会者\n")
    r = svc.apply(other)
    assert r.inspection.code_width is None and r.counts.new == 1
    assert _people(svc.db, "other") == {"5": ("5", "赵敏")}
    assert svc.apply(other).counts.unchanged == 1
    assert {s.name: s.code_width for s in svc.sources()} == {"报名系统": 3, "other": 0}


def test_same_person_in_two_lists_is_reported_not_merged(svc: ImportService, tmp_path: Path) -> None:
    a = _write(tmp_path / "survey.csv", "编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,ZW@cqu.edu.cn,参会者\n")
    b = _write(tmp_path / "guests.csv",
               "编号,姓名,单位,电子邮箱,类别\nG-7,张伟,重庆大学,zw@cqu.edu.cn,嘉宾\n")
    svc.apply(a)
    dry = svc.dry_run(b)
    assert [(x.line, x.other_source, x.by) for x in dry.same_people] == [
        (2, "survey", ("email", "name_org"))]
    assert any(p.code == "same_person_other_source" and "merge" in p.message_en for p in dry.problems)
    r = svc.apply(b)
    assert r.counts.new == 1 and len(r.same_people) == 1
    # Both kept, each with what its own list says.
    assert _people(svc.db, "survey") == {"1": ("1", "张伟")}
    assert _people(svc.db, "guests") == {"G-7": ("G-7", "张伟")}
    with svc.db.read() as s:
        dump = " ".join(str(x) for x in s.execute(select(m.Delegate.__table__)).all())
    assert "cqu.edu.cn" not in dump  # only hashes identify people


def test_sheets_of_one_workbook_are_sources_of_their_own(svc: ImportService, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, cat, names in (("嘉宾", "嘉宾", "张伟 李娜"), ("媒体", "媒体", "王芳 赵敏"),
                              ("工作人员", "工作人员", "刘洋 陈静")):
        ws = wb.create_sheet(sheet)
        ws.append(["编号", "姓名", "类别"])
        for i, n in enumerate(names.split(), start=1):
            ws.append([i, n, cat])
    path = tmp_path / "分类名单.xlsx"
    wb.save(path)
    before = _count(svc.db)
    for sheet in ("嘉宾", "媒体", "工作人员"):
        r = svc.apply(path, ImportOptions(sheet=sheet))
        assert r.inspection.source == sheet and r.counts.new == 2
    assert _count(svc.db) == before + 6
    for sheet in ("嘉宾", "媒体", "工作人员"):
        assert svc.apply(path, ImportOptions(sheet=sheet)).counts.unchanged == 2


def test_a_file_imported_before_sources_had_names_is_taken_over(svc: ImportService,
                                                                tmp_path: Path) -> None:
    from sqlalchemy import text

    p = _write(tmp_path / "old.csv", "报名编号,姓名,类别\n007,张伟,参会者\nA-2,李娜,参会者\n")
    svc.apply(p)
    with svc.db.write() as s:  # as a database from before migration 0012 holds it
        s.execute(text("UPDATE delegates SET source = '', source_code = registration_code "
                       "WHERE source = 'old'"))
        s.execute(text("UPDATE import_runs SET source = ''"))
        s.execute(text("DELETE FROM import_sources"))
    before = _count(svc.db)
    r = svc.apply(p)
    assert (r.counts.new, r.counts.changed) == (0, 2)  # the same people, now of source "old"
    assert _count(svc.db) == before
    assert _people(svc.db, "old") == {"7": ("007", "张伟"), "A-2": ("A-2", "李娜")}
    assert svc.apply(p).counts.unchanged == 2
    # Another file with the same numbers is another list: it does not take them over.
    other = _write(tmp_path / "other.csv", "报名编号,姓名,类别\nA-2,赵敏,参会者\n")
    assert svc.apply(other).counts.new == 1


def test_same_person_decisions_are_stored_and_not_asked_again(svc: ImportService,
                                                               tmp_path: Path) -> None:
    from checkin_app.services.importing import APART, MERGE, ImportFailed

    a = _write(tmp_path / "survey.csv", "编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,ZW@cqu.edu.cn,参会者\n"
               "2,李娜,西南大学,ln@swu.edu.cn,参会者\n")
    b = _write(tmp_path / "guests.csv", "编号,姓名,单位,电子邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,嘉宾\n"
               "2,李娜,西南大学,ln@swu.edu.cn,嘉宾\n")
    svc.apply(a)
    first = svc.apply(b)
    # The row's own person is named as stored (the second list's 1 is held: GUESTS-1).
    pairs = {(x.code, x.other_code) for x in first.same_people}
    assert pairs == {("GUESTS-1", "1"), ("GUESTS-2", "2")}
    assert all(x.delegate_id for x in first.same_people)
    before = {c: row for c, row in _people(svc.db, "guests").items()}
    zw = next(x for x in first.same_people if x.other_code == "1")
    ln = next(x for x in first.same_people if x.other_code == "2")
    kept = svc.decide_same_person(zw.other_id, zw.delegate_id, MERGE, operator="organiser")
    assert (kept.kept_code, kept.other_code, kept.decision) == ("1", "GUESTS-1", MERGE)
    svc.decide_same_person(ln.delegate_id, ln.other_id, APART, operator="organiser")
    # A re-import asks about neither pair again, and changes nothing: merge keeps both records.
    again = svc.dry_run(b)
    assert again.same_people == () and again.counts.unchanged == 2
    assert not any(p.code == "same_person_other_source" for p in again.problems)
    assert _people(svc.db, "guests") == before and len(_people(svc.db, "survey")) == 2
    decisions = {(d.kept_code, d.other_code, d.decision) for d in svc.same_person_decisions()}
    assert decisions == {("1", "GUESTS-1", MERGE), ("2", "GUESTS-2", APART)}  # apart: lower id first
    # Deciding again replaces the decision (one per pair), and is audited each time.
    svc.decide_same_person(zw.delegate_id, zw.other_id, APART)
    assert len(svc.same_person_decisions()) == 2
    with svc.db.read() as s:
        audited = s.scalar(select(func.count()).select_from(m.AuditEntry)
                           .where(m.AuditEntry.action == "import.same_person"))
    assert audited == 3
    assert svc.delegate_id("guests-1") == zw.delegate_id
    with pytest.raises(ImportFailed):
        svc.decide_same_person(zw.delegate_id, zw.delegate_id, MERGE)
    with pytest.raises(ImportFailed):
        svc.decide_same_person(zw.delegate_id, 10**9, MERGE)
    # A third list with the same person again is still reported (a new pair).
    c = _write(tmp_path / "media.csv", "编号,姓名,单位,邮箱,类别\nM1,张伟,重庆大学,zw@cqu.edu.cn,媒体\n")
    assert {x.other_code for x in svc.dry_run(c).same_people} == {"1", "GUESTS-1"}
