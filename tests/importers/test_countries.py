"""Countries from ISO codes, Chinese and English names and aliases."""

from __future__ import annotations

import pytest

from checkin_app.domain.countries import COUNTRIES
from checkin_app.importers.countries import country_code, known_codes


@pytest.mark.parametrize(("text", "iso"), [
    ("美国", "US"), ("USA", "US"), ("United States of America", "US"), ("U.S.", "US"), ("us", "US"),
    ("中国", "CN"), ("中华人民共和国", "CN"), ("PRC", "CN"), ("CHN", "CN"),
    ("中国香港", "HK"), ("香港", "HK"), ("Hong Kong, China", "HK"), ("中国澳门特别行政区", "MO"),
    ("英国", "GB"), ("UK", "GB"), ("Great Britain", "GB"),
    ("塞尔维亚", "RS"), ("Serbia", "RS"), ("Türkiye", "TR"), ("Turkey", "TR"),
    ("ＪＰ", "JP"), (" 韩国 ", "KR"), ("刚果（金）", "CD"), ("Viet Nam", "VN"),
])
def test_known_names_and_aliases(text: str, iso: str) -> None:
    assert country_code(text) == iso


def test_unknown_is_none() -> None:
    assert country_code("Atlantis") is None
    assert country_code("") is None


def test_every_desk_country_reads_back() -> None:
    for iso, (zh, en) in COUNTRIES.items():
        assert country_code(zh) == iso and country_code(en) == iso and country_code(iso) == iso
    assert set(COUNTRIES) <= known_codes()


@pytest.mark.parametrize(("text", "iso"), [
    ("Korea, Republic of", "KR"), ("Republic of Serbia", "RS"), ("Србија", "RS"), ("대한민국", "KR"),
    ("ประเทศไทย", "TH"), ("Republika Srbija", "RS"), ("Република Србија", "RS"), ("SRB", "RS"),
    ("ISR", "IL"), ("Israel", "IL"), ("以色列", "IL"), ("Iran, Islamic Republic of", "IR"),
    ("Kingdom of Thailand", "TH"), ("塞尔维亚共和国", "RS"), ("日本国", "JP"), ("泰王国", "TH"),
    ("Россия", "RU"), ("Deutschland", "DE"), ("Myanmar", "MM"), ("Burma", "MM"), ("Ísland", "IS"),
    ("Iceland", "IS"), ("冰岛", "IS"), ("Hong Kong SAR China", "HK"), ("Việt Nam", "VN"),
])
def test_official_forms_and_own_languages(text: str, iso: str) -> None:
    assert country_code(text) == iso


def test_every_code_has_names_in_both_languages() -> None:
    from checkin_app.domain.countries import country_names

    assert len(COUNTRIES) > 240
    for code in ("IL", "MM", "IS", "XK", "FJ", "MT", "LU", "UY", "JM", "PG", "GE", "AM"):
        zh, en = country_names(code)
        assert zh != code and en != code and "(" not in en, code
    assert country_names("MM") == ("缅甸", "Myanmar") and country_names("HK")[0] == "中国香港"


def test_cached_table_equals_babel_and_is_read_back(tmp_path: pytest.TempPathFactory,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup is built from Babel once and kept in the per-user cache: the file holds
    exactly what Babel gives, a later lookup reads it, and a damaged file is built again."""
    from checkin_app.importers import countries

    monkeypatch.setenv("CHECKIN_CACHE_DIR", str(tmp_path))
    countries._lookup.cache_clear()
    try:
        fresh = countries.build_lookup()
        assert countries._lookup() == fresh
        path = countries.cache_path()
        assert path.parent == tmp_path and path.is_file()
        import json

        assert json.loads(path.read_text(encoding="utf-8")) == fresh
        countries._lookup.cache_clear()
        path.write_text('{"atlantis": "AT"}', encoding="utf-8")  # read back as it is
        assert countries._lookup() == {"atlantis": "AT"}
        countries._lookup.cache_clear()
        path.write_text("{not json", encoding="utf-8")
        assert countries._lookup() == fresh
    finally:
        countries._lookup.cache_clear()
