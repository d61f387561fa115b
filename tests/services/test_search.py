"""Search service on a real SQLite file: every way of finding a person, ranking, (re)indexing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from checkin_app.services.search import SearchService, index_delegates, reindex_all
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

T0 = datetime(2024, 11, 20, 10, 0, tzinfo=UTC)

# Registration code → fields. Codes double as handles in the tests.
PEOPLE: dict[str, dict[str, Any]] = {
    "CQ24-7KQ2MX": dict(
        name_native="张伟", name_latin="ZHANG Wei", family_name="张", given_name="伟",
        name_order="eastern", organisation_zh="重庆长安汽车股份有限公司",
        organisation_en="Chongqing Changan Automobile Co., Ltd.",
    ),
    "CQ24-ZWM001": dict(
        name_native="张伟明", name_latin="ZHANG Weiming", family_name="张", given_name="伟明",
        name_order="eastern", organisation_zh="重庆大学", organisation_en="Chongqing University",
    ),
    "CQ24-ZL0001": dict(
        name_native="张丽", name_latin="ZHANG Li", family_name="张", given_name="丽",
        name_order="eastern", organisation_zh="西南大学", organisation_en="Southwest University",
    ),
    "CQ24-WF0001": dict(
        name_native="王芳", name_latin="WANG Fang", family_name="王", given_name="芳",
        name_order="eastern", organisation_zh="重庆大学", organisation_en="Chongqing University",
        status="cancelled",
    ),
    "CQ24-SXX001": dict(
        name_native="单雄信", name_latin="SHAN Xiongxin", family_name="单", given_name="雄信",
        name_order="eastern",
    ),
    "CQ24-DP0001": dict(
        name_native="Đorđe Petrović", name_latin="Đorđe PETROVIĆ", family_name="Petrović",
        given_name="Đorđe", organisation_en="University of Belgrade", country="RS",
    ),
    "CQ24-DP0002": dict(
        name_native="Ђорђе Петровић", name_latin="Đorđe PETROVIĆ", family_name="Петровић",
        given_name="Ђорђе", organisation_en="Serbian Chamber of Commerce", country="RS",
    ),
    # Cyrillic only, no Latin line: found through transliteration alone.
    "CQ24-LJ0001": dict(name_native="Љубиша Јовановић", country="RS"),
    "CQ24-KMJ001": dict(
        name_native="김민준", name_latin="KIM Min-jun", family_name="김", given_name="민준",
        name_order="eastern", country="KR",
    ),
    "CQ24-ML0001": dict(
        name_native="Marie Lefèvre", name_latin="Marie LEFÈVRE", family_name="Lefèvre",
        given_name="Marie", organisation_en="UNESCO", country="FR",
    ),
}  # fmt: skip

# Ranking fixture for the query "lin": one person per rank, best first.
RANKED: dict[str, dict[str, Any]] = {
    "R-EXACT": dict(name_native="Lin", name_latin="LIN"),  # exact full name
    "R-PREFIX": dict(name_native="Linda Smith", family_name="Smith", given_name="Linda"),
    "R-PART": dict(name_native="Anna-Lin Berg", family_name="Berg", given_name="Anna-Lin"),
    "R-INITIALS": dict(name_native="Lars Ivan Nilsson", family_name="Nilsson", given_name="Lars Ivan"),
    "LIN-0001": dict(name_native="Bob Jones", family_name="Jones", given_name="Bob"),  # code
    "R-ORG": dict(name_native="Carl Young", organisation_en="Lincoln University"),
}


def add_people(db: Database, people: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Insert delegates (creating the category once); returns code → id."""
    with db.write() as s:
        cat = s.scalar(select(m.Category).where(m.Category.code == "ATTENDEE"))
        if cat is None:
            cat = m.Category(code="ATTENDEE", name_zh="参会者", name_en="Attendee")
            s.add(cat)
            s.flush()
        rows = [
            m.Delegate(uid=code, registration_code=code, category_id=cat.id, updated_at=T0, **f)
            for code, f in people.items()
        ]
        s.add_all(rows)
        s.flush()
        return {d.registration_code: d.id for d in rows}


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    ids = add_people(db, PEOPLE)
    reindex_all(db)
    return ids


