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
