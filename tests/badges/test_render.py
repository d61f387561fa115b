"""Rendering: one badge per page or n-up A4 sheets with cut marks, streamed batches, cancellation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkin_app.badges.batch import with_templates, write_batch_file
from checkin_app.badges.render import render_badge, sheet_grid
from checkin_app.badges.templates import SHEETS, load_templates
from checkin_app.storage.db import Database
from tests.badges.conftest import HARD, badge

ROOT = Path(__file__).resolve().parents[2]


def _pdfinfo(path: Path) -> dict[str, str]:
    exe = shutil.which("pdfinfo")
    assert exe
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_one_badge_is_a_page_of_the_template_size(tmp_path: Path) -> None:
    t = load_templates().templates["delegate"]
    pdf = render_badge(HARD["arabic"], t)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "b.pdf").write_bytes(pdf)
    info = _pdfinfo(tmp_path / "b.pdf")
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("297.638 x 419.528")  # 105 × 148 mm
    # Rendering is deterministic: the same badge gives the same bytes.
    assert render_badge(HARD["arabic"], t) == pdf


def test_text_is_searchable_in_the_pdf(tmp_path: Path) -> None:
    t = load_templates().templates["guest"]
    (tmp_path / "b.pdf").write_bytes(render_badge(HARD["serbian_cyrillic"], t))
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Ђорђе Петровић" in text and "Đorđe PETROVIĆ" in text


@pytest.mark.parametrize(("sheet", "template", "rotated"), [
    ("a4-4up", "delegate", False), ("a4-8up", "delegate-a7", True),
    ("a4-10up", "label-54x90", True), ("a4-10up", "card-cr80", False)])
def test_sheets_fit_on_a4(sheet: str, template: str, rotated: bool) -> None:
    g = sheet_grid(SHEETS[sheet], load_templates().templates[template])
    assert g.rotate is rotated
    assert len(g.cells) == SHEETS[sheet].per_page
    for x, y in g.cells:
        assert x >= -0.01 and y >= -0.01
        assert x + g.cell_w <= g.paper[0] + 0.01 and y + g.cell_h <= g.paper[1] + 0.01


def test_batch_streams_badges_onto_sheets(tmp_path: Path) -> None:
    ts = load_templates()
    items = [badge(registration_code=f"CQ24-T{i:05d}", code=f"CQ24-T{i:05d}") for i in range(9)]
    out = tmp_path / "batch.pdf"
    seen: list[int] = []
    n = write_batch_file(with_templates(items, ts), out, sheet=SHEETS["a4-4up"],
                         progress=seen.append)
    assert n == 9 and seen[-1] == 9
    info = _pdfinfo(out)
    assert info["Pages"] == "3" and info["Page size"].startswith("595.276 x 841.89")


def test_cancelled_batch_leaves_no_file(tmp_path: Path) -> None:
    ts = load_templates()
    items = [badge() for _ in range(50)]
    out = tmp_path / "batch.pdf"
    done: list[int] = []
    n = write_batch_file(with_templates(items, ts), out, sheet=None, progress=done.append,
                         cancelled=lambda: len(done) >= 5)
    assert n == 0 and not out.exists() and not list(tmp_path.iterdir())


def test_cli_batch_by_category_and_activity(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "vip.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "checkin_app", "badges", "--db", str(demo_db.path),
         "--category", "VIP", "--category", "GUEST", "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Wrote" in proc.stdout and out.exists()
    assert "100%" in proc.stderr  # the progress bar
    proc = subprocess.run(
        [sys.executable, "-m", "checkin_app", "badges", "--db", str(demo_db.path),
         "--activity", "NOPE", "-o", str(tmp_path / "x.pdf")],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "No activity with code NOPE" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "checkin_app", "badges", "--db", str(demo_db.path),
         "-o", str(tmp_path / "x.pdf")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "--all" in proc.stderr
