"""A badge batch killed mid-way leaves no process and, after the next run, no part file; live writers kept."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from checkin_app import partfiles
from checkin_app.printing.backends import (
    FolderBackend,
    PrintError,
    PrintRequest,
    SpoolerBackend,
    spool_folder,
)
from tests.process_tree import descendants, running, wait_for

CLI = [sys.executable, "-m", "checkin_app"]
SIZE = 3000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "desk.sqlite3"
    subprocess.run([*CLI, "demo", "--db", str(path), "--size", str(SIZE)], capture_output=True,
                   timeout=300, check=True)
    return path


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(partfiles.SUFFIX))


def test_a_killed_batch_leaves_no_process_and_the_next_run_no_part(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "badges" / "all.pdf"
    proc = subprocess.Popen([*CLI, "badges", "--db", str(demo), "--all", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen: set[int] = set()
    try:
        # Mid-way by its progress line (ReportLab writes the PDF out at the end: the part file
        # is there from the start, empty until then).
        for line in proc.stderr:
            seen.update(descendants(proc.pid))
            if re.search(r"badges\s+(30|40|50)%", line):
                break
        else:
            raise AssertionError("the batch ended before it could be killed")
        assert proc.poll() is None
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    (part,) = _parts(out.parent)
    # Its name cannot be taken for the output: hidden, and not ending in .pdf.
    assert part.name.startswith(".all.pdf.") and not out.exists()
    assert wait_for(lambda: not any(running(p) for p in seen), timeout=5), \
        [p for p in seen if running(p)]

    # The next batch into the folder (another selection, another file) removes the leftover.
    vip = out.with_name("vip.pdf")
    done = subprocess.run([*CLI, "badges", "--db", str(demo), "--category", "VIP", "-o", str(vip)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert vip.read_bytes().startswith(b"%PDF") and not out.exists()
    assert _parts(out.parent) == []


_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from checkin_app.partfiles import PartFile
    part = PartFile(Path(sys.argv[1]))
    part.file.write(b"half a badge")
    part.file.flush()
    print(part.path, flush=True)
    time.sleep(120)
""")


def _holder(target: Path) -> tuple[subprocess.Popen[str], Path]:
    """A live writer in another process, halfway through `target`; and its part file."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(target)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    with proc.stdout:
        return proc, Path(proc.stdout.readline().strip())


def test_a_part_being_written_is_kept_and_a_dead_writers_part_removed(tmp_path: Path) -> None:
    proc, part = _holder(tmp_path / "out.pdf")
    try:
        assert part.exists()
        assert partfiles.remove_stale(tmp_path) == []  # its writer lives: not touched
        assert part.exists()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert partfiles.remove_stale(tmp_path) == [part]
    assert not part.exists()


def test_only_our_part_names_are_removed(tmp_path: Path) -> None:
    ours_old = tmp_path / "out.pdf.part"  # earlier versions' batch part
    tmp_old = tmp_path / "tmpab12cd_e.part"  # earlier versions' printer part
    foreign = tmp_path / "video.mkv.part"  # a browser's download, say
    keep = tmp_path / "out.pdf"
    for p in (ours_old, tmp_old, foreign, keep):
        p.write_bytes(b"x")
    removed = partfiles.remove_stale(tmp_path, legacy_targets=("out.pdf",))
    assert sorted(removed) == sorted([ours_old, tmp_old])
    assert foreign.exists() and keep.exists()


def test_a_cancelled_or_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    with partfiles.PartFile(target) as part:
        part.file.write(b"abandoned")
    with pytest.raises(RuntimeError), partfiles.PartFile(target) as part:
        part.file.write(b"failing")
        raise RuntimeError("renderer failed")
    assert list(tmp_path.iterdir()) == []
    with partfiles.PartFile(target) as part:
        part.file.write(b"%PDF whole")
        part.commit()
    assert target.read_bytes() == b"%PDF whole" and list(tmp_path.iterdir()) == [target]


def test_the_folder_printer_sweeps_a_killed_desks_part_at_its_first_print(tmp_path: Path) -> None:
    proc, part = _holder(tmp_path / "20241123-093000-badge.pdf")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert part.exists()
    backend = FolderBackend(tmp_path)
    written = Path(backend.print_pdf(PrintRequest(pdf=b"%PDF-1.4 badge", title="t",
                                                  page_mm=(90.0, 54.0), file_stem="ZHANG Wei")))
    assert written.read_bytes() == b"%PDF-1.4 badge"
    assert list(tmp_path.iterdir()) == [written]


def test_the_spooler_leaves_no_badge_in_the_temp_folder_and_sweeps_a_killed_desks(
        tmp_path: Path) -> None:
    if shutil.which("lp") is None:
        pytest.skip("CUPS client not installed (.ci/run installs it)")
    folder = spool_folder()
    assert folder is not None and not folder.stat().st_mode & 0o077
    proc, part = _holder(folder / "ZHANG_Wei.pdf")  # a desk killed while handing a badge to lp
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert part.exists()
    # Any print (here one the spooler refuses) first removes it, and leaves nothing of its own.
    with pytest.raises(PrintError, match="refused the job"):
        SpoolerBackend("No-Such-Queue-" + uuid.uuid4().hex[:6]).print_pdf(
            PrintRequest(pdf=b"%PDF-1.4 badge", title="t", page_mm=(90.0, 54.0), file_stem="LI Na"))
    assert _parts(folder) == []
