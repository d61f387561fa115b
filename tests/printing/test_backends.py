"""Backends for real: a folder, the CUPS spooler with the cups-pdf printer, and the job runner."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import load_templates
from checkin_app.domain.clock import FixedClock
from checkin_app.printing.backends import (
    FolderBackend,
    PrintError,
    PrintRequest,
    SpoolerBackend,
    backend_for,
    spooler_printers,
)
from checkin_app.printing.runner import JobRunner
from checkin_app.services.badges import DONE, FAILED, BadgeService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.badges.conftest import HARD
from tests.factories import make_event

CUPS_PDF_QUEUE = "PDF"


def _request(stem: str = "CQ24-AB23CD-s1", title: str = "Badge CQ24-AB23CD") -> PrintRequest:
    t = load_templates().templates["delegate"]
    return PrintRequest(render_badge(HARD["korean"], t), title, (t.width, t.height), stem)


def test_folder_backend_writes_whole_files(tmp_path: Path) -> None:
    b = backend_for(f"folder:{tmp_path / 'out'}")
    assert isinstance(b, FolderBackend)
    first = Path(b.print_pdf(_request()))
    second = Path(b.print_pdf(_request()))
    assert first != second and first.read_bytes().startswith(b"%PDF")
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".pdf", ".pdf"]


def test_folder_backend_reports_an_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PrintError, match="Cannot write to the folder"):
        FolderBackend(blocker / "sub").print_pdf(_request())


def test_unknown_printer_kind_is_a_bilingual_error() -> None:
    with pytest.raises(PrintError, match=r"未知的打印机类型.*\nUnknown kind of printer"):
        backend_for("fax:123")


def test_spooler_command_asks_for_actual_size_on_badge_paper(tmp_path: Path) -> None:
    cmd = SpoolerBackend("Labels", lp="/usr/bin/lp").command(tmp_path / "b.pdf", _request())
    assert cmd[:3] == ["/usr/bin/lp", "-d", "Labels"]
    assert "media=Custom.105x148mm" in cmd and "print-scaling=none" in cmd


def test_spooler_reports_a_missing_queue() -> None:
    if shutil.which("lp") is None:
        pytest.skip("CUPS client not installed (.ci/run installs it)")
    with pytest.raises(PrintError, match="refused the job"):
        SpoolerBackend("No-Such-Queue-" + uuid.uuid4().hex[:6]).print_pdf(_request())


def _cups_pdf_out_dir() -> Path:
    """Where cups-pdf writes a job submitted by this user (Out in /etc/cups/cups-pdf.conf)."""
    out = "/var/spool/cups-pdf/${USER}"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        for line in conf.read_text(errors="replace").splitlines():
            mo = re.match(r"\s*Out\s+(\S+)", line)
            if mo:
                out = mo.group(1)
    user = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


def test_printing_through_the_real_cups_spooler_produces_the_pdf() -> None:
    if CUPS_PDF_QUEUE not in spooler_printers():
        if os.environ.get("CI"):
            pytest.fail("the cups-pdf queue PDF is missing: .ci/run should have created it")
        pytest.skip("no cups-pdf queue named PDF on this machine")
    token = "badge-" + uuid.uuid4().hex[:10]
    note = SpoolerBackend(CUPS_PDF_QUEUE).print_pdf(_request(stem=token, title=token))
    assert note.startswith(f"{CUPS_PDF_QUEUE}-")
    out_dir = _cups_pdf_out_dir()
    deadline = time.monotonic() + 60
    found: list[Path] = []
    while time.monotonic() < deadline and not found:
        found = [p for p in out_dir.glob("*.pdf") if token in p.name and p.stat().st_size > 0]
        time.sleep(0.3)
    assert found, f"cups-pdf wrote nothing for {token} into {out_dir}"
    # cups-pdf may still be writing: wait until the file stops growing.
    last = -1
    while time.monotonic() < deadline and found[0].stat().st_size != last:
        last = found[0].stat().st_size
        time.sleep(0.5)
    info = subprocess.run(["pdfinfo", str(found[0])], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info), info
    # Actual size: the badge's own 105 × 148 mm page, not scaled to A4 or Letter.
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size is not None
    assert abs(float(size.group(1)) - 297.6) < 2 and abs(float(size.group(2)) - 419.5) < 2
    found[0].unlink()


def test_job_runner_prints_and_logs(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    codes = make_event(db)
    with db.read() as s:
        did = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == codes.vip))
    assert did is not None
    service = BadgeService(db, clock)
    runner = JobRunner(service)
    job = service.enqueue(did, printer=f"folder:{tmp_path}", desk="D1", operator="auto")
    assert job is not None
    seen: list[bytes] = []
    outcome = runner.run(job.uuid, on_rendered=lambda _j, _d, pdf: seen.append(pdf))
    assert outcome is not None and outcome.job.state == DONE and outcome.job.template == "vip"
    assert Path(outcome.note).read_bytes() == seen[0]
    bad = service.enqueue(did, printer="lp:No-Such-Queue", desk="D1", operator="m", reason="manual")
    assert bad is not None
    if shutil.which("lp") is None:
        pytest.skip("CUPS client not installed")
    outcome = runner.run(bad.uuid)
    assert outcome is not None and outcome.job.state == FAILED
    assert "\n" in outcome.job.error  # bilingual
