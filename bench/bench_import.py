"""Registration import at 100,000 rows (XLSX and CSV) with a value mapping: validate + apply time and
peak memory vs the floor.

Each measurement runs in its own subprocess, so its peak RSS (ru_maxrss) is its own. The floor is
the fastest well-kept reader of the format doing the least the import must do with the same file:
python-calamine (Rust) reading the sheet, or the csv module, plus one executemany INSERT of the same
rows into the delegates table. Targets (issue 13): XLSX ≤ 8 s, CSV ≤ 4 s at 100,000 rows, timed
until the import has committed its people (checked, written, admissible by code, found by their
names as written); the name index a big import builds right after (pinyin, initials, typos) is
timed on its own line, and the sum ("searchable") beside it. Give --sizes 20000,100000 to show
memory is bounded.

Run: .venv/bin/python -m bench.bench_import [--sizes 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import CACHE, checkpoint, copy_db, write_results

HEADER = ["报名编号", "姓名", "英文姓名", "单位", "职务", "国家/地区", "嘉宾类别", "参加活动", "手机", "邮箱", "备注"]  # noqa: E501
_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"  # noqa: E501
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏晓东海燕林斌宇浩凯"
_ORGS = ["重庆大学", "西南大学", "重庆邮电大学", "重庆长安汽车股份有限公司", "中国科学院重庆绿色智能技术研究院",  # noqa: E501
         "University of Cambridge", "Technische Universität München", "National University of Singapore"]
_COUNTRIES = ["中国", "CN", "China", "新加坡", "Germany", "GB", "美国", "Serbia", "俄罗斯", "JP"]
_CATEGORIES = ["参会者", "ATTENDEE", "海外及高层次人才", "TALENT", "企业代表", "Enterprise representative",
               "媒体",
               "A.普通参会人员", "Delegate"]
# The organiser's value mapping the benchmark imports with (exports' own words for categories).
VALUE_MAP = {"category": {"普通参会人员": "ATTENDEE", "Delegate": "ATTENDEE"},
             "country": {"Serbia": "RS"}}
TARGETS = {"xlsx": 8.0, "csv": 4.0}
_ACTIVITIES = ["开幕式", "SUMMIT", "人才助力西部大开发高峰论坛", "NEV", "新一代电子信息制造业合作交流会", "RELEASE"]  # noqa: E501


def _rows(n: int, seed: int = 6) -> list[list[object]]:
    rng = random.Random(seed)
    out: list[list[object]] = []
    for i in range(n):
        name = rng.choice(_FAMILY) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        acts = "、".join(rng.sample(_ACTIVITIES, rng.randint(0, 3)))
        out.append([f"B{i:07d}", name, "", rng.choice(_ORGS), "研究员", rng.choice(_COUNTRIES),
                    rng.choice(_CATEGORIES), acts, 13000000000 + rng.randrange(10**9),
                    f"user{i}@example.cn", ""])
    return out


def make_files(n: int) -> tuple[Path, Path]:
    """The benchmark XLSX and CSV with n rows (cached under bench/.cache)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = CACHE / f"import-{n}.xlsx", CACHE / f"import-{n}.csv"
    if xlsx.exists() and csv_path.exists():
        return xlsx, csv_path
    from openpyxl import Workbook

    rows = _rows(n)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报名信息")
    ws.append(["2024 大会报名人员名单"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(xlsx)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return xlsx, csv_path


def event_db() -> Path:
    """A cached database holding the demo event (categories, activities) and one delegate."""
    from checkin_app.demo.build import build_demo
    from checkin_app.storage.db import Database

    path = CACHE / "import-event.sqlite3"
    if not path.exists():
        db = Database(path)
        build_demo(db, size=1)
        checkpoint(db.engine)
        db.close()
    return path


# -- children (one measurement per process) -----------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_hwm_mb() -> float:
    """This process's own peak resident set (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return _peak_mb()


def write_big_csv(path: Path, megabytes: int, seed: int = 15) -> int:
    """A registration CSV of about `megabytes` MB, every row with a bad e-mail address (one
    warning each); written row by row. Returns the number of data rows."""
    rng = random.Random(seed)
    limit = megabytes * 1_000_000
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        while f.tell() < limit:
            batch = []
            for _ in range(5000):
                name = rng.choice(_FAMILY) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
                acts = "、".join(rng.sample(_ACTIVITIES, rng.randint(0, 3)))
                batch.append([f"B{n:08d}", name, "", rng.choice(_ORGS), "研究员", rng.choice(_COUNTRIES),
                              rng.choice(_CATEGORIES), acts, 13000000000 + rng.randrange(10**9),
                              f"user{n}@@example.cn", ""])
                n += 1
            w.writerows(batch)
    return n


def child_big(mode: str, file: Path, db_path: Path) -> dict[str, Any]:
    """One dry run or apply of the big CSV, the full report streamed to a file beside it."""
    import inspect

    from checkin_app.services.importing import ImportOptions, ImportService
    from checkin_app.storage.db import Database

    db = Database(db_path)
    svc = ImportService(db)
    run = svc.apply if mode == "apply" else svc.dry_run
    report = file.with_suffix(f".{mode}.report.csv")
    streams = "report_file" in inspect.signature(run).parameters
    base = vm_hwm_mb()
    c0 = _cpu_s()
    t0 = time.perf_counter()
    kwargs: dict[str, Any] = {"report_file": report} if streams else {}
    result = run(file, ImportOptions(value_map=VALUE_MAP), **kwargs)
    seconds = time.perf_counter() - t0
    peak = vm_hwm_mb()
    if not streams:  # the code before streaming: the CLI wrote the report from the result
        from checkin_app.importers.report import write_report

        write_report(report, result.problems)
    with report.open("rb") as f:
        report_lines = sum(1 for _ in f) - 1
    report.unlink()
    db.close()
    return {"mode": mode, "seconds": round(seconds, 1), "cpu_s": round(_cpu_s() - c0, 1),
            "peak_rss_mb": round(peak, 1), "rss_before_mb": round(base, 1),
            "peak_rss_after_report_mb": round(vm_hwm_mb(), 1),
            "result_lines": len(result.problems), "report_file_lines": report_lines,
            "counts": result.counts.as_dict()}


def run_big(megabytes: int) -> dict[str, Any]:
    """Dry run and apply of a generated CSV of `megabytes` MB, each in its own process."""
    import tempfile

    out: dict[str, Any] = {"megabytes": megabytes}
    with tempfile.TemporaryDirectory(prefix="bench-import-big-") as tmp:
        file = Path(tmp) / "big.csv"
        out["rows"] = write_big_csv(file, megabytes)
        out["file_mb"] = round(file.stat().st_size / 1e6, 1)
        for mode in ("dry", "apply"):
            work = copy_db(event_db(), Path(tmp) / f"work-{mode}.sqlite3")
            done = subprocess.run([sys.executable, "-m", "bench.bench_import", "--child", f"big-{mode}",
                                   str(file), str(work)], check=True, capture_output=True, text=True)
            out[mode] = json.loads(done.stdout.strip().splitlines()[-1])
            r = out[mode]
            print(f"{megabytes} MB CSV ({out['rows']:,} rows) {mode}: {r['seconds']} s wall, "
                  f"{r['cpu_s']} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB; report in memory "
                  f"{r['result_lines']:,} lines, file {r['report_file_lines']:,} lines; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return out


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the XLSX reader process and
    the search-key workers): on a shared machine, steadier than the wall clock."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def child_import(file: Path, db_path: Path) -> dict[str, Any]:
    from checkin_app.services.importing import ImportOptions, ImportService
    from checkin_app.services.search import build_pending
    from checkin_app.storage.db import Database

    db = Database(db_path)
    svc = ImportService(db)
    options = ImportOptions(value_map=VALUE_MAP)
    base_mb = _peak_mb()
    c0 = _cpu_s()
    t0 = time.perf_counter()
    result = svc.apply(file, options)
    apply_s = time.perf_counter() - t0
    apply_cpu_s = _cpu_s() - c0
    # The people are committed (a code scan admits them; search finds them by their names as
    # written); the name index (pinyin, initials, typos) is built next, as the CLI and the desk do.
    c1 = _cpu_s()
    t1 = time.perf_counter()
    keys = build_pending(db)
    index_s = time.perf_counter() - t1
    index_cpu_s = _cpu_s() - c1
    t0 = time.perf_counter()
    again = svc.dry_run(file, options)
    recheck_s = time.perf_counter() - t0
    db.close()
    return {"apply_s": apply_s, "apply_cpu_s": apply_cpu_s, "index_pending": result.index_pending,
            "name_index_s": index_s, "name_index_cpu_s": index_cpu_s, "name_index_keys": keys,
            "searchable_s": apply_s + index_s, "report_lines": len(result.problems),
            "reimport_dry_run_s": recheck_s, "counts": result.counts.as_dict(),
            "reimport_counts": again.counts.as_dict(), "peak_rss_mb": _peak_mb(),
            "rss_after_imports_mb": base_mb}


def child_floor(file: Path, db_path: Path) -> dict[str, Any]:
    c0 = _cpu_s()
    t0 = time.perf_counter()
    rows: list[list[Any]]
    if file.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(file))
        rows = wb.get_sheet_by_index(0).to_python()[2:]
        wb.close()
    else:
        with file.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))[1:]
    read_s = time.perf_counter() - t0
    cat = 1
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    params = [(str(uuid.uuid4()), str(r[0]), str(r[1]), str(r[3]), str(r[5])[:2], cat, now) for r in rows]
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    t1 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO delegates (uid, registration_code, name_native, organisation_zh, country, "
        "category_id, updated_at, family_name, given_name, name_latin, name_order, honorific, "
        "organisation_en, position_zh, position_en, status, team, track, attention_note, "
        "badge_serial, badge_outdated, walk_in, registered_by_desk) VALUES (?,?,?,?,?,?,?,'','','',"
        "'eastern','','','','','approved','','','',1,0,0,'')", params)
    con.execute("COMMIT")
    insert_s = time.perf_counter() - t1
    con.close()
    return {"read_s": read_s, "insert_s": insert_s, "total_s": time.perf_counter() - t0,
            "cpu_s": _cpu_s() - c0, "peak_rss_mb": _peak_mb()}


def _spawn(kind: str, file: Path, size: int) -> dict[str, Any]:
    work = copy_db(event_db(), CACHE / f"import-work-{kind}-{file.suffix[1:]}-{size}.sqlite3")
    out = subprocess.run([sys.executable, "-m", "bench.bench_import", "--child", kind, str(file),
                          str(work)], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"))
    ap.add_argument("--big-mb", type=int, default=0, help="also a dry run and an apply of a CSV this big")
    ap.add_argument("--only-big", action="store_true", help="only the --big-mb run")
    args = ap.parse_args()
    if args.child:
        kind, file, db = args.child
        if kind.startswith("big-"):
            print(json.dumps(child_big(kind[4:], Path(file), Path(db))))
            return
        fn = child_import if kind == "import" else child_floor
        print(json.dumps(fn(Path(file), Path(db))))
        return
    if args.only_big:
        out = write_results("import-big", {"big": run_big(args.big_mb or 200),
                                           "load_average_at_start": round(os.getloadavg()[0], 2)})
        print(f"wrote {out}")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {"sizes": sizes, "target_s": TARGETS, "value_map": VALUE_MAP, "runs": {},
                               "load_average_at_start": round(os.getloadavg()[0], 2)}
    for size in sizes:
        xlsx, csv_path = make_files(size)
        for fmt, file in (("xlsx", xlsx), ("csv", csv_path)):
            imp = _spawn("import", file, size)
            floor = _spawn("floor", file, size)
            ratio = imp["apply_s"] / floor["total_s"]
            cpu_ratio = imp["apply_cpu_s"] / max(floor["cpu_s"], 1e-6)
            results["runs"][f"{fmt}-{size}"] = {"import": imp, "floor": floor,
                                                "ratio_to_floor": round(ratio, 2),
                                                "cpu_ratio_to_floor": round(cpu_ratio, 2)}
            print(f"{fmt:<5} {size:>7} rows: validate+apply {imp['apply_s']:6.1f} s "
                  f"(re-import dry run {imp['reimport_dry_run_s']:5.1f} s, peak RSS "
                  f"{imp['peak_rss_mb']:6.0f} MB) | floor {floor['total_s']:5.1f} s (read "
                  f"{floor['read_s']:.1f} s + insert {floor['insert_s']:.1f} s, peak RSS "
                  f"{floor['peak_rss_mb']:5.0f} MB) | ratio {ratio:4.1f}x | target "
                  f"{TARGETS[fmt]:.0f} s {'met' if imp['apply_s'] <= TARGETS[fmt] else 'MISSED'}")
            print(f"      then the name index: +{imp['name_index_s']:.1f} s "
                  f"({imp['name_index_keys']:,} keys, "
                  f"CPU {imp['name_index_cpu_s']:.1f} s with its key processes): searchable by pinyin "
                  f"after {imp['searchable_s']:.1f} s")
            print(f"      CPU import {imp['apply_cpu_s']:.1f} s (with its reader process) | "
                  f"floor {floor['cpu_s']:.1f} s | ratio {cpu_ratio:4.1f}x; report lines "
                  f"{imp['report_lines']:,}; load average {os.getloadavg()[0]:.1f}")
            print(f"      counts {imp['counts']}  re-import {imp['reimport_counts']}")
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for fmt in ("xlsx", "csv"):
            a = results["runs"][f"{fmt}-{small}"]["import"]["peak_rss_mb"]
            b = results["runs"][f"{fmt}-{big}"]["import"]["peak_rss_mb"]
            fa = results["runs"][f"{fmt}-{small}"]["floor"]["peak_rss_mb"]
            fb = results["runs"][f"{fmt}-{big}"]["floor"]["peak_rss_mb"]
            results[f"{fmt}_rss_growth_mb"] = {"import": round(b - a, 1), "floor": round(fb - fa, 1)}
            print(f"{fmt}: peak RSS {small}→{big} rows: import {a:.0f}→{b:.0f} MB (+{b - a:.0f}), "
                  f"floor (whole file in memory) {fa:.0f}→{fb:.0f} MB (+{fb - fa:.0f})")
    if args.big_mb:
        results["big"] = run_big(args.big_mb)
    out = write_results("import", results)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
