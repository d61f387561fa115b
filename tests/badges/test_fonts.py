"""Every character of every name the demo generator can produce has a glyph in the font that draws it."""

from __future__ import annotations

import logging

import pytest

from checkin_app.badges.fonts import (
    ARABIC,
    CJK,
    LATIN,
    REGULAR,
    FontSet,
    fonts,
    is_ignorable,
    preferred_family,
    uncovered_chars,
)
from checkin_app.demo import names as demo_data
from checkin_app.demo.build import serbian_cyrillic
from checkin_app.domain.badge_data import BadgeData, fields


def _assert_covered(fs: FontSet, text: str) -> None:
    assert not fs.uncovered(text), f"no glyph for {fs.uncovered(text)} in {text!r}"
    for weight in ("regular", "bold"):
        for run in fs.runs(text, weight):
            for ch in run.source:
                if not is_ignorable(ch):
                    assert fs.has_glyph(run.font, ch), f"{ch!r} (U+{ord(ch):04X}) not in {run.font}"


def _demo_strings() -> set[str]:
    out: set[str] = set()
    for culture in demo_data.CULTURES.values():
        for pool in (culture.family, culture.male, culture.female, culture.middle_male or (),
                     culture.middle_female or ()):
            for native, latin in pool:
                out.update((native, latin, latin.upper(), serbian_cyrillic(native)))
    for family, pinyin, _w in demo_data.CN_SURNAMES:
        out.update((family, pinyin.upper()))
    out.update(demo_data.CN_GIVEN_COMMON)
    out.update(demo_data.CN_GIVEN_MODERN)
    out.update(demo_data.CN_GIVEN_FIRST)
    out.update(demo_data.CN_GIVEN_SECOND)
    for name in dir(demo_data):
        value = getattr(demo_data, name)
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, tuple) and all(isinstance(x, str) for x in item):
                    out.update(item)
        if isinstance(value, dict):
            for item in value.values():
                if isinstance(item, tuple):
                    for sub in item:
                        if isinstance(sub, tuple) and all(isinstance(x, str) for x in sub):
                            out.update(sub)
    for c in demo_data.CATEGORIES:
        out.update((c.name_zh, c.name_en))
    return {s for s in out if s}


def test_every_demo_name_and_organisation_has_glyphs() -> None:
    fs = fonts()
    strings = _demo_strings()
    assert len(strings) > 500
    for text in sorted(strings):
        _assert_covered(fs, text)


def test_every_field_of_the_demo_event_has_glyphs(demo_db: object) -> None:
    from checkin_app.services.badges import BadgeService, Selection
    from checkin_app.storage.db import Database

    assert isinstance(demo_db, Database)
    fs = fonts()
    n = 0
    for d in BadgeService(demo_db).iter_badge_data(Selection(include_cancelled=True)):
        for value in fields(d).values():
            _assert_covered(fs, value)
        n += 1
    assert n == 300


def test_hard_names_have_glyphs(hard: BadgeData) -> None:
    fs = fonts()
    for value in fields(hard).values():
        _assert_covered(fs, value)


def test_scripts_go_to_their_fonts() -> None:
    fs = fonts()
    runs = fs.runs("张伟 Zhang 김민준 Đorđe محمد", REGULAR)
    families = [r.family for r in runs]
    assert CJK in families and LATIN in families and ARABIC in families
    assert preferred_family("漢") == CJK and preferred_family("ا") == ARABIC
    assert preferred_family(" ") is None and preferred_family("5") is None


def test_arabic_is_shaped_and_laid_out_right_to_left() -> None:
    fs = fonts()
    (run,) = fs.runs("محمد المنصوري", REGULAR)
    assert run.shaped and run.rtl and run.font == fs.face(ARABIC, REGULAR)
    # The first word written (محمد) is drawn last, i.e. rightmost.
    first_word = fs.runs("محمد", REGULAR)[0].text
    assert run.text.endswith(first_word)
    # Joined letters use contextual forms, not the isolated code points.
    assert run.text != "".join(reversed("محمد المنصوري"))


def test_a_character_no_font_has_is_left_out_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    fs = fonts()
    ext_c = "\U0002B740"  # CJK Extension C: no bundled font has it
    melting = "\U0001FAE0"  # an emoji newer than the bundled Symbola (Unicode 14)
    text = f"Ann{ext_c} 张{melting}伟"
    with caplog.at_level(logging.WARNING, logger="checkin_app.badges.fonts"):
        runs = fs.runs(text, REGULAR)
    drawn = "".join(r.source for r in runs)
    assert drawn == "Ann 张伟"  # a clean omission: no replacement mark, nothing else lost
    assert "\ufffd" not in "".join(r.text for r in runs)
    assert "U+2B740" in caplog.text and "U+1FAE0" in caplog.text
    assert uncovered_chars(text) == {ext_c, melting}
    assert uncovered_chars("स्वाति 𠮷野 น้ำ 😀\u200d") == set()  # joiners are never "missing"


def test_right_to_left_numbers_and_brackets() -> None:
    fs = fonts()
    # Digits keep their order inside Arabic; the first word written is the rightmost.
    runs = fs.runs("شارع ١٢٣", REGULAR)
    assert [r.source for r in runs] == ["١٢٣", "شارع "]
    assert runs[0].text == "١٢٣" and not runs[0].shaped
    # A bracket between right-to-left words is mirrored (it closes on the left).
    runs = fs.runs("شركة (الصين)", REGULAR)
    assert runs[0].text == "(" and runs[-1].source == "شركة "
    # Left-to-right text with a right-to-left word: the paragraph stays left to right.
    runs = fs.runs("Tel Aviv תל אביב", REGULAR)
    assert [r.source for r in runs] == ["Tel Aviv ", "תל אביב"] and runs[1].rtl


def test_kana_keeps_its_space() -> None:
    fs = fonts()
    spaced = fs.width(fs.runs("やまだ たろう", REGULAR), 1)
    joined = fs.width(fs.runs("やまだたろう", REGULAR), 1)
    assert spaced > joined + 0.2
    (run,) = fs.runs("やまだ　たろう", REGULAR)  # an ideographic space is kept too
    assert "\u3000" in run.text


def test_long_indic_names_wrap_between_words_only() -> None:
    from checkin_app.badges.layout import fit_text

    name = "श्रीमती स्वाति प्रियंका शर्मा"
    f = fit_text(fonts(), name, REGULAR, width=120, height=80, size=30, min_size=14, max_lines=3)
    assert len(f.texts) > 1 and " ".join(f.texts) == name
    assert all(w <= 120 + 1e-6 for w in f.widths)
