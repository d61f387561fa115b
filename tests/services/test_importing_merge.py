"""The organiser's MERGE takes effect at the desk: the merged record's code is the kept person's,
counts and batches count the person once, search lists the kept record; APART undoes it; a
re-import keeps it; a loop is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.messages import text
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.badges import BadgeService, Selection
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.importing import APART, MERGE, ImportFailed, ImportService, SamePerson
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

SURVEY = ("编号,姓名,单位,邮箱,类别\n1,张伟,重庆大学,zw@cqu.edu.cn,参会者\n"
          "2,李娜,西南大学,ln@swu.edu.cn,参会者\n")
GUESTS = ("编号,姓名,单位,电子邮箱,类别\n1,张伟,重庆大学,ZW@cqu.edu.cn,嘉宾\n"
          "2,李娜,西南大学,ln@swu.edu.cn,嘉宾\n")


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


def _write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def _pair(svc: ImportService, tmp_path: Path) -> tuple[SamePerson, Path]:
    """张伟 of the survey (number 1) and of the guest list (GUESTS-1), reported as one person."""
    svc.apply(_write(tmp_path / "survey.csv", SURVEY))
    guests = _write(tmp_path / "guests.csv", GUESTS)
    found = svc.apply(guests).same_people
    return next(x for x in found if x.other_code == "1"), guests


def _row(db: Database, delegate_id: int) -> m.Delegate:
    with db.read() as s:
        d = s.get(m.Delegate, delegate_id)
        assert d is not None
        assert d.category is not None  # loaded before the session ends
        s.expunge_all()
        return d


def _main(db: Database, clock: FixedClock) -> tuple[int, int, int]:
    stats = next(x for x in CatalogService(db, clock).stats() if x.activity_code == "MAIN")
    return stats.registered, stats.checked_in, stats.inside_now


def test_the_merged_records_code_checks_in_the_kept_person_once(svc: ImportService, tmp_path: Path,
                                                                 clock: FixedClock) -> None:
    zw, _ = _pair(svc, tmp_path)
    db = svc.db
    registered, checked_in, inside = _main(db, clock)
    kept, other = _row(db, zw.other_id), _row(db, zw.delegate_id)
    assert (kept.registration_code, other.registration_code) == ("1", "GUESTS-1")
    clock.advance(minutes=5)
    svc.decide_same_person(kept.id, other.id, MERGE, operator="organiser")
    assert _row(db, other.id).merged_into == kept.uid and _row(db, kept.id).merged_into == ""
    # The change marker moved, so the hub's publish and the bundles carry the row again.
    assert _row(db, other.id).updated_at == clock.now() != other.updated_at
    assert _main(db, clock) == (registered - 1, checked_in, inside)

    desk = CheckInService(db, clock)
    r = desk.scan("guests-1", desk="Desk 1")
    # The kept person's verdict: their category (an attendee, not the guest list's 嘉宾), and
    # the check-in is theirs.
    assert r.verdict is Verdict.ADMIT and r.admitted
    assert r.delegate is not None and r.delegate.id == kept.id
    assert r.delegate.category.code == "ATTENDEE" != other.category.code
    assert r.event is not None and r.event.delegate_id == kept.id
    assert r.code == "GUESTS-1" and r.details["merged_record"] == "GUESTS-1"
    assert r.next_zh.startswith("合并记录：此码属于 张伟（来源 guests），按 张伟（1）办理。")
    assert r.next_en.startswith("Merged record: this code is 张伟's (source guests); checked in as 张伟 (1).")
    assert r.next_zh.endswith(text("verdict.ADMIT.next", "zh"))
    # The kept record's own code: already in, from the first scan. The other code again: the same.
    assert desk.scan("1", desk="Desk 2").verdict is Verdict.ALREADY_IN
    again = desk.scan("GUESTS-1", desk="Desk 2")
    assert again.verdict is Verdict.ALREADY_IN and again.previous is not None
    assert again.previous.uuid == r.event.uuid
    assert _main(db, clock) == (registered - 1, checked_in + 1, inside + 1)
    with db.read() as s:
        on_other = s.scalars(select(m.CheckIn).where(m.CheckIn.delegate_id == other.id)).all()
        audited = s.scalars(select(m.AuditEntry).where(m.AuditEntry.subject == "1",
                                                       m.AuditEntry.action == "checkin")).all()
    assert on_other == [] and '"merged_record": "GUESTS-1"' in audited[0].after_json


def test_search_and_badge_batches_show_the_merged_person_once(svc: ImportService, tmp_path: Path,
                                                              clock: FixedClock) -> None:
    zw, _ = _pair(svc, tmp_path)
    search = SearchService(svc.db)
    badges = BadgeService(svc.db, clock)
    found = [d.id for d in search.search("张伟", limit=50)]
    assert zw.delegate_id in found and zw.other_id in found
    batch = badges.count(Selection())
    svc.decide_same_person(zw.other_id, zw.delegate_id, MERGE)
    found = [d.id for d in search.search("张伟", limit=50)]
    assert zw.other_id in found and zw.delegate_id not in found
    assert len(found) == len(set(found))
    # The merged record's own number finds the person it now is.
    assert [d.id for d in search.search("GUESTS-1")][:1] == [zw.other_id]
    assert badges.count(Selection()) == batch - 1
    codes = {b.registration_code for b in badges.iter_badge_data(Selection())}
    assert "1" in codes and "GUESTS-1" not in codes


def test_checkins_on_both_records_before_the_merge_count_one_person(
        svc: ImportService, tmp_path: Path, clock: FixedClock) -> None:
    zw, _ = _pair(svc, tmp_path)
    db = svc.db
    _registered, checked_in, inside = _main(db, clock)
    desk = CheckInService(db, clock)
    assert desk.scan("1", desk="Desk 1").verdict is Verdict.ADMIT
    assert desk.scan("GUESTS-1", desk="Desk 2").admitted
    assert _main(db, clock)[1:] == (checked_in + 2, inside + 2)
    svc.decide_same_person(zw.other_id, zw.delegate_id, MERGE)
    assert _main(db, clock)[1:] == (checked_in + 1, inside + 1)


def test_apart_undoes_the_merge_and_a_reimport_keeps_it(svc: ImportService, tmp_path: Path,
                                                        clock: FixedClock) -> None:
    zw, guests = _pair(svc, tmp_path)
    db = svc.db
    kept = _row(db, zw.other_id)
    svc.decide_same_person(zw.other_id, zw.delegate_id, MERGE)
    # A re-import of the guest list with changed data updates the record and keeps the link.
    changed = _write(tmp_path / "guests.csv", GUESTS.replace("1,张伟,重庆大学", "1,张伟,重庆大学 计算机学院"))
    assert changed == guests
    assert svc.apply(changed).counts.changed == 1
    row = _row(db, zw.delegate_id)
    assert row.organisation_zh == "重庆大学 计算机学院" and row.merged_into == kept.uid
    assert svc.apply(_write(tmp_path / "survey.csv", SURVEY)).counts.unchanged == 2
    assert _row(db, zw.delegate_id).merged_into == kept.uid
    svc.decide_same_person(zw.delegate_id, zw.other_id, APART)
    assert _row(db, zw.delegate_id).merged_into == ""
    r = CheckInService(db, clock).scan("GUESTS-1", desk="Desk 1")
    assert r.delegate is not None and r.delegate.id == zw.delegate_id
    assert "merged_record" not in r.details and not r.next_zh.startswith("合并记录")


def test_chains_end_at_one_record_and_a_loop_is_refused(svc: ImportService, tmp_path: Path) -> None:
    zw, _ = _pair(svc, tmp_path)
    media = _write(tmp_path / "media.csv", "编号,姓名,单位,邮箱,类别\nM1,张伟,重庆大学,zw@cqu.edu.cn,媒体\n")
    svc.apply(media)
    db = svc.db
    a, b = zw.other_id, zw.delegate_id
    c = svc.delegate_id("M1")
    assert c is not None
    uid = {i: _row(db, i).uid for i in (a, b, c)}
    svc.decide_same_person(a, b, MERGE)           # B -> A
    svc.decide_same_person(b, c, MERGE)           # C -> B, which stands merged into A
    assert [_row(db, i).merged_into for i in (a, b, c)] == ["", uid[a], uid[a]]
    with pytest.raises(ImportFailed) as refused:
        svc.decide_same_person(c, a, MERGE)       # A -> C would close the loop
    assert refused.value.message is not None and refused.value.message.code == "import.same.cycle"
    assert "M1" in str(refused.value) and "Keep one of those pairs apart first" in str(refused.value)
    assert [_row(db, i).merged_into for i in (a, b, c)] == ["", uid[a], uid[a]]
    # The pair A-B decided the other way round: B stands for both now, C follows it.
    svc.decide_same_person(b, a, MERGE)
    assert [_row(db, i).merged_into for i in (a, b, c)] == [uid[b], "", uid[b]]
    # Keeping B and C apart leaves C on its own; A stays merged into B.
    svc.decide_same_person(b, c, APART)
    assert [_row(db, i).merged_into for i in (a, b, c)] == [uid[b], "", ""]


def test_a_record_merged_into_one_person_is_not_merged_into_another(svc: ImportService,
                                                                   tmp_path: Path) -> None:
    zw, _ = _pair(svc, tmp_path)
    ln = svc.delegate_id("GUESTS-2")
    assert ln is not None
    svc.decide_same_person(zw.other_id, zw.delegate_id, MERGE)
    with pytest.raises(ImportFailed) as refused:
        svc.decide_same_person(ln, zw.delegate_id, MERGE)
    assert refused.value.message is not None
    assert refused.value.message.code == "import.same.merged_elsewhere"
    assert _row(svc.db, zw.delegate_id).merged_into == _row(svc.db, zw.other_id).uid
