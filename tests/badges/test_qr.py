"""The QR on a printed badge decodes back to the exact code (rasterised at 200 dpi, read by zxing-cpp)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode.util import lost_point

from checkin_app.badges import qr
from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import load_templates
from tests.badges.conftest import TOKEN, badge


def _decode_pdf(pdf: bytes, tmp_path: Path, dpi: int = 200) -> list[str]:
    src = tmp_path / "badge.pdf"
    src.write_bytes(pdf)
    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) is needed; .ci/run installs it"
    subprocess.run([exe, "-r", str(dpi), "-png", "-singlefile", str(src), str(tmp_path / "page")],
                   check=True, timeout=60)
    with Image.open(tmp_path / "page.png") as img:
        return [r.text for r in zxingcpp.read_barcodes(img)]


@pytest.mark.parametrize("template", ["delegate", "vip", "label-54x90", "card-cr80", "delegate-a7"])
@pytest.mark.parametrize("code", ["CQ24-AB23CD", TOKEN])
def test_round_trip_through_the_printed_page(tmp_path: Path, template: str, code: str) -> None:
    t = load_templates().templates[template]
    pdf = render_badge(badge(code=code, category_code="VIP"), t)
    assert _decode_pdf(pdf, tmp_path) == [code]


def test_a_125_character_token_is_alphanumeric_and_keeps_its_quiet_zone() -> None:
    assert len(TOKEN) == 125
    m = qr.qr_matrix(TOKEN, 31.0, 0.5)
    # Alphanumeric mode: a 125-character token fits version 9 even at level H.
    assert m.version <= 9
    assert m.module_mm(31.0) >= 0.5
    q = qrcode.QRCode()
    q.add_data(TOKEN, optimize=0)
    assert q.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM


def test_error_correction_follows_the_printed_size() -> None:
    big, _ = qr.choose_level(TOKEN, 40.0, 0.5)
    small, _ = qr.choose_level(TOKEN, 22.0, 0.5)
    order = "LMQH"
    assert order.index(big) > order.index(small)
    assert qr.choose_level("CQ24-AB23CD", 25.0, 0.5)[0] == "H"


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-", min_size=1, max_size=140))
def test_fast_mask_choice_matches_the_standard_penalty(data: str) -> None:
    level, version = qr.choose_level(data, 31.0, 0.5)
    rows = qr._best_masked(data, version, level)
    q = qrcode.QRCode(version=version, error_correction=qr._LEVELS[level], border=0)
    q.add_data(data, optimize=0)
    scores = []
    for mask in range(8):
        q.makeImpl(False, mask)
        scores.append(lost_point(q.modules))
        if [format(qr._row_int(r), f"0{q.modules_count}b") for r in q.modules] == rows:
            chosen = mask
    assert scores[chosen] == min(scores)
