"""Names in their culture's order, double surnames, full-width Latin (checkin_app/domain/names.py)."""

from __future__ import annotations

import pytest

from checkin_app.domain.names import (
    badge_name_lines,
    display_name,
    family_first,
    format_latin_name,
    latin_display,
    normalise_width,
    split_full_name,
)


def _lines(family: str, given: str, native: str, latin: str = "", order: str = "western",
           country: str = "", style: str = "given_FAMILY") -> tuple[str, str]:
    return badge_name_lines(family=family, given=given, native=native, latin=latin, order=order,
                            country=country, style=style)


def test_chinese_japanese_korean_keep_native_order_without_comma() -> None:
    assert _lines("张", "伟", "张伟", "ZHANG Wei", "eastern", "CN") == ("张伟", "ZHANG Wei")
    assert _lines("佐藤", "健", "佐藤健", "SATO Ken", "eastern", "JP") == ("佐藤健", "SATO Ken")
    assert _lines("山田", "太郎", "山田 太郎", "", "eastern", "JP") == ("山田 太郎", "")
    assert _lines("김", "민준", "김민준", "KIM Min-jun", "eastern", "KR") == ("김민준", "KIM Min-jun")
    for style in ("given_FAMILY", "FAMILY, given", "given_family"):
        assert "," not in _lines("欧阳", "建国", "欧阳建国", "OUYANG Jianguo", "eastern", "CN",
                                 style)[0]


@pytest.mark.parametrize(("family", "given", "country", "expected"), [
    ("Nguyễn", "Thị Minh Khai", "VN", "NGUYỄN Thị Minh Khai"),
    ("Nguyễn", "Thị Minh Khai", "", "NGUYỄN Thị Minh Khai"),  # no country: the letters tell
    ("Nagy", "István", "HU", "NAGY István"),
    ("Kim", "Min-jun", "KR", "KIM Min-jun"),
    ("Tanaka", "Kenji", "JP", "TANAKA Kenji"),
    ("Zhang", "Wei", "CN", "ZHANG Wei"),
    ("Rodríguez Zapatero", "José Luis", "ES", "José Luis RODRÍGUEZ ZAPATERO"),
    ("Petrović", "Đorđe", "RS", "Đorđe PETROVIĆ"),
    ("Şahin", "İrem", "TR", "İrem ŞAHİN"),
    ("Adébáyọ̀", "Ọlá", "NG", "Ọlá ADÉBÁYỌ̀"),  # Yoruba dots are not Vietnamese
])
def test_latin_names_in_their_cultures_order(family: str, given: str, country: str,
                                             expected: str) -> None:
    assert format_latin_name(family, given, country=country) == expected
    native = f"{family} {given}" if family_first(country, family) else f"{given} {family}"
    assert _lines(family, given, native, country=country) == (expected, "")


def test_template_styles_do_not_turn_family_first_names_around() -> None:
    assert format_latin_name("Nguyễn", "Thị Minh Khai", country="VN",
                             style="FAMILY, given") == "NGUYỄN Thị Minh Khai"
    assert format_latin_name("Nagy", "István", country="HU", style="given_family") == "Nagy István"
    assert format_latin_name("Smith", "John", country="GB", style="FAMILY, given") == "SMITH, John"
    assert format_latin_name("Smith", "John", country="GB", style="FAMILY_given") == "SMITH John"
    assert format_latin_name("Smith", "John", country="GB", style="given_family") == "John Smith"


def test_vietnamese_demo_name_prints_once_family_first() -> None:
    # The demo's Vietnamese delegates: eastern order, native in Latin letters, Latin form the same.
    got = _lines("Nguyễn", "Thị Minh Khai", "Nguyễn Thị Minh Khai", "NGUYỄN Thị Minh Khai",
                 "eastern", "VN")
    assert got == ("NGUYỄN Thị Minh Khai", "")
    # Only the native name known: split family first.
    assert _lines("", "", "Nguyễn Thị Minh Khai", "", "eastern", "VN") == ("NGUYỄN Thị Minh Khai", "")


