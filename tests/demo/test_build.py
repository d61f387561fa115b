"""Demo event generator: determinism, the programme, the crowd's mix, teams, samples, refusal."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from checkin_app.demo import build as demo_module
from checkin_app.demo.build import DemoSummary, build_demo, serbian_cyrillic
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.countries import COUNTRIES
from checkin_app.domain.verdicts import Verdict
from checkin_app.services import search
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 11, 23, 9, 30, tzinfo=SH)
SIZE = 2000
CODE_RE = re.compile(r"^CQ24-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
HANGUL = re.compile(r"[\uac00-\ud7af]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
SERBIAN_LATIN = re.compile(r"[đćčšžĐĆČŠŽ]")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """One 2,000-delegate demo (seed 2024) shared by the read-only tests of this module."""
    database = Database(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    summary = build_demo(database, size=SIZE, seed=2024)
    yield database, summary
    database.close()


@pytest.fixture
def demo(built: tuple[Database, DemoSummary]) -> Database:
    return built[0]


@pytest.fixture
def summary(built: tuple[Database, DemoSummary]) -> DemoSummary:
    return built[1]


def _people(db: Database) -> list[m.Delegate]:
    with db.read() as s:
        return list(
            s.scalars(
                select(m.Delegate).options(selectinload(m.Delegate.category)).order_by(m.Delegate.id)
            )
        )


def _by_code(db: Database) -> dict[str, m.Delegate]:
    return {d.registration_code: d for d in _people(db)}


def _fingerprint(db: Database) -> list[tuple[str, str, str, str]]:
    with db.read() as s:
        rows = s.execute(
            select(m.Delegate.registration_code, m.Delegate.uid, m.Delegate.name_native,
                   m.Delegate.name_latin).order_by(m.Delegate.id)
        )
        return [(code, uid, native, latin) for code, uid, native, latin in rows]


# -- determinism ----------------------------------------------------------------------------


def test_same_seed_builds_the_same_people_and_another_seed_does_not(tmp_path: Path) -> None:
    prints = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        db = Database(tmp_path / f"{name}.sqlite3")
        try:
            summary = build_demo(db, size=300, seed=seed)
            prints.append((_fingerprint(db), summary.samples))
        finally:
            db.close()
    assert prints[0] == prints[1]
    assert prints[0][0] != prints[2][0]
    assert prints[0][1] != prints[2][1]  # sample codes too


def test_progress_runs_from_zero_to_size_and_ends_after_indexing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    indexed: list[int] = []

    def fake_reindex(db: Database) -> int:
        # Called after the commit: every delegate is visible to a new session.
        with db.read() as s:
            indexed.append(int(s.scalar(select(func.count()).select_from(m.Delegate)) or 0))
        calls.append((-1, -1))
        return 0

    monkeypatch.setattr(search, "reindex_all", fake_reindex)
    monkeypatch.setattr(demo_module, "CHUNK", 100)
    db = Database(tmp_path / "p.sqlite3")
    try:
        build_demo(db, size=450, seed=1, progress=lambda d, t: calls.append((d, t)))
    finally:
        db.close()
    assert indexed == [450]
    assert calls == [(0, 450), (100, 450), (200, 450), (300, 450), (400, 450), (-1, -1),
                     (450, 450)]


# -- the event and its programme ------------------------------------------------------------


def test_counts(demo: Database, summary: DemoSummary) -> None:
    assert (summary.delegates, summary.activities, summary.categories) == (SIZE, 13, 12)
    with demo.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Delegate)) == SIZE
        assert s.scalar(select(func.count()).select_from(m.Activity)) == 14
        assert s.scalar(select(func.count()).select_from(m.Category)) == 12
        event = s.scalars(select(m.Event)).one()
    assert event.code == "CQITEC2024" and event.timezone == "Asia/Shanghai"
    assert "重庆" in event.name_zh and "Chongqing" in event.name_en
    assert "悦来" in event.venue_zh and "Yuelai" in event.venue_en
    assert (event.starts_on, event.ends_on) == ("2024-11-22", "2024-11-24")


def test_categories_are_distinct_and_ordered(demo: Database) -> None:
    with demo.read() as s:
        cats = list(s.scalars(select(m.Category).order_by(m.Category.sort_order)))
    assert [c.code for c in cats] == [
        "VIP", "GUEST", "INTL_ORG", "ACADEMICIAN", "TALENT", "COMPETITOR", "PROJECT",
        "ENTERPRISE", "MEDIA", "STAFF", "VOLUNTEER", "ATTENDEE",
    ]
    assert len({c.colour.upper() for c in cats}) == 12
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c.colour) for c in cats)
    assert all(c.name_zh and c.name_en for c in cats)
    flagged = {c.code: (c.attention_zh, c.attention_en) for c in cats if c.attention}
    assert flagged == {
        "VIP": ("请通知礼宾官", "Notify the protocol officer"),
        "ACADEMICIAN": ("请引导至贵宾通道", "Escort to the VIP lane"),
    }


def _activities(db: Database) -> list[m.Activity]:
    with db.read() as s:
        return list(
            s.scalars(
                select(m.Activity)
                .options(selectinload(m.Activity.categories))
                .order_by(m.Activity.sort_order)
            )
        )


def test_programme(demo: Database) -> None:
    acts = _activities(demo)
    assert [a.code for a in acts] == [
        "MAIN", "OPENING", "SUMMIT", "NEV", "EIM", "GEEC_MAIN", "GEEC_SPECIAL",
        "XY_A", "XY_B", "XY_C", "XY_D", "LAUNCH", "SIGNING", "RELEASE",
    ]
    main = acts[0]
    assert main.is_main and main.reentry and main.capacity is None and main.doors_open_minutes == 0
    assert main.starts_at == datetime(2024, 11, 22, 7, 0, tzinfo=SH)
    assert main.ends_at == datetime(2024, 11, 24, 20, 0, tzinfo=SH)
    assert len(main.categories) == 12
    first, last = datetime(2024, 11, 22, tzinfo=SH), datetime(2024, 11, 25, tzinfo=SH)
    for a in acts[1:]:
        assert not a.is_main
        assert a.name_zh and a.name_en and a.hall_zh and a.hall_en
        assert first <= a.starts_at < a.ends_at < last
        assert a.capacity is not None and a.capacity > 0
        assert 30 <= a.doors_open_minutes <= 60
        assert {"VIP", "STAFF"} <= {c.code for c in a.categories}
    by_code = {a.code: a for a in acts}
    assert not by_code["OPENING"].reentry and not by_code["SIGNING"].reentry
    assert by_code["GEEC_MAIN"].reentry and by_code["GEEC_MAIN"].exits_scanned
    for code in ("GEEC_MAIN", "GEEC_SPECIAL"):
        assert "COMPETITOR" in {c.code for c in by_code[code].categories}
        assert by_code[code].starts_at.astimezone(SH).day == 22
    for code in ("XY_A", "XY_B", "XY_C", "XY_D"):
        assert "PROJECT" in {c.code for c in by_code[code].categories}
        assert by_code[code].name_zh.startswith("“星渝杯”")
    assert by_code["RELEASE"].starts_at.astimezone(SH).day == 24
    assert "MEDIA" not in {c.code for c in by_code["SIGNING"].categories}


def test_what_is_open_at_half_past_nine_on_the_main_day(demo: Database) -> None:
    now = NOW
    def state(a: m.Activity) -> str:
        doors = a.starts_at - timedelta(minutes=a.doors_open_minutes)
        if now < doors:
            return "not yet"
        return "closed" if now > a.ends_at else "open"

    states = {a.code: state(a) for a in _activities(demo)}
    assert states["MAIN"] == states["OPENING"] == "open"
    assert {states[c] for c in ("SUMMIT", "NEV", "EIM", "LAUNCH", "SIGNING", "RELEASE")} == {
        "not yet"
    }
    assert {states[c] for c in ("GEEC_MAIN", "GEEC_SPECIAL", "XY_A", "XY_D")} == {"closed"}


# -- the delegates --------------------------------------------------------------------------


def test_codes_and_uids_are_unique_and_well_formed(demo: Database) -> None:
    people = _people(demo)
    codes = [d.registration_code for d in people]
    assert len(set(codes)) == SIZE
    assert all(CODE_RE.match(c) for c in codes)
    uids = {d.uid for d in people}
    assert len(uids) == SIZE
    assert all(uuid.UUID(u).version == 4 for u in uids)


def test_fixed_fields(demo: Database) -> None:
    people = _people(demo)
    assert {(d.badge_serial, d.walk_in) for d in people} == {(1, False)}
    assert {d.updated_at for d in people} == {datetime(2024, 11, 20, 18, 0, tzinfo=SH)}
    assert {d.status for d in people} == {"approved", "cancelled"}


def test_every_country_is_known(demo: Database) -> None:
    countries = {d.country for d in _people(demo)}
    assert countries <= set(COUNTRIES)
    assert len(countries) >= 25


def test_category_mix(demo: Database) -> None:
    counts = Counter(d.category.code for d in _people(demo))
    assert len(counts) == 12
    assert {c for c, _ in counts.most_common(2)} == {"ATTENDEE", "TALENT"}
    for code in ("MEDIA", "STAFF", "VOLUNTEER"):
        assert 0.02 * SIZE <= counts[code] <= 0.04 * SIZE
    for code in ("VIP", "ACADEMICIAN"):
        assert 0.003 * SIZE <= counts[code] <= 0.01 * SIZE
    assert counts["INTL_ORG"] >= 3


def test_about_six_in_ten_are_from_the_mainland(demo: Database) -> None:
    share = sum(d.country == "CN" for d in _people(demo)) / SIZE
    assert 0.58 <= share <= 0.67


def test_chinese_names_follow_the_conventions_and_repeat(demo: Database) -> None:
    chinese = [d for d in _people(demo) if d.country == "CN"]
    for d in chinese:
        assert d.name_order == "eastern"
        assert CJK.search(d.name_native) and " " not in d.name_native
        assert d.name_native == d.family_name + d.given_name
        # Pinyin as on a passport: "ZHANG Wei", ASCII only (吕 is Lyu, never Lv).
        assert re.fullmatch(r"[A-Z]+ [A-Z][a-z]+", d.name_latin), d.name_latin
        assert "v" not in d.name_latin.lower()
    names = Counter(d.name_native for d in chinese)
    assert names["张伟"] >= 2
    assert sum(1 for n in names.values() if n > 1) >= 50


def test_scripts_and_diacritics_are_all_there(demo: Database) -> None:
    people = _people(demo)
    natives = [d.name_native for d in people]
    serbs = [d for d in people if d.country == "RS"]
    assert any(d.name_native == "Đorđe Petrović" for d in serbs)
    assert sum(bool(SERBIAN_LATIN.search(d.name_native)) for d in serbs) >= 5
    cyrillic_serbs = [d for d in serbs if CYRILLIC.search(d.name_native)]
    assert len(cyrillic_serbs) >= 5
    for d in cyrillic_serbs:
        assert not CYRILLIC.search(d.name_latin)  # transliterated for the Latin line
    assert any(HANGUL.search(n) for n in natives)
    assert any(ARABIC.search(n) for n in natives)
    vietnamese = "[ươạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"
    assert any(re.search(vietnamese, n) for n in natives)
    assert any(n in {"佐藤健", "鈴木翔太"} or n.startswith(("佐藤", "田中", "山本")) for n in natives)
    assert any(re.search("[äöüßéèêëçïîôàÀÉÈ]", n) for n in natives)  # German and French
    for d in people:
        for text in (d.name_native, d.name_latin, d.family_name, d.given_name):
            assert unicodedata.is_normalized("NFC", text)
        assert d.name_native and d.name_latin
        assert d.organisation_zh and d.organisation_en


def test_western_latin_names_put_the_family_name_in_capitals(demo: Database) -> None:
    western = [d for d in _people(demo) if d.name_order == "western" and d.family_name]
    assert western
    for d in western:
        assert d.name_latin.endswith(d.name_latin.split(" ")[-1].upper())


def test_competitors_come_in_teams_of_three_to_five(demo: Database) -> None:
    teams: dict[str, list[m.Delegate]] = defaultdict(list)
    for d in _people(demo):
        if d.category.code == "COMPETITOR":
            assert d.team, d.registration_code
            teams[d.team].append(d)
    assert len(teams) >= 40
    for team, members in teams.items():
        assert 3 <= len(members) <= 5, team
        assert len({d.track for d in members}) == 1
        assert members[0].track in {"main", "special"}
        assert len({d.country for d in members}) == 1
    assert {members[0].track for members in teams.values()} == {"main", "special"}
    assert len({members[0].country for members in teams.values()}) >= 15


def test_project_teams_compete_in_the_four_xingyu_tracks(demo: Database) -> None:
    projects = [d for d in _people(demo) if d.category.code == "PROJECT"]
    assert projects and all(d.team.startswith("XY-") for d in projects)
    assert {d.track for d in projects} == {"A", "B", "C", "D"}


def test_cancellations_and_attention_notes(demo: Database) -> None:
    people = _people(demo)
    cancelled = sum(d.status == "cancelled" for d in people)
    assert 0.01 * SIZE <= cancelled <= 0.035 * SIZE
    notes = [d.attention_note for d in people if d.attention_note]
    assert 0.004 * SIZE <= len(notes) <= 0.02 * SIZE
    assert all(" / " in n for n in notes)  # bilingual


def test_per_delegate_admissions(demo: Database, summary: DemoSummary) -> None:
    with demo.read() as s:
        rows = s.execute(
            select(m.Delegate.registration_code, m.Category.code, m.Activity.code,
                   m.DelegateAdmission.allow)
            .join(m.Delegate, m.Delegate.id == m.DelegateAdmission.delegate_id)
            .join(m.Category, m.Category.id == m.Delegate.category_id)
            .join(m.Activity, m.Activity.id == m.DelegateAdmission.activity_id)
        ).all()
    assert {allow for *_, allow in rows} == {True, False}
    assert ("MEDIA", "SIGNING", True) in {(cat, act, allow) for _, cat, act, allow in rows}
    assert {cat for _, cat, _, allow in rows if not allow} == {"ATTENDEE"}
    assert not {code for code, *_ in rows} & set(summary.samples.values())


# -- samples and refusal --------------------------------------------------------------------


def test_samples_have_their_advertised_properties(demo: Database, summary: DemoSummary) -> None:
    people = _by_code(demo)
    s = {label: people[code] for label, code in summary.samples.items()}
    assert {"VIP", "cancelled", "academician", "competitor", "serbian_cyrillic", "serbian_latin",
            "attention_note", "media", "staff", "attendee"} <= set(s)
    assert s["VIP"].category.code == "VIP" and s["VIP"].status == "approved"
    assert s["cancelled"].status == "cancelled"
    assert s["academician"].category.code == "ACADEMICIAN"
    assert s["competitor"].category.code == "COMPETITOR"
    mates = [d for d in people.values() if d.team == s["competitor"].team]
    assert 3 <= len(mates) <= 5
    assert s["serbian_latin"].name_native == "Đorđe Petrović"
    assert s["serbian_latin"].name_latin == "Đorđe PETROVIĆ"
    cyr = s["serbian_cyrillic"]
    assert cyr.country == "RS" and CYRILLIC.search(cyr.name_native)
    assert not CYRILLIC.search(cyr.name_latin)
    assert s["attention_note"].attention_note and s["attention_note"].status == "approved"
    assert not s["attention_note"].category.attention
    assert s["media"].category.code == "MEDIA"
    assert s["staff"].category.code == "STAFF"
    assert s["attendee"].category.code == "ATTENDEE" and not s["attendee"].attention_note
    for label, d in s.items():
        if label != "cancelled":
            assert d.status == "approved", label
        if label != "attention_note":
            assert not d.attention_note, label


def test_samples_at_the_desk(demo: Database, summary: DemoSummary) -> None:
    svc = CheckInService(demo, FixedClock(NOW))
    code = summary.samples

    def verdict(label: str, activity: str) -> Verdict:
        return svc.scan(code[label], activity_code=activity, desk="T1").verdict

    try:
        assert verdict("attendee", "MAIN") is Verdict.ADMIT
        assert verdict("VIP", "OPENING") is Verdict.ADMIT_WITH_ATTENTION
        assert verdict("attention_note", "MAIN") is Verdict.ADMIT_WITH_ATTENTION
        assert verdict("cancelled", "MAIN") is Verdict.CANCELLED
        assert verdict("attendee", "OPENING") is Verdict.NOT_ADMITTED_HERE
        assert verdict("media", "SUMMIT") is Verdict.NOT_OPEN_YET
        assert verdict("competitor", "GEEC_SPECIAL") is Verdict.CLOSED
    finally:
        # Leave the shared database as built for the other tests.
        with demo.write() as s:
            s.query(m.Presence).delete()
            s.query(m.CheckIn).delete()
            s.query(m.AuditEntry).delete()


def test_building_twice_is_refused_and_changes_nothing(demo: Database) -> None:
    before = _fingerprint(demo)
    with pytest.raises(ValueError, match="already holds event CQITEC2024") as err:
        build_demo(demo, size=300, seed=1)
    assert "已有活动" in str(err.value)
    assert _fingerprint(demo) == before


def test_a_database_with_delegates_but_no_event_is_refused(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    try:
        with db.write() as s:
            s.add(m.Category(code="ATTENDEE", name_zh="参会者", name_en="Attendee"))
        with pytest.raises(ValueError, match="empty database"):
            build_demo(db, size=50)
    finally:
        db.close()


def test_tiny_and_empty_sizes(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.sqlite3")
    try:
        with pytest.raises(ValueError, match="at least one"):
            build_demo(db, size=0)
        summary = build_demo(db, size=5)
        assert summary.delegates == 5
        assert len(_people(db)) == 5
        assert set(summary.samples.values()) <= {d.registration_code for d in _people(db)}
    finally:
        db.close()


def test_serbian_transliteration() -> None:
    assert serbian_cyrillic("Đorđe Petrović") == "Ђорђе Петровић"
    assert serbian_cyrillic("Ljiljana Njegovan Džajić") == "Љиљана Његован Џајић"
    assert serbian_cyrillic("LJUBIĆ") == "ЉУБИЋ"