@pytest.fixture
def search(db: Database) -> Callable[[str], list[str]]:
    svc = SearchService(db)

    def run(q: str) -> list[str]:
        return [v.registration_code for v in svc.search(q)]

    return run


# -- finding people ---------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "·", "--", "😀"])
def test_empty_or_blank_query_finds_nothing(
    ids: dict[str, int], search: Callable[[str], list[str]], blank: str
) -> None:
    assert search(blank) == []


def test_unknown_name_finds_nothing(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert search("Nobody Atall") == []
    assert search("赵") == []


def test_chinese_full_name_exact_before_prefix(
    ids: dict[str, int], search: Callable[[str], list[str]]
) -> None:
    assert search("张伟")[:2] == ["CQ24-7KQ2MX", "CQ24-ZWM001"]
    assert search("张伟明")[0] == "CQ24-ZWM001"


def test_chinese_surname_finds_every_zhang(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert set(search("张")) == {"CQ24-7KQ2MX", "CQ24-ZWM001", "CQ24-ZL0001"}


@pytest.mark.parametrize(
    "typed", ["zhang wei", "zhangwei", "ZhangWei", "zhāng wěi", "Zhāng Wěi", "Wei Zhang", "ZHANG Wei"]
)
def test_full_pinyin_in_any_form(ids: dict[str, int], search: Callable[[str], list[str]], typed: str) -> None:
    assert search(typed)[0] == "CQ24-7KQ2MX"


def test_partial_pinyin_and_surname_pinyin(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert search("zhang w")[:2] == ["CQ24-7KQ2MX", "CQ24-ZWM001"]
    assert set(search("zhang")[:3]) == {"CQ24-7KQ2MX", "CQ24-ZWM001", "CQ24-ZL0001"}


def test_pinyin_initials(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert search("zw") == ["CQ24-7KQ2MX", "CQ24-ZWM001"]  # exact initials first
    assert search("zwm") == ["CQ24-ZWM001"]
    assert search("ZW") == search("zw")


def test_polyphonic_surname(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert search("shan xiongxin")[0] == "CQ24-SXX001"
    assert search("dan xiongxin")[0] == "CQ24-SXX001"  # as the character is usually read


@pytest.mark.parametrize(
    "typed",
    ["Dorde Petrovic", "petrovic", "PETROVIC", "Petrović", "Đorđe", "djordje", "Djordje Petrovic",
     "Petrovic Dorde", "Петровић", "Ђорђе Петровић"],
)  # fmt: skip
def test_serbian_names_in_both_scripts_by_latin_spelling(
    ids: dict[str, int], search: Callable[[str], list[str]], typed: str
) -> None:
    assert set(search(typed)[:2]) == {"CQ24-DP0001", "CQ24-DP0002"}


@pytest.mark.parametrize("typed", ["Ljubisa Jovanovic", "jovanovic", "Jovanović", "Љубиша"])
def test_cyrillic_name_without_latin_line(
    ids: dict[str, int], search: Callable[[str], list[str]], typed: str
) -> None:
    assert search(typed)[0] == "CQ24-LJ0001"


@pytest.mark.parametrize("typed", ["marie lefevre", "MARIE LEFÈVRE", "Lefevre", "lefèvre marie", "Marie L"])
def test_latin_names_without_diacritics_any_case(
    ids: dict[str, int], search: Callable[[str], list[str]], typed: str
) -> None:
    assert search(typed)[0] == "CQ24-ML0001"


@pytest.mark.parametrize("typed", ["김민준", "kim minjun", "Kim Min-jun", "Min-jun Kim", "minjun"])
def test_korean_name(ids: dict[str, int], search: Callable[[str], list[str]], typed: str) -> None:
    assert search(typed)[0] == "CQ24-KMJ001"


@pytest.mark.parametrize("typed", ["CQ24-7K", "cq247k", "cq24 7kq2mx", "ＣＱ２４－７Ｋ"])
def test_registration_code_prefix(
    ids: dict[str, int], search: Callable[[str], list[str]], typed: str
) -> None:
    assert search(typed) == ["CQ24-7KQ2MX"]


def test_every_code_prefix_finds_all(ids: dict[str, int], search: Callable[[str], list[str]]) -> None:
    assert set(search("CQ24-")) == set(PEOPLE)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("长安", {"CQ24-7KQ2MX"}),
        ("长安汽车", {"CQ24-7KQ2MX"}),
        ("重庆长安", {"CQ24-7KQ2MX"}),
        ("汽车股份", {"CQ24-7KQ2MX"}),
        ("重庆大学", {"CQ24-ZWM001", "CQ24-WF0001"}),
        ("西南", {"CQ24-ZL0001"}),
        ("Changan", {"CQ24-7KQ2MX"}),
        ("changan automobile", {"CQ24-7KQ2MX"}),
        ("automob", {"CQ24-7KQ2MX"}),
        ("Belgrade", {"CQ24-DP0001"}),
        ("unesco", {"CQ24-ML0001"}),
        ("chamber of commerce", {"CQ24-DP0002"}),
    ],
)
def test_organisation(
    ids: dict[str, int], search: Callable[[str], list[str]], typed: str, expected: set[str]
) -> None:
    assert set(search(typed)) == expected


# The database is only read, so sharing the fixture across examples is safe.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        st.one_of(st.characters(), st.sampled_from(["\ud800", "\U0010ffff", "张", "đ", "%", "_"])),
        max_size=80,
    )
)
def test_any_typed_text_is_safe(ids: dict[str, int], db: Database, typed: str) -> None:
    hits = SearchService(db).search(typed, limit=5)
    assert len(hits) <= 5


def test_cancelled_delegates_are_found_with_their_status(db: Database, ids: dict[str, int]) -> None:
    # The desk must be able to find them to show why they may not enter.
    (hit,) = SearchService(db).search("王芳")
    assert hit.status == "cancelled"


def test_results_are_full_views(db: Database, ids: dict[str, int]) -> None:
    (hit,) = SearchService(db).search("Marie Lefevre")
    assert hit.id == ids["CQ24-ML0001"]
    assert hit.name_native == "Marie Lefèvre"
    assert hit.display_name == "Marie Lefèvre"
    assert hit.category.code == "ATTENDEE"
    assert hit.organisation_en == "UNESCO"
    assert hit.country == "FR"


# -- ranking ----------------------------------------------------------------------------------


def test_ranking_exact_prefix_part_initials_code_organisation(db: Database) -> None:
    add_people(db, RANKED)
    reindex_all(db)
    found = [v.registration_code for v in SearchService(db).search("lin")]
    assert found == list(RANKED)


def test_limit(db: Database, ids: dict[str, int]) -> None:
    svc = SearchService(db)
    assert len(svc.search("CQ24", limit=3)) == 3
    assert svc.search("CQ24", limit=0) == []
    # The best come first whatever the limit.
    assert [v.id for v in svc.search("zhang", limit=2)] == [v.id for v in svc.search("zhang", limit=20)][:2]


def test_ties_are_broken_by_id_and_stable(db: Database) -> None:
    twins = {
        f"CQ24-TWIN{i}": dict(
            name_native="张伟", name_latin="ZHANG Wei", family_name="张", given_name="伟",
            name_order="eastern",
        )
        for i in range(5)
    }  # fmt: skip
    ids = add_people(db, twins)
    reindex_all(db)
    svc = SearchService(db)
    first = [v.id for v in svc.search("张伟")]
    assert first == sorted(ids.values())
    assert [v.id for v in svc.search("张伟")] == first
    assert [v.id for v in svc.search("zhangwei", limit=3)] == first[:3]


def test_many_matches_of_a_better_kind_fill_the_limit(db: Database) -> None:
    # 30 people named Li plus 30 at "Li Corp": the organisation matches must not push
    # name matches out, and the window must grow past duplicates.
    people = {
        f"N{i:03d}": dict(name_native=f"李{chr(0x4E00 + i)}", family_name="李",
                          given_name=chr(0x4E00 + i), name_order="eastern",
                          organisation_en="Li Corp")
        for i in range(30)
    }  # fmt: skip
    people |= {f"O{i:03d}": dict(name_native=f"Person {i}", organisation_en="Li Corp") for i in range(30)}
    add_people(db, people)
    reindex_all(db)
    found = [v.registration_code for v in SearchService(db).search("li", limit=25)]
    assert len(found) == 25
    assert all(code.startswith("N") for code in found)


# -- indexing ---------------------------------------------------------------------------------


def _key_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.SearchKey)) or 0)


