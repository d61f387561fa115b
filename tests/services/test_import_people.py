"""Organisations in two languages, names placed by culture, junk rows and section rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.importing import ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


def _row(db: Database, code: str) -> m.Delegate:
    with db.read() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == code))
        assert d is not None, code
        s.expunge(d)
        return d


def test_two_organisation_columns_fill_two_languages(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "vip.csv"
    p.write_text("编号,姓名,单位,单位（英文）,类别\n"
                 "V-1,张伟,重庆大学,Chongqing University,贵宾\n"
                 "V-2,Ana Jovanović,University of Belgrade,,贵宾\n"
                 "V-3,Marko Petrović,Univerzitet u Beogradu,University of Belgrade,贵宾\n"
                 "V-4,李娜,西南大学,,贵宾\n", encoding="utf-8")
    assert svc.apply(p).counts.new == 4
    orgs = {c: (_row(svc.db, c).organisation_zh, _row(svc.db, c).organisation_en)
            for c in ("V-1", "V-2", "V-3", "V-4")}
    assert orgs == {"V-1": ("重庆大学", "Chongqing University"), "V-2": ("", "University of Belgrade"),
                    "V-3": ("Univerzitet u Beogradu", "University of Belgrade"), "V-4": ("西南大学", "")}
    assert svc.apply(p).counts.unchanged == 4


def test_first_and_last_of_eastern_names_are_not_flipped(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "intl.csv"
    p.write_text("Registration No.,First Name,Last Name,Name in English,Category\n"
                 "K-1,지민,정,Jimin JUNG,GUEST\nK-2,정,지민,,GUEST\nK-3,Anna,Berg,,GUEST\n"
                 "K-4,伟,张,,GUEST\n", encoding="utf-8")
    assert svc.apply(p).counts.new == 4
    k1, k2, k3, k4 = (_row(svc.db, c) for c in ("K-1", "K-2", "K-3", "K-4"))
    assert (k1.family_name, k1.given_name, k1.name_native, k1.name_latin) == ("정", "지민", "정지민",
                                                                               "Jimin JUNG")
    assert (k2.family_name, k2.given_name, k2.name_native) == ("정", "지민", "정지민")
    assert (k3.name_native, k3.name_order) == ("Anna Berg", "western")
    assert (k4.name_native, k4.name_order) == ("张伟", "eastern")


def test_junk_rows_are_rejected_with_a_reason_and_sections_skipped_once(
        svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "list.csv"
    p.write_text("序号,姓名,单位,类别\n一、院士专家,,,\n1,张伟,重庆大学,院士\n2,测试,测试单位,院士\n"
                 "3,请填写真实姓名,,院士\n4,刘?,重庆大学,院士\n5,#N/A,#N/A,院士\n6,#REF!,,院士\n"
                 "7,——,,院士\n二、企业代表,,,\n8,李娜,长安汽车,企业代表\n", encoding="utf-8")
    r = svc.dry_run(p)
    assert (r.counts.new, r.counts.rejected, r.counts.skipped) == (2, 6, 2)
    junk = {p.line: p.message_en for p in r.problems if p.code == "junk_row"}
    assert sorted(junk) == [4, 5, 6, 7, 8, 9]
    assert "test row" in junk[4] and "placeholder" in junk[5] and "lost" in junk[6]
    assert "spreadsheet error" in junk[7] and "punctuation" in junk[9]
    sections = [p for p in r.problems if p.line in (2, 10)]
    assert [(p.code, p.severity) for p in sections] == [("section_row", "warning")] * 2
