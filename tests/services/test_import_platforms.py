"""The ten exports of issue 13 as their platforms and offices write them (tests/importers/make_fixtures.py):
each goes in with its vocabulary mapped, keeps every person with organisation, category, track and
country, and a second import changes nothing; lists numbered from 1 all keep their people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.importers.fields import auto_mapping
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

DATA = Path(__file__).resolve().parents[1] / "importers" / "data" / "platforms"

# What the organiser maps for each file (the rest is recognised by itself).
MAPS: dict[str, dict[str, dict[str, str]]] = {
    "问卷星_答卷数据.xlsx": {"category": {"普通参会人员": "ATTENDEE", "媒体记者": "MEDIA"}},
    "金数据_报名表.xlsx": {"status": {"待审核": "approved"}},
    "eventbrite_attendees.csv": {"category": {"International Delegate": "ATTENDEE", "Media Pass": "MEDIA"}},
}
# file (sheet) → (new, cancelled, rejected) on the first import.
EXPECTED: dict[tuple[str, str | None], tuple[int, int, int]] = {
    ("问卷星_答卷数据.xlsx", None): (20, 0, 2),  # 测试 and 请填写真实姓名 rejected
    ("金数据_报名表.xlsx", None): (12, 3, 0),  # 审核未通过 ×3 cancelled
    ("eventbrite_attendees.csv", None): (9, 3, 0),  # Not Attending ×3
    ("重要嘉宾汇总表.xlsx", None): (12, 0, 2),  # 刘? and #N/A
    ("报名_gb18030.csv", None): (13, 0, 0),
    ("外宾_unicode.txt", None): (8, 0, 0),
    ("分类名单.xlsx", "嘉宾"): (8, 0, 0),
    ("分类名单.xlsx", "媒体"): (6, 0, 0),
    ("分类名单.xlsx", "工作人员"): (6, 0, 0),
    ("外事办嘉宾名单.xlsx", None): (6, 0, 0),
    ("星渝杯参赛团队.xlsx", None): (12, 0, 0),
    ("礼宾处贵宾名单.xlsx", None): (5, 0, 0),
}


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


def _options(name: str, sheet: str | None) -> ImportOptions:
    return ImportOptions(sheet=sheet, value_map=MAPS.get(name))


def _person(db: Database, source: str, number: str) -> dict[str, Any]:
    with db.read() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.source == source,
                                              m.Delegate.source_code == number))
        assert d is not None, (source, number)
        admitted = set(s.scalars(select(m.Activity.code).join(
            m.DelegateAdmission, m.DelegateAdmission.activity_id == m.Activity.id)
            .where(m.DelegateAdmission.delegate_id == d.id)))
        return {"family": d.family_name, "given": d.given_name, "native": d.name_native,
                "latin": d.name_latin, "order": d.name_order, "org_zh": d.organisation_zh,
                "org_en": d.organisation_en, "position": (d.position_zh, d.position_en),
                "country": d.country, "category": d.category.code, "status": d.status,
                "team": d.team, "track": d.track, "admitted": admitted, "code": d.registration_code}


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Delegate)) or 0


def test_every_export_goes_in_and_a_second_import_changes_nothing(svc: ImportService) -> None:
    before = _count(svc.db)
    kept = 0
    for (name, sheet), (new, cancelled, rejected) in EXPECTED.items():
        r = svc.apply(DATA / name, _options(name, sheet))
        c = r.counts
        assert (c.new, c.cancelled, c.rejected) == (new, cancelled, rejected), (name, sheet, r.problems)
        assert not r.unknown_values, (name, r.unknown_values)
        kept += new + cancelled
    # Everyone of every list is there: the lists numbered from 1 overwrote nobody.
    assert _count(svc.db) == before + kept
    written = _written(svc.db)
    for (name, sheet), (new, cancelled, _rejected) in EXPECTED.items():
        again = svc.apply(DATA / name, _options(name, sheet))
        c = again.counts
        assert (c.new, c.changed, c.cancelled, c.unchanged) == (0, 0, 0, new + cancelled), (name, sheet)
    assert _count(svc.db) == before + kept
    assert _written(svc.db) == written  # not an audit line, an admission or an identity more


def _written(db: Database) -> tuple[int, ...]:
    from checkin_app.storage.models_import import ImportIdentity, ImportSource

    with db.read() as s:
        counts = [s.scalar(select(func.count()).select_from(t)) or 0 for t in (
            m.AuditEntry, m.DelegateAdmission, ImportIdentity, ImportSource)]
        rows = s.execute(select(m.Delegate.id, m.Delegate.updated_at, m.Delegate.registration_code)
                         .order_by(m.Delegate.id)).all()
        return (*counts, hash(tuple(rows)))


def test_the_people_field_by_field(svc: ImportService) -> None:
    for (name, sheet) in EXPECTED:
        svc.apply(DATA / name, _options(name, sheet))
    db = svc.db
    p = _person(db, "问卷星_答卷数据", "1")
    assert (p["category"], p["country"], p["org_zh"], p["status"]) == ("ATTENDEE", "CN", "西南大学", "approved")  # noqa: E501
    assert _person(db, "问卷星_答卷数据", "5")["category"] == "GUEST"  # A.嘉宾
    assert _person(db, "问卷星_答卷数据", "3")["category"] == "MEDIA"  # C.媒体记者, mapped
    # 金数据: the WeChat profile (安道尔, 女/男) is not the person's country.
    j = _person(db, "金数据_报名表", "8")
    assert (j["country"], j["category"], j["status"]) == ("", "ENTERPRISE", "cancelled")
    assert j["admitted"] == set()  # 高峰论坛;签约仪式: both admitted to enterprises by default
    # Eventbrite: a checked-in attendee is kept, countries in official forms, Eastern First/Last.
    e = {n: _person(db, "eventbrite_attendees", str(1469000000 + n)) for n in (1, 2, 3, 4, 5, 6, 7, 8)}
    assert (e[1]["status"], e[1]["country"], e[1]["org_en"]) == ("approved", "SE", "Karolinska Institutet")
    assert e[2]["country"] == "KR" and e[4]["country"] == "RS" and e[8]["country"] == "TH"
    assert (e[3]["family"], e[3]["given"], e[3]["native"], e[3]["order"]) == ("정", "지민", "정지민", "eastern")  # noqa: E501
    assert (e[5]["country"], e[6]["country"], e[7]["country"]) == ("IL", "MM", "IS")
    assert e[3]["category"] == "MEDIA" and e[1]["category"] == "ATTENDEE"
    # The government sheet: two-row header, sections skipped.
    g = _person(db, "重要嘉宾汇总表", "7")
    assert (g["category"], g["org_zh"], g["position"][0]) == ("ENTERPRISE", "重庆长安汽车股份有限公司", "总工程师")  # noqa: E501
    assert _person(db, "重要嘉宾汇总表", "1")["category"] == "ACADEMICIAN"
    # GB18030 with 单位（英文）: both languages, 居民身份证 not a category.
    b = _person(db, "报名_gb18030", "6")
    assert (b["org_zh"], b["org_en"], b["category"]) == ("重庆大学", "Chongqing University", "GUEST")
    b13 = _person(db, "报名_gb18030", "13")
    assert (b13["org_zh"], b13["org_en"], b13["country"]) == ("", "University of Belgrade", "RS")
    # Unicode text: countries as guests write them, Latin names from the file.
    u = {n: _person(db, "外宾_unicode", str(n)) for n in range(1, 9)}
    assert [u[n]["country"] for n in range(1, 9)] == ["RS", "KR", "TH", "RU", "IL", "IS", "JP", "VN"]
    assert (u[2]["latin"], u[2]["order"]) == ("KIM Min-jun", "eastern")
    assert (u[7]["family"], u[7]["given"], u[7]["latin"]) == ("田中", "花子", "TANAKA Hanako")
    assert u[1]["category"] == "INTL_ORG"
    # One sheet per category, each numbered from 1.
    assert {_person(db, s, "1")["category"] for s in ("嘉宾", "媒体", "工作人员")} == {"GUEST", "MEDIA", "STAFF"}  # noqa: E501
    # The foreign-affairs list: two-line headers, both organisation languages.
    f = _person(db, "外事办嘉宾名单", "1")
    assert (f["native"], f["org_zh"], f["org_en"], f["country"], f["category"]) == (
        "Ana Jovanović", "贝尔格莱德大学", "University of Belgrade", "RS", "INTL_ORG")
    assert _person(db, "外事办嘉宾名单", "2")["country"] == "RS"  # Србија
    assert _person(db, "外事办嘉宾名单", "3")["category"] == "ACADEMICIAN"
    # The team list: the person's number, not the team's; each team admitted to its track.
    t = {n: _person(db, "星渝杯参赛团队", f"XYP{n:04d}") for n in (1, 4, 7, 10)}
    assert [t[n]["admitted"] for n in (1, 4, 7, 10)] == [{"XY_A"}, {"XY_B"}, {"XY_C"}, {"XY_D"}]
    assert (t[1]["team"], t[1]["category"], t[1]["track"]) == ("星渝1队", "COMPETITOR", "星渝杯·智能制造赛道")
    # The protocol office: the organisation in the guest's own language is never lost.
    v = {n: _person(db, "礼宾处贵宾名单", str(n)) for n in range(1, 6)}
    assert (v[2]["org_zh"], v[2]["org_en"], v[2]["country"]) == ("", "Embassy of Serbia in China", "RS")
    assert (v[3]["org_en"], v[3]["position"]) == ("Technische Universität München", ("Präsident", "President"))  # noqa: E501
    assert (v[1]["org_zh"], v[1]["org_en"]) == ("重庆市人民政府", "Chongqing Municipal People's Government")
    assert (v[5]["org_zh"], v[5]["org_en"], v[5]["category"]) == ("重庆大学", "", "VIP")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["1、", "2.", "Q3: ", "第4题 ", ""]), st.sampled_from(["您的", "请填写", ""]),
       st.sampled_from(["姓名", "单位", "手机号码", "电子邮箱", "参会身份"]),
       st.sampled_from(["", "（必填）", " *", "\n"]))
def test_question_headers_read_by_their_words(number: str, polite: str, words: str, tail: str) -> None:
    expected = {"姓名": "name", "单位": "organisation", "手机号码": "phone", "电子邮箱": "email",
                "参会身份": "category"}[words]
    assert auto_mapping([number + polite + words + tail]) == [expected]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["A.", "B、", "C) ", ""]), st.sampled_from(["嘉宾", "媒体", "参会者", "Delegate"]),
       st.sampled_from(["", " ", "\u3000"]))
def test_answer_letters_and_spaces_never_change_the_category(svc: ImportService, tmp_path: Path,
                                                             letter: str, word: str, pad: str) -> None:
    path = tmp_path / "one.csv"
    path.write_text(f"序号,姓名,类别\n1,张伟,{pad}{letter}{word}{pad}\n", encoding="utf-8")
    r = svc.dry_run(path)
    assert r.counts.rejected == 0 and not r.unknown_values


def test_a_two_row_header_reads_the_same_with_its_line_given(svc: ImportService, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["重要嘉宾名单"])
    ws.append(["序号", "姓名", "联系方式", None, "类别"])  # nothing merged: the wizard's worst case
    ws.append([None, None, "手机", "邮箱", None])
    ws.append([1, "张伟", "13800138000", "zw@cqu.edu.cn", "院士"])
    path = tmp_path / "two_rows.xlsx"
    wb.save(path)
    found = svc.inspect(path)
    assert (found.header_line, found.mapping) == (3, ("registration_code", "name", "phone", "email",
                                                      "category"))
    again = svc.inspect(path, ImportOptions(header_line=found.header_line))
    assert (again.header_line, again.mapping) == (found.header_line, found.mapping)
    assert svc.apply(path, ImportOptions(header_line=3)).counts.new == 1
