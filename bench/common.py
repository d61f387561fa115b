"""Shared helpers for benchmarks: a cached 100k demo database, percentiles, result files."""

from __future__ import annotations

import json
import platform
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
CACHE = BENCH_DIR / ".cache"
RESULTS = BENCH_DIR / "results"


def demo_database(size: int, seed: int = 2024) -> Path:
    """Path of a cached demo database with `size` delegates, built on first use."""
    from checkin_app.demo.build import build_demo
    from checkin_app.storage.db import Database

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / (f"demo-{size}.sqlite3" if seed == 2024 else f"demo-{size}-{seed}.sqlite3")
    if not path.exists():
        tmp = path.with_suffix(".building")
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        t0 = time.perf_counter()
        db = Database(tmp)
        build_demo(db, size=size, seed=seed)
        checkpoint(db.engine)
        db.close()
        tmp.replace(path)
        print(f"built demo database ({size} delegates) in {time.perf_counter() - t0:.1f} s")
    return path


def checkpoint(engine: Any) -> None:
    """Fold the WAL into the main file so the database can be copied as one file."""
    raw = engine.raw_connection()
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def copy_db(src: Path, dst: Path) -> Path:
    """A fresh working copy, so repeated runs start from the same state."""
    for p in (dst, Path(f"{dst}-wal"), Path(f"{dst}-shm")):
        p.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean of a list of milliseconds."""
    xs = sorted(samples_ms)

    def pct(p: float) -> float:
        if not xs:
            return float("nan")
        k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
        return xs[k]

    return {
        "n": len(xs),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": xs[-1] if xs else float("nan"),
        "mean": statistics.fmean(xs) if xs else float("nan"),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write results JSON with the machine description."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **data,
    }
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def row(label: str, st: dict[str, float]) -> str:
    """One line of a result table."""
    return (f"{label:<34} n={st['n']:<6} p50={st['p50']:7.2f} ms  p95={st['p95']:7.2f} ms  "
            f"p99={st['p99']:7.2f} ms  max={st['max']:7.2f} ms")
