"""Search keys and query folding: names in every script, pinyin, initials, codes, organisations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.domain.search_keys import (
    CODE,
    FULL_NAME,
    INITIALS,
    KINDS,
    MAX_KEY_LENGTH,
    NAME_PART,
    ORG_SUFFIX_LENGTH,
    ORGANISATION,
    OTHER_INITIALS,
    TYPO,
    TYPO_PREFIX,
    DelegateText,
    Key,
    build_keys,
    fold,
    fold_variants,
    key_range,
    normalise_query,
    query_variants,
    search_order,
    split_chinese_name,
    stored_key,
    typo_eligible,
    typo_keys,
    typo_probes,
)

ZHANG_WEI = DelegateText(
    name_native="张伟",
    name_latin="ZHANG Wei",
    family_name="张",
    given_name="伟",
    name_order="eastern",
    registration_code="CQ24-7KQ2MX",
    organisation_zh="重庆长安汽车股份有限公司",
    organisation_en="Chongqing Changan Automobile Co., Ltd.",
)


def texts(d: DelegateText, kind: int) -> set[str]:
    return {k.text for k in build_keys(d) if k.kind == kind}


# -- folding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Đorđe  Petrović", "dordepetrovic"),
        ("DORDE-PETROVIC", "dordepetrovic"),
        ("zhāng wěi", "zhangwei"),
        ("Wei Zhang", "weizhang"),
        ("Marie Lefèvre", "marielefevre"),
        ("Петровић", "petrovic"),
        ("  张伟 ", "张伟"),
        ("Ｃｑ２４－７Ｋ", "cq247k"),  # full-width, as a Chinese IME types it
        ("CQ24-7K", "cq247k"),
        ("Straße", "strasse"),
        ("김민준", "김민준"),
        ("O'Brien 😀", "obrien"),
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded
    assert normalise_query(typed) == folded


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "!!", "·—", "\u200b", "😀"])
def test_nothing_searchable_folds_to_empty(blank: str) -> None:
    assert normalise_query(blank) == ""


def test_query_is_cut_to_the_key_length() -> None:
    assert normalise_query("a" * 10_000) == "a" * MAX_KEY_LENGTH


def test_fold_variants_cover_other_spellings() -> None:
    assert set(fold_variants("Đorđe")) == {"dorde", "djordje"}
    assert {"dorde", "djordje"} <= set(fold_variants("Ђорђе"))
    assert "ljubisa" in fold_variants("Љубиша")  # Serbian Latin, not Russian-style "ljubisha"
    assert "scepanovic" in fold_variants("Шћепановић")
    assert set(fold_variants("Müller")) == {"muller", "mueller"}
    assert set(fold_variants("김")) == {"김", "gim"}
    assert fold_variants("Smith") == ("smith",)
    assert fold_variants("!!") == ()


# -- names ------------------------------------------------------------------------------------


def test_chinese_name_keys() -> None:
    assert {"张伟", "zhangwei", "weizhang"} <= texts(ZHANG_WEI, FULL_NAME)
    assert {"张", "伟", "zhang", "wei"} <= texts(ZHANG_WEI, NAME_PART)
    assert texts(ZHANG_WEI, INITIALS) == {"zw"}
    # Characters are not typed given name first.
    assert "伟张" not in {k.text for k in build_keys(ZHANG_WEI)}


def test_chinese_name_without_family_and_given_fields_is_split() -> None:
    d = DelegateText(name_native="张伟明", name_order="eastern")
    assert {"张伟明", "zhangweiming", "weimingzhang"} <= texts(d, FULL_NAME)
    assert {"张", "伟明", "zhang", "weiming"} <= texts(d, NAME_PART)
    assert "zwm" in texts(d, INITIALS)


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("张伟", ("张", "伟")),
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("司马光", ("司马", "光")),
        ("马光", ("马", "光")),
        ("张", None),
        ("Marie", None),
        ("张 伟", ("张", "伟")),
        ("张伟明华英", ("张", "伟明华英")),
        ("张伟明华英杰", None),
    ],
)
def test_split_chinese_name(name: str, split: tuple[str, str] | None) -> None:
    assert split_chinese_name(name) == split


def test_compound_surname() -> None:
    d = DelegateText(name_native="欧阳娜娜")
    assert {"ouyangnana", "nanaouyang", "欧阳娜娜"} <= texts(d, FULL_NAME)
    assert {"欧阳", "ouyang", "nana"} <= texts(d, NAME_PART)
    assert "oynn" in texts(d, INITIALS)


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        ("单", "雄信", "shanxiongxin"),
        ("曾", "国藩", "zengguofan"),
        ("解", "缙", "xiejin"),
        ("乐", "嘉", "yuejia"),
        ("尉迟", "恭", "yuchigong"),
    ],
)
def test_polyphonic_surnames_read_as_surnames(family: str, given: str, expected: str) -> None:
    d = DelegateText(name_native=family + given, family_name=family, given_name=given, name_order="eastern")
    assert expected in texts(d, FULL_NAME)


def test_everyday_reading_of_a_polyphonic_surname_is_kept_too() -> None:
    d = DelegateText(name_native="单雄信", family_name="单", given_name="雄信", name_order="eastern")
    assert {"shanxiongxin", "danxiongxin"} <= texts(d, FULL_NAME)
    assert {"sxx", "dxx"} <= texts(d, INITIALS)


def test_u_umlaut_spellings() -> None:
    d = DelegateText(name_native="吕布", family_name="吕", given_name="布", name_order="eastern")
    assert {"lvbu", "lubu", "lyubu"} <= texts(d, FULL_NAME)


def test_serbian_name_in_latin_script() -> None:
    d = DelegateText(
        name_native="Đorđe Petrović",
        name_latin="Đorđe PETROVIĆ",
        family_name="Petrović",
        given_name="Đorđe",
    )
    assert {"dordepetrovic", "djordjepetrovic", "petrovicdorde"} <= texts(d, FULL_NAME)
    assert {"dorde", "djordje", "petrovic"} <= texts(d, NAME_PART)
    assert "dp" in texts(d, OTHER_INITIALS)


def test_serbian_name_in_cyrillic_only() -> None:
    d = DelegateText(name_native="Љубиша Јовановић")
    assert {"ljubisajovanovic", "jovanovicljubisa"} <= texts(d, FULL_NAME)
    assert {"ljubisa", "jovanovic"} <= texts(d, NAME_PART)


def test_korean_name() -> None:
    d = DelegateText(
        name_native="김민준",
        name_latin="KIM Min-jun",
        family_name="김",
        given_name="민준",
        name_order="eastern",
    )
    assert {"김민준", "kimminjun", "minjunkim", "gimminjun"} <= texts(d, FULL_NAME)
    assert {"김", "민준", "kim", "minjun", "min", "jun"} <= texts(d, NAME_PART)
    assert "kmj" in texts(d, OTHER_INITIALS)
    # No key mixes Hangul with a romanisation ("김minjun").
    assert not any(not t.isascii() and any(c.isascii() for c in t) for t in texts(d, FULL_NAME))


def test_middle_names_may_be_left_out() -> None:
    d = DelegateText(
        name_native="Marie Claire Lefèvre",
        name_latin="Marie Claire LEFÈVRE",
        family_name="Lefèvre",
        given_name="Marie Claire",
    )
    full = texts(d, FULL_NAME)
    assert {"marieclairelefevre", "lefevremarieclaire", "marielefevre", "lefevremarie"} <= full
    assert {"marie", "claire", "lefevre"} <= texts(d, NAME_PART)


def test_very_long_names_stay_bounded_and_findable() -> None:
    native = " ".join(f"Name{i}" for i in range(40))
    keys = build_keys(DelegateText(name_native=native))
    assert len(keys) < 200
    assert all(len(k.text) <= MAX_KEY_LENGTH for k in keys)
    assert normalise_query(native) in {k.text for k in keys if k.kind == FULL_NAME}


# -- code and organisation ----------------------------------------------------------------------


def test_code_key() -> None:
    assert texts(ZHANG_WEI, CODE) == {"cq247kq2mx"}


def test_chinese_organisation_substrings() -> None:
    org = texts(ZHANG_WEI, ORGANISATION)
    assert "重庆长安汽车股份有限公司" in org
    assert any(t.startswith("长安") for t in org)
    assert any(t.startswith("汽车") for t in org)
    # Suffixes are bounded, and none starts inside the legal form (every company has one).
    suffixes = {t for t in org if not t.isascii()} - {"重庆长安汽车股份有限公司"}
    assert suffixes and all(len(t) <= ORG_SUFFIX_LENGTH for t in suffixes)
    assert not any(t.startswith(("公司", "有限", "股份")) for t in org)


def test_english_organisation_words() -> None:
    org = texts(ZHANG_WEI, ORGANISATION)
    assert {"chongqingchanganautomobilecoltd", "changanautomobilecoltd"} <= org
    assert "automobilecoltd" in org
    assert not any(t.startswith(("coltd", "ltd")) for t in org)


def test_each_text_once_under_its_best_kind() -> None:
    d = DelegateText(name_native="Madonna", organisation_en="Madonna")
    keys = build_keys(d)
    assert [k for k in keys if k.text == "madonna"] == [Key(FULL_NAME, "madonna")]
    assert keys == sorted(keys)


# -- stored keys and ranges ------------------------------------------------------------------


def test_stored_key_groups_kinds() -> None:
    assert stored_key(FULL_NAME, "zhangwei") == "0zhangwei"
    assert stored_key(ORGANISATION, "长安") == "5长安"
    stored = sorted(stored_key(kind, "abc") for kind in reversed(KINDS))
    assert stored == [stored_key(kind, "abc") for kind in KINDS]


@pytest.mark.parametrize("query", ["zhang", "张", "z", "a\U0010fffe", "\uffff", "吉"])
def test_key_range_is_exactly_the_prefix(query: str) -> None:
    low, high = key_range(FULL_NAME, query)
    for inside in (query, query + "a", query + "\uffff", query + "𠮷", query + "\U0010ffff"):
        assert low <= stored_key(FULL_NAME, inside) < high
    nxt = query[:-1] + chr(ord(query[-1]) + 1)
    for outside in (query[:-1], nxt):
        assert not low <= stored_key(FULL_NAME, outside) < high
    assert not low <= stored_key(NAME_PART, query) < high
    high.encode("utf-8")  # must be bindable: no surrogates


# -- properties --------------------------------------------------------------------------------

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
# Anything at all, with extra weight on CJK, combining marks and lone surrogates (which a
# Python str may hold but SQLite cannot store).
anything = st.text(
    st.one_of(
        st.characters(),
        cjk,
        st.characters(categories=["Mn", "Zs", "Cc", "Cf"]),
        st.sampled_from(["\ud800", "\udfff", "\U0010ffff", "\uffff"]),
    ),
    max_size=60,
)
fields = st.builds(
    DelegateText,
    name_native=anything,
    name_latin=anything,
    family_name=anything,
    given_name=anything,
    name_order=st.sampled_from(["eastern", "western", ""]),
    registration_code=anything,
    organisation_zh=anything,
    organisation_en=anything,
)
name_like = st.text(st.one_of(st.characters(codec="utf-8"), cjk, st.sampled_from(" -·đĐёЂšüß")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(fields)
def test_building_keys_never_raises_and_keys_are_storable(d: DelegateText) -> None:
    keys = build_keys(d)
    for kind, text in keys:
        stored_key(kind, text).encode("utf-8")
        if kind == TYPO:
            deletion, term = text.split(" ")
            assert term == fold(term) and len(deletion) <= TYPO_PREFIX
            continue
        assert kind in KINDS
        assert 0 < len(text) <= MAX_KEY_LENGTH
        assert text == fold(text)  # a folded query can match it
    plain = [k for k in keys if k.kind != TYPO]
    assert len({k.text for k in plain}) == len(plain)


@settings(max_examples=300, deadline=None)
@given(st.one_of(anything, st.text(max_size=300)))
def test_query_normalisation_never_raises_and_is_idempotent(text: str) -> None:
    q = normalise_query(text)
    assert len(q) <= MAX_KEY_LENGTH
    assert normalise_query(q) == q
    assert not any(c.isspace() for c in q)
    q.encode("utf-8")
    if q:
        low, high = key_range(FULL_NAME, q)
        assert low < high
        high.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(name_like)
def test_everyone_is_found_by_the_name_on_their_badge(native: str) -> None:
    q = normalise_query(native)
    if q:
        full = {k.text for k in build_keys(DelegateText(name_native=native)) if k.kind == FULL_NAME}
        assert any(t.startswith(q) for t in full)


# -- forgiving search: traditional/simplified, typos, ü, Cyrillic, initials ----------------------


def test_traditional_and_simplified_fold_alike() -> None:
    assert fold("張偉") == fold("张伟") == "张伟"
    assert fold("陳大文") == fold("陈大文")
    assert normalise_query("重慶大學") == normalise_query("重庆大学")
    # Character by character, so the prefix of a name folds to the prefix of its key.
    assert fold("張") == fold("張偉")[:1]


def test_traditional_name_gets_the_same_keys_as_its_simplified_twin() -> None:
    trad = DelegateText(name_native="張偉", family_name="張", given_name="偉", name_order="eastern")
    simp = DelegateText(name_native="张伟", family_name="张", given_name="伟", name_order="eastern")
    assert texts(trad, FULL_NAME) == texts(simp, FULL_NAME)
    # Surname readings apply to traditional characters too (單 reads shan as 单 does).
    d = DelegateText(name_native="單雄信", family_name="單", given_name="雄信", name_order="eastern")
    assert "shanxiongxin" in texts(d, FULL_NAME)


def test_pinyin_u_umlaut_is_looked_up_as_v_first() -> None:
    for typed in ("lü haoran", "Lǚ Hàorán", "lu: haoran", "LÜ HAORAN"):
        assert query_variants(typed) == ("lvhaoran", "luhaoran"), typed
    assert query_variants("lv haoran") == ("lvhaoran",)
    assert query_variants("Müller") == ("muller",)  # only after l and n


def test_cyrillic_query_is_also_read_by_the_passport_table() -> None:
    assert query_variants("Юлия") == ("yuliya", "iuliia")
    assert "dmitrii" in query_variants("Дмитрий")
    assert "dorde" in query_variants("Ђорђе")


def test_cyrillic_record_has_its_passport_spelling_as_a_key() -> None:
    d = DelegateText(name_native="Юлия Иванова", family_name="Иванова", given_name="Юлия")
    assert "iuliiaivanova" in texts(d, FULL_NAME)


def test_two_letters_that_are_no_syllable_look_up_chinese_initials_first() -> None:
    assert search_order("zy")[0] == INITIALS
    assert search_order("ma") == KINDS  # 马: a surname, not initials
    assert search_order("zha") == KINDS


def test_chinese_initials_and_other_initials_are_apart() -> None:
    assert texts(ZHANG_WEI, INITIALS) == {"zw"}
    assert "zw" not in texts(ZHANG_WEI, OTHER_INITIALS)  # the Latin line's zw is the same key


def test_typo_keys_of_a_name() -> None:
    keys = typo_keys("kuznetsova")
    assert "kuzneso kuznetsova" in keys  # "kuznetso" with its t deleted
    assert "kuznetso kuznetsova" in keys  # the first 8 letters themselves, as the name is longer
    assert all(k.endswith(" kuznetsova") for k in keys)
    assert typo_keys("wei") == [] and typo_keys("张伟伟伟") == []
    d = DelegateText(name_native="Ekaterina Kuznetsova", family_name="Kuznetsova", given_name="Ekaterina")
    assert {k.text for k in build_keys(d) if k.kind == TYPO} >= set(keys)


def _one_edit(term: str, op: int, pos: int, letter: str) -> str:
    pos %= len(term)
    if op == 0:
        return term[:pos] + letter + term[pos + 1 :]  # substitution
    if op == 1:
        return term[:pos] + letter + term[pos:]  # insertion
    if op == 2:
        return term[:pos] + term[pos + 1 :]  # deletion
    pos = min(pos, len(term) - 2)
    return term[:pos] + term[pos + 1] + term[pos] + term[pos + 2 :]  # transposition


@settings(max_examples=2000, deadline=None)
@given(
    st.text(alphabet="abcdehinorsuz", min_size=4, max_size=16),
    st.integers(0, 3), st.integers(0, 20), st.sampled_from("aeiouxyz"),
)  # fmt: skip
def test_every_name_one_edit_away_is_probed(term: str, op: int, pos: int, letter: str) -> None:
    query = _one_edit(term, op, pos, letter)
    if not typo_eligible(query) or query == term:
        return
    prefixes, exact = typo_probes(query)
    stored = {k.split(" ")[0] for k in typo_keys(term)}
    assert stored & set(prefixes) or term in exact, (term, query)


def test_kuznetsova_with_letters_swapped_is_probed() -> None:
    prefixes, _exact = typo_probes("kuzntesova")
    assert {k.split(" ")[0] for k in typo_keys("kuznetsova")} & set(prefixes)
