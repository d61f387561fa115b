"""A walk-in's badge carries a small 现场登记 WALK-IN mark; a registered delegate's does not."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from unittest.mock import MagicMock

import pytest

from checkin_app.badges.render import BadgeRenderer, render_badge
from checkin_app.badges.templates import RectElement, TemplateError, load_template, load_templates
from checkin_app.domain.badge_data import fields, is_walk_in
from checkin_app.domain.tokens import walk_in_id
from tests.badges.conftest import badge

MARK = "现场登记 WALK-IN"
WALK_IN = badge(delegate_id=walk_in_id(3, 12), registration_code="W0003-00012", badge_serial=2)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_walk_ins_are_known_by_their_id() -> None:
    assert is_walk_in(WALK_IN) and fields(WALK_IN)["walk_in"] == MARK
    plain = badge()
    assert not is_walk_in(plain)
    assert fields(plain)["walk_in"] == fields(plain)["walk_in_zh"] == ""


@pytest.mark.parametrize("name", sorted(load_templates().templates))
def test_every_template_marks_walk_ins_only_and_the_mark_has_room(name: str) -> None:
    t = load_templates().templates[name]
    renderer = BadgeRenderer()
    lay = renderer.layout(WALK_IN, t)
    [mark] = [p for p in lay.texts if p.text == MARK]
    # Whole, on the badge, at a size that can be read, and clear of every other text.
    assert mark.fitted.size >= 3.2 and len(mark.fitted.lines) == 1
    assert mark.x >= 0 and mark.x + mark.w <= t.width * 72 / 25.4 + 0.1
    for other in lay.texts:
        if other is not mark:
            assert not _overlap((mark.x, mark.y, mark.w, mark.h),
                                (other.x, other.y, other.w, other.h)), (name, other.text)
    assert MARK not in [p.text for p in renderer.layout(badge(), t).texts]
    # Its frame is drawn for the walk-in only ("when": "walk_in").
    framed = [el for el in t.elements if isinstance(el, RectElement) and el.when == "walk_in"]
    assert len(framed) == 1
    for data, frames in ((WALK_IN, 1), (badge(), 0)):
        canvas = MagicMock()
        renderer.draw(canvas, data, t)
        assert canvas.roundRect.call_count == frames


def test_the_mark_is_printed_text_in_the_pdf(tmp_path: Path) -> None:
    t = load_templates().templates["delegate"]
    for data, expected in ((WALK_IN, True), (badge(), False)):
        pdf = tmp_path / "b.pdf"
        pdf.write_bytes(render_badge(data, t))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert ("WALK-IN" in text) is expected and ("现场登记" in text) is expected


def test_a_frame_drawn_when_an_unknown_field_is_reported(tmp_path: Path) -> None:
    doc = {"name": "x", "page": {"preset": "A7"},
           "elements": [{"type": "rect", "x": 1, "y": 1, "w": 5, "h": 5, "stroke": "#000000",
                         "when": "walkin"}]}
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(TemplateError, match=r"elements\[0\]\.when"):
        load_template(path)
