"""Latin names made only by a standard: pinyin, Revised Romanization, ICAO/Serbian, ELOT 743; else none."""

from __future__ import annotations

import pytest

from checkin_app.domain.romanise import (
    LATIN_MISSING_EN,
    LATIN_MISSING_ZH,
    cyrillic_to_latin,
    elot743,
    generated_latin,
    latin_missing,
    script,
    to_simplified,
)
from checkin_app.importers.rows import names


@pytest.mark.parametrize(
    ("family", "given", "native", "country", "order", "latin"),
    [
        ("张", "伟", "张伟", "CN", "eastern", "ZHANG Wei"),
        ("曾", "志伟", "曾志伟", "CN", "eastern", "ZENG Zhiwei"),
        ("张", "伟", "张伟", "", "eastern", "ZHANG Wei"),  # simplified, no country: Mainland
        ("김", "민준", "김민준", "KR", "eastern", "KIM Minjun"),
        ("", "", "김민준", "", "eastern", "KIM Minjun"),
        ("한", "복남", "한복남", "KR", "eastern", "HAN Boknam"),  # no sound change inside a name
        ("박", "서연", "박서연", "KR", "eastern", "PARK Seoyeon"),
        ("Петровић", "Ђорђе", "Ђорђе Петровић", "RS", "western", "Đorđe PETROVIĆ"),
        ("Јовановић", "Љубиша", "", "", "western", "Ljubiša JOVANOVIĆ"),  # Serbian letters: Serbian
        ("Кузнецова", "Екатерина", "Екатерина Кузнецова", "RU", "western", "Ekaterina KUZNETSOVA"),
        ("Иванова", "Юлия", "", "RU", "western", "Iuliia IVANOVA"),  # ICAO 9303, the passport table
        ("Παπαδόπουλος", "Ευάγγελος", "", "GR", "western", "Evangelos PAPADOPOULOS"),
        ("Smith", "John", "John Smith", "GB", "western", "John SMITH"),
    ],
)
def test_standard_romanisations(family: str, given: str, native: str, country: str, order: str,
                                latin: str) -> None:
    assert generated_latin(family=family, given=given, native=native, country=country, order=order) == latin


@pytest.mark.parametrize(
    ("family", "given", "native", "country"),
    [
        ("陳", "大文", "陳大文", "HK"),  # Chan Tai Man, not CHEN Dawen
        ("陈", "大文", "陈大文", "MO"),
        ("林", "志明", "林志明", "TW"),
        ("陳", "大文", "陳大文", ""),  # traditional characters, no country: not guessed as Mainland
        ("陈", "伟明", "陈伟明", "SG"),  # Tan Wee Ming: a dialect reading
        ("佐藤", "健", "佐藤健", "JP"),  # kanji: the reading cannot be guessed
        ("", "さくら", "さくら", "JP"),
        ("", "", "محمد عبد الله", "AE"),
        ("ใจดี", "สมชาย", "สมชาย ใจดี", "TH"),  # no library reads Thai names reliably (see module)
        ("", "", "דוד כהן", "IL"),
        ("Әбенов", "Нұрлан", "", "KZ"),  # Kazakh letters the passport table does not have
        ("Шевченко", "Олександр", "", "UA"),  # no library has Ukraine's national system
    ],
)
def test_no_standard_no_latin_name(family: str, given: str, native: str, country: str) -> None:
    assert generated_latin(family=family, given=given, native=native, country=country, order="eastern") == ""
    assert latin_missing(native or family + given, "")


def test_latin_missing_flag() -> None:
    assert latin_missing("佐藤健", "")
    assert not latin_missing("佐藤健", "SATO Ken")  # given by the registration
    assert not latin_missing("John Smith", "")  # Latin already
    assert (LATIN_MISSING_ZH, LATIN_MISSING_EN) == ("缺少外文名", "Latin name missing")


def test_scripts() -> None:
    names = ("张伟", "佐藤さくら", "김민준", "Иван", "Γιώργος", "Đorđe", "محمد", "", "12")
    assert [script(t) for t in names] == [
        "han", "kana", "hangul", "cyrillic", "greek", "latin", "other", "", ""]  # fmt: skip


def test_cyrillic_by_country() -> None:
    assert cyrillic_to_latin("Ђорђе", "RS") == "Đorđe"
    assert cyrillic_to_latin("Љубиша", "RS") == "Ljubiša"  # not LJubiša
    assert cyrillic_to_latin("Юлия", "RU") == "Iuliia"
    assert cyrillic_to_latin("Мөнх-Эрдэнэ", "MN") == "Mönkh-Erdene"
    assert cyrillic_to_latin("Олександр", "UA") == ""


@pytest.mark.parametrize(
    ("greek", "latin"),
    [("Γεώργιος", "Georgios"), ("Ευθύμιος", "Efthymios"), ("Αυγερινός", "Avgerinos"),
     ("Κωνσταντίνος", "Konstantinos"), ("Χατζηδάκης", "Chatzidakis"), ("Ψαρράς", "Psarras"),
     ("Μπακογιάννη", "Bakogianni"), ("Λαμπράκης", "Lamprakis"), ("Ντίνος", "Dinos"),
     ("Αντώνης", "Antonis"), ("Τσίγκος", "Tsigkos"), ("ΘΕΟΔΩΡΟΣ", "THEODOROS"), ("Μαΐου", "Maiou")],
)  # fmt: skip
def test_elot_743(greek: str, latin: str) -> None:
    assert elot743(greek) == latin


def test_to_simplified() -> None:
    assert to_simplified("張偉") == "张伟"
    assert to_simplified("渡辺") == "渡辺"  # Japanese forms stay
    assert to_simplified("\ud800張") == "\ud800张"  # a lone surrogate passes untouched


# -- the importer's use -------------------------------------------------------------------------


def test_importer_keeps_a_given_latin_name() -> None:
    n = names("陳大文", "", "", "CHAN Tai Man", country="HK")
    assert n is not None and n["name_latin"] == "CHAN Tai Man"


def test_importer_gives_no_mainland_pinyin_to_hong_kong() -> None:
    n = names("陳大文", "", "", "", country="HK")
    assert n is not None and n["name_latin"] == "" and n["name_native"] == "陳大文"
    n = names("陈大文", "", "", "", country="CN")
    assert n is not None and n["name_latin"] == "CHEN Dawen"


def test_importer_korean_and_serbian() -> None:
    n = names("김민준", "", "", "", country="KR")
    assert n is not None and n["name_latin"] == "KIM Minjun"
    n = names("Ђорђе Петровић", "", "", "", country="RS")
    assert n is not None and n["name_latin"] == "Đorđe PETROVIĆ"