def test_reindex_all_counts_reports_progress_and_is_repeatable(
    db: Database, search: Callable[[str], list[str]]
) -> None:
    add_people(db, PEOPLE)
    calls: list[tuple[int, int]] = []
    written = reindex_all(db, lambda done, total: calls.append((done, total)))
    assert written == _key_count(db) > len(PEOPLE) * 5
    assert calls[-1] == (len(PEOPLE), len(PEOPLE))
    before = search("zhang")
    assert reindex_all(db) == written == _key_count(db)
    assert search("zhang") == before


def test_reindex_all_keeps_the_key_index(db: Database, ids: dict[str, int]) -> None:
    with db.read() as s:
        names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE tbl_name = 'search_keys'")))
        plan = " ".join(
            str(r[-1])
            for r in s.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM search_keys WHERE key >= 'a' AND key < 'b'")
            )
        )
    assert {"ix_search_keys_key", "ix_search_keys_delegate"} <= names
    assert "ix_search_keys_key" in plan


def test_reindex_all_on_an_empty_database(db: Database) -> None:
    calls: list[tuple[int, int]] = []
    assert reindex_all(db, lambda done, total: calls.append((done, total))) == 0
    assert calls == []
    assert SearchService(db).search("anyone") == []


def test_index_delegates_for_a_walk_in_and_an_edit(
    db: Database, ids: dict[str, int], search: Callable[[str], list[str]]
) -> None:
    (walk_in,) = add_people(db, {"CQ24-WALK01": dict(name_native="赵敏", name_latin="ZHAO Min",
                                                      family_name="赵", given_name="敏",
                                                      name_order="eastern")}).values()  # fmt: skip
    assert search("赵敏") == []  # not indexed yet
    with db.write() as s:
        written = index_delegates(s, [walk_in])
    assert written > 0
    assert search("赵敏") == ["CQ24-WALK01"]
    assert search("zhao min") == ["CQ24-WALK01"]

    with db.write() as s:
        d = s.get_one(m.Delegate, ids["CQ24-ML0001"])
        d.name_native, d.name_latin, d.family_name = "Marie Dupont", "Marie DUPONT", "Dupont"
        index_delegates(s, [d.id, d.id])  # duplicates are harmless; pending edits are flushed
    assert search("Lefevre") == []
    assert search("marie dupont") == ["CQ24-ML0001"]