def test_other_scripts_print_natively_with_latin_underneath() -> None:
    assert _lines("Иванов", "Иван", "Иван Иванов", "Ivan IVANOV") == ("Иван Иванов", "Ivan IVANOV")
    assert _lines("", "", "สมชาย ใจดี", "Somchai JAIDEE", country="TH") == (
        "สมชาย ใจดี", "Somchai JAIDEE")
    assert _lines("", "Budi", "Budi", "Budi", country="ID") == ("Budi", "")


@pytest.mark.parametrize(("full", "country", "family", "given"), [
    ("José Luis Rodríguez Zapatero", "ES", "Rodríguez Zapatero", "José Luis"),
    ("Juan de la Fuente García", "MX", "de la Fuente García", "Juan"),
    ("María García", "ES", "García", "María"),
    ("José Luis RODRÍGUEZ ZAPATERO", "", "RODRÍGUEZ ZAPATERO", "José Luis"),
    ("PETROVIĆ Đorđe", "RS", "PETROVIĆ", "Đorđe"),
    ("Nguyễn Thị Minh Khai", "VN", "Nguyễn", "Thị Minh Khai"),
    ("Nagy István", "HU", "Nagy", "István"),
    ("Smith, John", "GB", "Smith", "John"),
    ("Ludwig van Beethoven", "DE", "van Beethoven", "Ludwig"),
    ("Mary Ann Smith", "US", "Smith", "Mary Ann"),
    ("Budi", "ID", "", "Budi"),
    ("Ｊｏｈｎ　ＳＭＩＴＨ", "", "SMITH", "John"),
])
def test_split_full_name(full: str, country: str, family: str, given: str) -> None:
    assert split_full_name(full, country) == (family, given)


def test_full_width_latin_is_normalised_and_chinese_punctuation_kept() -> None:
    assert normalise_width("ＡＢＣ") == "ABC"
    assert normalise_width("Ｊｏｈｎ　ＳＭＩＴＨ") == "John SMITH"
    assert normalise_width("ＩＢＭ（中国）有限公司") == "IBM（中国）有限公司"
    assert normalise_width("重庆大学（筹）２０２４") == "重庆大学（筹）2024"
    assert normalise_width("Ｏ’ＢＲＩＥＮ （ＵＳＡ）") == "O’BRIEN (USA)"
    assert normalise_width("ｶﾞｰﾄﾞ") == "ガード"
    assert normalise_width("张伟") == "张伟"
    assert _lines("ＳＭＩＴＨ", "Ｊｏｈｎ", "Ｊｏｈｎ ＳＭＩＴＨ", country="GB") == ("John SMITH", "")


def test_display_name_for_the_desk() -> None:
    assert display_name(family="张", given="伟", native="张伟", latin="ZHANG Wei",
                        order="eastern") == "张伟"
    assert display_name(family="张", given="伟", native="", latin="ZHANG Wei",
                        order="eastern") == "张伟"
    assert display_name(family="Nguyễn", given="Thị Minh Khai", native="", latin="",
                        order="eastern") == "NGUYỄN Thị Minh Khai"
    assert display_name(family="Nagy", given="István", native="", latin="", order="western",
                        country="HU") == "NAGY István"
    assert display_name(family="Lefèvre", given="Marie", native="", latin="",
                        order="western") == "Marie LEFÈVRE"
    assert display_name(family="", given="", native="ＡＢＣ", latin="", order="western") == "ABC"
    assert display_name(family="", given="", native="", latin="John SMITH",
                        order="western") == "John SMITH"


def test_latin_display_is_unchanged() -> None:
    assert latin_display(family_latin="Zhang", given_latin="Wei", order="eastern") == "ZHANG Wei"
    assert latin_display(family_latin="Smith", given_latin="John", order="western") == "John SMITH"
