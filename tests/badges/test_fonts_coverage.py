"""A font's coverage comes from its character map (HarfBuzz) and is exactly what ReportLab maps
once it reads the font; asking which characters the fonts have registers none of them."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from checkin_app.badges import fonts as F
from checkin_app.paths import fonts_dir

_FACES = sorted({s.name: s for s in F.FACES.values()}.values(), key=lambda s: s.name)


@pytest.mark.parametrize("spec", _FACES, ids=[s.name for s in _FACES])
def test_coverage_is_what_reportlab_maps(spec: F.FaceSpec) -> None:
    kwargs = {"subfontIndex": spec.subfont} if spec.file.endswith(".ttc") else {}
    # A private name: the process-wide registration of the badge fonts is left as it is.
    parsed = TTFont(f"coverage-check-{spec.name}", str(fonts_dir() / spec.file), **kwargs)
    mapped = {c for c in parsed.face.charToGlyph if not 0xE000 <= c <= 0xF8FF and c != 0xFFFF}
    assert F.FontSet(fonts_dir(), register=False).coverage(spec.name) == mapped


def test_coverage_questions_register_no_font() -> None:
    fs = F.FontSet(fonts_dir(), register=False)
    assert fs.uncovered("张伟 Đorđe Petrović ស្រី 𠮷 \U000F0000") == {"\U000F0000"}
    assert fs.family_for("ស", F.preferred_family("ស")) == F.KHMER
    assert fs.loaded() == []
    runs = fs.runs("ស្រី", F.REGULAR)  # drawing registers the face it draws with
    assert [r.font for r in runs] == [fs.face(F.KHMER, F.REGULAR)]
    assert fs.loaded() == [fs.face(F.KHMER, F.REGULAR)]
    assert fs.extent([]) == (fs.ascent[fs.face(F.LATIN, F.REGULAR)],
                             fs.descent[fs.face(F.LATIN, F.REGULAR)])