def test_index_delegates_drops_keys_of_deleted_people(
    db: Database, ids: dict[str, int], search: Callable[[str], list[str]]
) -> None:
    gone = ids["CQ24-KMJ001"]
    with db.write() as s:
        s.delete(s.get_one(m.Delegate, gone))
        s.flush()
        assert index_delegates(s, [gone, 10_000_000]) == 0
    assert search("kim minjun") == []
    with db.read() as s:
        left = s.scalar(select(func.count()).where(m.SearchKey.delegate_id == gone))
    assert left == 0


def test_index_delegates_rolls_back_with_the_callers_transaction(
    db: Database, ids: dict[str, int], search: Callable[[str], list[str]]
) -> None:
    before = _key_count(db)
    with pytest.raises(RuntimeError), db.write() as s:
        index_delegates(s, list(ids.values()))
        s.execute(text("DELETE FROM search_keys"))
        raise RuntimeError("import failed")
    assert _key_count(db) == before
    assert search("张伟")[0] == "CQ24-7KQ2MX"


def test_many_delegates_in_one_call(db: Database) -> None:
    people = {f"CQ24-M{i:05d}": dict(name_native=f"Person {i}") for i in range(1200)}
    ids = add_people(db, people)
    with db.write() as s:
        written = index_delegates(s, list(ids.values()))
    assert written == _key_count(db)
    assert SearchService(db).search("Person 1199")[0].registration_code == "CQ24-M01199"


