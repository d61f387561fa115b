"""Names and organisations fit their boxes on every template: shrink, then wrap, never overflow."""

from __future__ import annotations

import pytest

from checkin_app.badges.fonts import REGULAR, fonts
from checkin_app.badges.layout import fit_text, segments
from checkin_app.badges.render import BadgeRenderer
from checkin_app.badges.templates import load_templates
from checkin_app.domain.badge_data import BadgeData, name_lines
from tests.badges.conftest import HARD, badge

EPS = 0.01


def _inside(p: object) -> None:
    from checkin_app.badges.render import PlacedText

    assert isinstance(p, PlacedText)
    f = p.fitted
    assert f.block_height <= p.h + EPS, (p.text, f.block_height, p.h)
    origins = p.line_origins()
    for (x, _base), w in zip(origins, f.widths, strict=True):
        assert x >= p.x - EPS and x + w <= p.x + p.w + EPS, (p.text, x, w, p.x, p.w)
    assert origins[0][1] + f.ascent * f.size <= p.y + p.h + EPS, p.text
    assert origins[-1][1] - f.descent * f.size >= p.y - EPS, p.text


@pytest.mark.parametrize("template", sorted(load_templates().templates))
def test_every_hard_name_stays_inside_its_boxes(template: str) -> None:
    t = load_templates().templates[template]
    r = BadgeRenderer()
    for d in HARD.values():
        lay = r.layout(d, t)
        assert lay.texts
        for p in lay.texts:
            _inside(p)


def test_demo_badges_stay_inside_their_boxes(demo_db: object) -> None:
    from checkin_app.services.badges import BadgeService, Selection
    from checkin_app.storage.db import Database

    assert isinstance(demo_db, Database)
    ts = load_templates()
    r = BadgeRenderer()
    for d in BadgeService(demo_db).iter_badge_data(Selection()):
        for p in r.layout(d, ts.for_category(d.category_code)).texts:
            _inside(p)


def test_long_name_shrinks_then_wraps_to_two_lines() -> None:
    fs = fonts()
    box = {"width": 95 * 72 / 25.4, "height": 24 * 72 / 25.4, "size": 42.0, "min_size": 16.0,
           "max_lines": 2}
    f = fit_text(fs, "Maria Alejandra GONZÁLEZ DE LA FUENTE", "bold", **box)  # type: ignore[arg-type]
    assert len(f.lines) == 2 and f.size >= 16 and not f.below_minimum
    # A 35-letter surname alone is wider than the box at the minimum: it keeps shrinking.
    first, _ = name_lines(HARD["very_long_western"])
    f = fit_text(fs, first, "bold", **box)  # type: ignore[arg-type]
    assert f.texts[1] == "WOLFESCHLEGELSTEINHAUSENBERGERDORFF"
    assert f.below_minimum and max(f.widths) <= box["width"] + EPS


def test_short_name_keeps_its_full_size() -> None:
    f = fit_text(fonts(), "张伟", "bold", width=270, height=68, size=42, min_size=16, max_lines=2)
    assert f.size == 42 and len(f.lines) == 1


def test_text_that_cannot_fit_at_the_minimum_shrinks_further_instead_of_overflowing() -> None:
    f = fit_text(fonts(), "Supercalifragilisticexpialidocious", REGULAR, width=40, height=10,
                 size=12, min_size=8, max_lines=2)
    assert f.below_minimum and max(f.widths) <= 40 + EPS


def test_chinese_breaks_between_characters_but_not_before_punctuation() -> None:
    segs = segments("重庆大学（虎溪校区），计算机学院")
    assert "，" not in [s[0] for s in segs]
    assert all(not s.startswith(("）", "，")) for s in segs)
    assert all(not s.endswith("（") for s in segs)


def test_names_in_native_order_and_western_given_family() -> None:
    assert name_lines(HARD["chinese_vip"]) == ("欧阳建国", "OUYANG Jianguo")
    assert name_lines(HARD["korean"]) == ("김민준", "KIM Min-jun")
    assert name_lines(HARD["serbian_latin"]) == ("Đorđe PETROVIĆ", "")
    assert name_lines(HARD["serbian_cyrillic"]) == ("Ђорђе Петровић", "Đorđe PETROVIĆ")
    assert name_lines(HARD["serbian_latin"], "FAMILY_given") == ("PETROVIĆ Đorđe", "")
    assert name_lines(HARD["turkish"]) == ("İrem ŞAHİN", "")
    assert name_lines(HARD["vietnamese"]) == ("NGUYỄN Thị Ánh Tuyết", "")
    assert name_lines(HARD["vietnamese_vn"]) == ("NGUYỄN Thị Minh Khai", "")
    assert name_lines(HARD["hungarian"]) == ("NAGY István", "")
    assert name_lines(HARD["hungarian"], "FAMILY, given") == ("NAGY István", "")
    assert name_lines(HARD["spanish"]) == ("José Luis RODRÍGUEZ ZAPATERO", "")
    assert name_lines(HARD["full_width"]) == ("John SMITH", "")
    assert name_lines(HARD["ext_b"]) == ("𠮷野𪚥子", "YOSHINO Teteko")
    assert name_lines(HARD["thai"]) == ("สมชาย ใจดี", "Somchai JAIDEE")
    mononym: BadgeData = badge(name_native="Budi", family_name="", given_name="Budi",
                               name_latin="Budi", name_order="western")
    assert name_lines(mononym) == ("Budi", "")


def test_extension_b_characters_break_like_other_han() -> None:
    from checkin_app.badges.layout import segments

    assert segments("𠮷野𪚥子") == ["𠮷", "野", "𪚥", "子"]
