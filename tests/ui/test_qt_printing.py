"""The Qt printer backend prints at actual size (tested by printing into a PDF file)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import load_templates
from checkin_app.printing.backends import PrintRequest, backend_for
from checkin_app.ui import qt_printing
from tests.badges.conftest import HARD, TOKEN


def test_qt_backend_prints_the_badge_at_its_own_size(qapp: object, tmp_path: Path) -> None:
    t = load_templates().templates["label-100x50"]
    data = HARD["arabic"]
    from dataclasses import replace

    pdf = render_badge(replace(data, code=TOKEN), t)
    out = tmp_path / "printed.pdf"
    backend = qt_printing.QtPrinterBackend("", output_file=str(out))
    note = backend.print_pdf(PrintRequest(pdf, "Badge test", (t.width, t.height)))
    assert note == str(out) and out.exists()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size is not None
    # 100 × 50 mm landscape = 283.5 × 141.7 pt: no scaling, no paper change.
    assert abs(float(size.group(1)) - 283.5) < 1.5 and abs(float(size.group(2)) - 141.7) < 1.5
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(out), str(tmp_path / "p")],
                   check=True)
    with Image.open(tmp_path / "p.png") as img:
        assert [r.text for r in zxingcpp.read_barcodes(img)] == [TOKEN]


def test_rasterise_and_registration(qapp: object) -> None:
    t = load_templates().templates["delegate"]
    img = qt_printing.rasterise(render_badge(HARD["korean"], t), 96)
    assert (img.width(), img.height()) == (397, 559)  # 105 × 148 mm at 96 dpi
    qt_printing.register()
    assert isinstance(backend_for("qt:Some printer"), qt_printing.QtPrinterBackend)
