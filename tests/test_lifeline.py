"""Worker processes end with their parent, SIGKILL included: the search-key pool and a real XLSX import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.process_tree import cmdline, descendants, running, wait_for

CLI = [sys.executable, "-m", "checkin_app"]

# A parent that starts two spawned pool workers (as an import's key building does), says so and waits.
_POOL = textwrap.dedent("""
    import multiprocessing, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from checkin_app.lifeline import die_with_parent
    from checkin_app.services.search import KeyBuilder, key_params
    if sys.argv[1] == "keybuilder":
        builder = KeyBuilder(workers=2)
        list(builder.map([[], []]))
    else:  # the same pool without die_with_parent: what a killed import used to leave
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        list(pool.map(key_params, [[], []]))
    print("ready", flush=True)
    time.sleep(120)
""")


def _killed_parent_leaves(kind: str) -> tuple[list[int], list[int]]:
    """(workers seen, workers still running 5 s after their parent was SIGKILLed)."""
    proc = subprocess.Popen([sys.executable, "-c", _POOL, kind], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        with proc.stdout:
            assert proc.stdout.readline().strip() == "ready"
        workers = [p for p in descendants(proc.pid) if "spawn_main" in cmdline(p)]
        assert len(workers) >= 2, [cmdline(p) for p in descendants(proc.pid)]
        everything = descendants(proc.pid)  # the resource tracker too
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    wait_for(lambda: not any(running(p) for p in everything), timeout=5)
    return workers, [p for p in everything if running(p)]


def test_key_builder_workers_end_with_their_killed_parent() -> None:
    _, left = _killed_parent_leaves("keybuilder")
    assert left == []


def test_without_the_lifeline_the_workers_stay() -> None:
    # The check above can fail: the same pool without die_with_parent outlives its parent.
    workers, left = _killed_parent_leaves("plain")
    try:
        assert set(workers) <= set(left)
    finally:
        for pid in left:  # ours to end
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registration export over the size an import reads in a separate process (1 MiB)."""
    from openpyxl import Workbook

    from checkin_app.services.importing import STREAM_XLSX_BYTES

    path = tmp_path_factory.mktemp("xlsx") / "registrations.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报名信息")
    ws.append(["报名编号", "姓名", "英文姓名", "单位", "国家/地区", "嘉宾类别", "邮箱"])
    for i in range(40_000):
        ws.append([f"B{i:07d}", "王" + "伟芳娜敏静丽强磊"[i % 8] + "军洋勇艳"[i % 4], f"WANG Wei {i}",
                   "重庆大学" if i % 2 else "University of Cambridge", "中国", "参会者",
                   f"user{i}@example.cn"])
    wb.save(path)
    assert path.stat().st_size >= STREAM_XLSX_BYTES
    return path


def test_a_killed_import_leaves_no_reader_or_worker(big_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    subprocess.run([*CLI, "demo", "--db", str(db), "--size", "1"], capture_output=True,
                   timeout=300, check=True)
    proc = subprocess.Popen([*CLI, "import", str(big_xlsx), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    try:
        def reading() -> bool:
            seen.update(descendants(proc.pid))
            return any("spawn_main" in cmdline(p) for p in seen if running(p))

        assert wait_for(reading, timeout=60), "the import never started its reader"
        assert proc.poll() is None, "the import ended before it could be killed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert wait_for(lambda: not any(running(p) for p in seen), timeout=5), \
        [cmdline(p) for p in seen if running(p)]