def test_window_grows_past_people_already_ranked_higher(db: Database) -> None:
    # The 20 Lis match "li" as a full name and again as a name part; their part keys sort
    # first among the name parts, so finding Anna-Lisa (a name-part match only) needs more
    # than the first window of candidate rows.
    people = {
        f"N{i:03d}": dict(name_native=f"李{chr(0x4E00 + i)}", family_name="李",
                          given_name=chr(0x4E00 + i), name_order="eastern")
        for i in range(20)
    }  # fmt: skip
    people["LISA"] = dict(name_native="Anna-Lisa Berg", family_name="Berg", given_name="Anna-Lisa")
    add_people(db, people)
    reindex_all(db)
    found = [v.registration_code for v in SearchService(db).search("li", limit=21)]
    assert found[-1] == "LISA"
    assert sorted(found[:-1]) == sorted(c for c in people if c != "LISA")


def _keys(db: Database) -> list[tuple[int, str, int]]:
    with db.read() as s:
        rows = s.execute(select(m.SearchKey.delegate_id, m.SearchKey.key, m.SearchKey.kind)
                         .order_by(m.SearchKey.id))
        return [(d, k, kind) for d, k, kind in rows]


@pytest.mark.parametrize("workers", [0, 1])
def test_bulk_index_writes_the_same_keys_and_keeps_the_index(
    db: Database, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    import checkin_app.services.search as search_module

    with db.write() as s:
        index_delegates(s, list(ids.values()))
    one_by_one = _keys(db)
    # A bulk import's path (index dropped and rebuilt, keys built in a spawned worker) on a
    # small table: the same keys in the same order, and the index is back.
    monkeypatch.setattr(search_module, "BULK_INDEX", 2)
    monkeypatch.setattr(search_module, "BULK_WORKERS", workers)
    with db.write() as s:
        written = index_delegates(s, list(ids.values()))
    assert written == len(one_by_one)
    assert _keys(db) == one_by_one
    with db.read() as s:
        names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE tbl_name = 'search_keys'")))
    assert "ix_search_keys_key" in names
    assert SearchService(db).search("张伟")[0].registration_code == "CQ24-7KQ2MX"


def test_bulk_index_rolls_back_keys_and_index(
    db: Database, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import checkin_app.services.search as search_module

    monkeypatch.setattr(search_module, "BULK_INDEX", 2)
    monkeypatch.setattr(search_module, "BULK_WORKERS", 0)
    before = _keys(db)
    with pytest.raises(RuntimeError), db.write() as s:
        index_delegates(s, list(ids.values()))
        raise RuntimeError("import failed")
    assert _keys(db) == before
    with db.read() as s:
        names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE tbl_name = 'search_keys'")))
    assert "ix_search_keys_key" in names


def test_bulk_index_with_workers_started_ahead(
    db: Database, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import checkin_app.services.search as search_module

    with db.write() as s:
        index_delegates(s, list(ids.values()))
    one_by_one = _keys(db)
    # What a big XLSX import does: the worker starts while the workbook loads, and the
    # bulk indexing at the end uses it.
    monkeypatch.setattr(search_module, "BULK_INDEX", 2)
    with search_module.KeyBuilder(workers=1) as builder:
        builder.warm()
        with db.write() as s:
            written = index_delegates(s, list(ids.values()), builder=builder)
    assert written == len(one_by_one)
    assert _keys(db) == one_by_one


# -- search that forgives ---------------------------------------------------------------------

FORGIVING: dict[str, dict[str, Any]] = {
    "F-ZW-TRAD": dict(name_native="張偉", family_name="張", given_name="偉", name_order="eastern",
                      country="HK", organisation_zh="香港大學"),
    "F-ZW-SIMP": dict(name_native="张伟", family_name="张", given_name="伟", name_order="eastern"),
    "F-KUZ": dict(name_native="Ekaterina Kuznetsova", name_latin="Ekaterina KUZNETSOVA",
                  family_name="Kuznetsova", given_name="Ekaterina", country="RU"),
    "F-SMIRNOVA": dict(name_native="Anna Smirnova", family_name="Smirnova", given_name="Anna"),
    "F-SMIRNOV": dict(name_native="Ivan Smirnov", family_name="Smirnov", given_name="Ivan"),
    "F-IULIIA": dict(name_native="Iuliia Ivanova", family_name="Ivanova", given_name="Iuliia"),
    "F-DMITRII": dict(name_native="Dmitrii Sokolov", family_name="Sokolov", given_name="Dmitrii"),
    "F-ZHANGJIE": dict(name_native="张杰", family_name="张", given_name="杰", name_order="eastern"),
    "F-ZHANGYAO": dict(name_native="张瑶", family_name="张", given_name="瑶", name_order="eastern"),
    "F-ZYG": dict(name_native="Žygimantas Kazlauskas", family_name="Kazlauskas", given_name="Žygimantas"),
    "F-LU-LU": dict(name_native="卢浩然", family_name="卢", given_name="浩然", name_order="eastern"),
    "F-LU-LV": dict(name_native="吕浩然", family_name="吕", given_name="浩然", name_order="eastern"),
}  # fmt: skip


@pytest.fixture
def forgiving(db: Database) -> Callable[[str], list[str]]:
    add_people(db, FORGIVING)
    reindex_all(db)
    svc = SearchService(db)

    def run(q: str) -> list[str]:
        return [v.registration_code for v in svc.search(q)]

    return run


def test_simplified_finds_traditional_and_back(forgiving: Callable[[str], list[str]]) -> None:
    assert set(forgiving("张伟")) == {"F-ZW-TRAD", "F-ZW-SIMP"}
    assert set(forgiving("張偉")) == {"F-ZW-TRAD", "F-ZW-SIMP"}
    assert forgiving("香港大学") == ["F-ZW-TRAD"]
    assert "F-ZW-TRAD" in forgiving("張")


@pytest.mark.parametrize("typed", ["kuzntesova", "kuznetsvoa", "kusnetsova", "kuznetsov", "kuznetsowa",
                                   "ekaterina kuzntesova", "Ekatrina Kuznetsova"])
def test_one_letter_typo_in_a_latin_name(forgiving: Callable[[str], list[str]], typed: str) -> None:
    assert forgiving(typed)[:1] == ["F-KUZ"]


def test_typo_in_pinyin(forgiving: Callable[[str], list[str]]) -> None:
    # zhangjie is one edit from zhangwie too; the longer common start ranks zhangwei first.
    found = forgiving("zhangwie")
    assert set(found[:2]) == {"F-ZW-TRAD", "F-ZW-SIMP"} and found[2:] == ["F-ZHANGJIE"]
    assert set(forgiving("zhnag wei")) == {"F-ZW-TRAD", "F-ZW-SIMP"}


def test_exact_ranks_before_typo(forgiving: Callable[[str], list[str]]) -> None:
    assert forgiving("smirnova") == ["F-SMIRNOVA", "F-SMIRNOV"]
    # Both are prefixes of a full name typed family first (smirnovaanna, smirnovivan).
    assert set(forgiving("smirnov")) == {"F-SMIRNOV", "F-SMIRNOVA"}


def test_no_typo_matching_below_four_letters(forgiving: Callable[[str], list[str]]) -> None:
    assert forgiving("wie") == []
    assert forgiving("ana") == []


def test_cyrillic_typed_for_a_latin_record(forgiving: Callable[[str], list[str]]) -> None:
    assert forgiving("Юлия Иванова") == ["F-IULIIA"]
    assert forgiving("Дмитрий") == ["F-DMITRII"]
    assert forgiving("Кузнецова") == ["F-KUZ"]
    assert forgiving("Смирнова")[:1] == ["F-SMIRNOVA"]


def test_two_letter_initials_prefer_chinese_names(forgiving: Callable[[str], list[str]]) -> None:
    found = forgiving("zy")
    assert found.index("F-ZHANGYAO") < found.index("F-ZYG")


@pytest.mark.parametrize("typed", ["lü haoran", "lv haoran", "lu: haoran", "lǚ hàorán", "LÜ HAORAN"])
def test_lu_umlaut_ranks_lv_before_lu(forgiving: Callable[[str], list[str]], typed: str) -> None:
    assert forgiving(typed) == ["F-LU-LV", "F-LU-LU"]


def test_lu_without_umlaut_finds_both(forgiving: Callable[[str], list[str]]) -> None:
    assert set(forgiving("lu haoran")) == {"F-LU-LV", "F-LU-LU"}


def _key_format(db: Database) -> str | None:
    with db.read() as s:
        row = s.get(m.DeskSetting, "search.key_format")
        return None if row is None else row.value


def test_keys_of_another_format_are_rebuilt_before_the_next_search(db: Database) -> None:
    from checkin_app.domain.search_keys import KEY_FORMAT

    add_people(db, FORGIVING)
    reindex_all(db)
    assert _key_format(db) == str(KEY_FORMAT)
    with db.write() as s:  # a database from before: old keys (here: none that match), old format
        s.execute(text("UPDATE search_keys SET \"key\" = 'x' || \"key\""))
        s.execute(text("DELETE FROM desk_settings WHERE key = 'search.key_format'"))
    svc = SearchService(db)
    assert set(svc_codes(svc, "张伟")) == {"F-ZW-TRAD", "F-ZW-SIMP"}
    assert _key_format(db) == str(KEY_FORMAT)
    assert svc.ensure_current_keys() is False  # checked once; current now


def test_a_new_database_indexed_by_index_delegates_is_current(db: Database) -> None:
    from checkin_app.domain.search_keys import KEY_FORMAT

    ids = add_people(db, FORGIVING)
    with db.write() as s:
        index_delegates(s, list(ids.values()))
    assert _key_format(db) == str(KEY_FORMAT)
    assert SearchService(db).ensure_current_keys() is False


def svc_codes(svc: SearchService, q: str) -> list[str]:
    return [v.registration_code for v in svc.search(q)]


def test_recall_per_query_kind_on_the_demo(tmp_path: Any) -> None:
    """The query set bench_search measures at 100,000, here on a small demo build."""
    import sqlite3

    from bench.search_queries import KINDS, ROW_SQL, draw, hit, namesakes, recall
    from checkin_app.demo.build import build_demo

    db = Database(tmp_path / "demo.sqlite3")
    build_demo(db, size=3000, seed=2024)
    with sqlite3.connect(tmp_path / "demo.sqlite3") as con:
        rows = con.execute(ROW_SQL).fetchall()
    names = namesakes(rows)
    svc = SearchService(db)
    found: dict[str, list[bool]] = {k: [] for k in KINDS}
    for kind, query, source in draw(rows, per_kind=40):
        found[kind].append(hit(source, [v.id for v in svc.search(query)], names))
    got = recall(found)
    assert all(len(v) >= 10 for v in found.values()), {k: len(v) for k, v in found.items()}
    assert got["exact"] >= 0.95
    assert got["typo"] >= 0.85
    assert got["trad_simp"] >= 0.95
    assert got["cyrillic_for_latin"] >= 0.9
    assert got["initials"] >= 0.3
    db.close()
