"""Name-search latency at 100,000 delegates over a realistic query mix, vs raw SQLite.

Run: python -m bench.bench_search [--size 100000] [--queries 2000] [--db PATH]
The demo database is built once with build_demo and cached (bench/.cache, not in git); its
search keys are rebuilt with reindex_all on every run (timed), so they always match the code.
Queries are drawn with a fixed seed from the data itself. The floor is the raw sqlite3 module
doing the same indexed range lookups on search_keys and fetching the delegate rows with their
category: no ORM, no scoring, no view objects. Service and floor run interleaved per query.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from bench.common import CACHE, RESULTS, checkpoint, percentiles, row, write_results

P = ParamSpec("P")
R = TypeVar("R")

LIMIT = 20
TARGET_P99_MS = 5.0
# The forgiving-search kinds (bench/search_queries.py, the set the tests draw as well).
FORGIVING = ("typo", "trad_simp", "cyrillic_for_latin")
TYPES = (
    "zh_full",  # 张伟
    "zh_surname",  # 张
    "pinyin_joined",  # zhangwei
    "pinyin_spaced",  # zhang wei / zhāng wěi (every other one with tone marks)
    "initials",  # zw
    "latin_folded",  # dorde petrovic
    "code_prefix",  # CQ24-7K / cq247k
    "org_word",  # changan / 长安
    "typo",  # kuzntesova, zhangwie
    "trad_simp",  # 張偉 for 张伟, 陈大文 for 陳大文
    "cyrillic_for_latin",  # Ђорђе Петровић for Đorđe Petrović
)
_ORG_STOP = {"the", "of", "and", "for", "co", "ltd", "inc", "limited", "company", "group"}


def default_db(size: int) -> Path:
    """bench/.cache/search-100k.sqlite3 for the default size."""
    label = f"{size // 1000}k" if size % 1000 == 0 else str(size)
    return CACHE / f"search-{label}.sqlite3"


def build_database(path: Path, size: int) -> None:
    """Build the demo event into `path` (via a temporary file, so a failed build leaves nothing)."""
    try:
        from checkin_app.demo.build import build_demo
    except ImportError as exc:
        sys.exit(
            f"The demo generator is not available yet ({exc}).\n"
            "bench_search needs checkin_app.demo.build.build_demo to build its database; "
            "run it again once that module exists."
        )
    from checkin_app.storage.db import Database

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = Database(tmp)
    build_demo(db, size=size, seed=2024)
    checkpoint(db.engine)
    db.close()
    tmp.replace(path)
    print(f"built demo database ({size} delegates) in {time.perf_counter() - t0:.1f} s")


def _is_han(text: str) -> bool:
    return bool(text) and all(0x3400 <= ord(c) <= 0x9FFF for c in text)


def draw_queries(con: sqlite3.Connection, n: int, seed: int) -> list[tuple[str, str, int]]:
    """(type, query text, id of the delegate it was drawn from), evenly over TYPES, shuffled."""
    from anyascii import anyascii
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(seed)
    rows = con.execute(
        "SELECT id, name_native, name_latin, family_name, given_name, registration_code,"
        " organisation_zh, organisation_en FROM delegates ORDER BY id"
    ).fetchall()
    chinese = [r for r in rows if _is_han(r[1]) and _is_han(r[3])]
    others = [r for r in rows if r[2] and not any(0x3400 <= ord(c) <= 0x9FFF for c in r[1])]
    with_org = [r for r in rows if r[6] or r[7]]

    def pinyin(name: str, tones: bool = False) -> list[str]:
        return lazy_pinyin(name, style=Style.TONE if tones else Style.NORMAL)

    def make(kind: str, i: int) -> tuple[str, int]:
        if kind == "latin_folded":
            r = rng.choice(others)
            return anyascii(r[2]).lower(), r[0]
        if kind == "code_prefix":
            r = rng.choice(rows)
            prefix = r[5][: rng.randint(6, len(r[5]))]
            return (prefix if i % 2 else prefix.lower().replace("-", "")), r[0]
        if kind == "org_word":
            r = rng.choice(with_org)
            words = [w for w in anyascii(r[7]).lower().replace(",", " ").split() if len(w) > 3]
            words = [w for w in words if w not in _ORG_STOP]
            if r[6] and (i % 2 or not words):
                start = rng.randrange(max(1, len(r[6]) - 3))
                return r[6][start : start + rng.randint(2, 4)], r[0]
            if words:
                return rng.choice(words), r[0]
            return r[6][:2], r[0]
        r = rng.choice(chinese)
        if kind == "zh_full":
            return r[1], r[0]
        if kind == "zh_surname":
            return r[3], r[0]
        if kind == "pinyin_joined":
            return "".join(pinyin(r[1])), r[0]
        if kind == "pinyin_spaced":
            return " ".join(pinyin(r[1], tones=bool(i % 2))), r[0]
        if kind == "initials":
            return "".join(p[0] for p in pinyin(r[1])), r[0]
        raise ValueError(kind)

    from bench import search_queries

    per_kind = n // len(TYPES)
    forgiving = search_queries.draw(
        con.execute(search_queries.ROW_SQL).fetchall(), per_kind=per_kind, seed=seed
    )
    out = [q for q in forgiving if q[0] in FORGIVING]
    classic = [k for k in TYPES if k not in FORGIVING]
    for i in range(per_kind * len(classic)):
        kind = classic[i % len(classic)]
        text, source = make(kind, i // len(classic))
        out.append((kind, text, source))
    rng.shuffle(out)
    return out


def recall_set(con: sqlite3.Connection, svc: Any, per_kind: int, seed: int) -> dict[str, float]:
    """Recall per query kind (exact, typo, traditional/simplified, Cyrillic, initials)."""
    from bench import search_queries

    rows = con.execute(search_queries.ROW_SQL).fetchall()
    names = search_queries.namesakes(rows)
    found: dict[str, list[bool]] = {k: [] for k in search_queries.KINDS}
    for kind, text, source in search_queries.draw(rows, per_kind=per_kind, seed=seed):
        found[kind].append(search_queries.hit(source, [v.id for v in svc.search(text, limit=LIMIT)], names))
    out = search_queries.recall(found)
    counts = {k: len(v) for k, v in found.items()}
    print("recall per kind:", ", ".join(f"{k} {out.get(k, 0):.1%} of {counts[k]}" for k in counts))
    return out


class RawFloor:
    """The same indexed lookups as SearchService.search, by hand with sqlite3."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA query_only=ON")

    def search(self, text: str, limit: int = LIMIT) -> list[tuple[Any, ...]]:
        from checkin_app.domain.search_keys import (
            distinct_keys_sql,
            key_range,
            query_variants,
            search_order,
            typo_eligible,
            typo_ranges,
        )

        variants = query_variants(text)
        if not variants:
            return []
        seen: dict[int, None] = {}
        for kind in search_order(variants[0]):
            for q in variants:
                need = limit - len(seen)
                if need <= 0:
                    break
                low, high = key_range(kind, q)
                for (did,) in self.con.execute(
                    "SELECT delegate_id FROM search_keys WHERE key >= ? AND key < ? ORDER BY key, id LIMIT ?",
                    (low, high, max(4 * need, 16)),
                ):
                    seen.setdefault(did)
        typo_query = next((v for v in variants if typo_eligible(v)), None)
        if len(seen) < limit and typo_query is not None:
            # The same typo lookups as the service (distinct candidate keys, then the
            # delegates of the first ones), without the scoring.
            ranges = typo_ranges(typo_query)
            keys = self.con.execute(
                distinct_keys_sql(len(ranges)), [*(b for r in ranges for b in r), 2000]
            ).fetchall()
            for (key,) in keys:
                for (did,) in self.con.execute(
                    'SELECT delegate_id FROM search_keys WHERE "key" = ? ORDER BY id LIMIT ?', (key, limit)
                ):
                    seen.setdefault(did)
                if len(seen) >= limit:
                    break
        ids = list(seen)[:limit]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.con.execute(
            f"SELECT d.*, c.* FROM delegates d JOIN categories c ON c.id = d.category_id"
            f" WHERE d.id IN ({marks})",
            ids,
        ).fetchall()


def timed(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[float, R]:
    """Milliseconds taken by one call, and its result."""
    t0 = time.perf_counter_ns()
    result = fn(*args, **kwargs)
    return (time.perf_counter_ns() - t0) / 1e6, result


def main() -> None:
    """Build or reuse the data, rebuild the keys, then time service searches and the raw floor."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument(
        "--db",
        type=Path,
        default=None,
        help="cached demo database (default: bench/.cache/search-100k.sqlite3 for 100k)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--recall-only", action="store_true",
                    help="only measure recall per query kind on the cached database (no reindex, no timing)")
    args = ap.parse_args()
    path: Path = args.db or default_db(args.size)

    from checkin_app.services.search import SearchService, reindex_all
    from checkin_app.storage.db import Database

    if path.exists():
        with sqlite3.connect(path) as con:
            have = con.execute("SELECT count(*) FROM delegates").fetchone()[0]
        if have != args.size:
            sys.exit(f"{path} holds {have} delegates, not {args.size}: delete it or pass --db")
    else:
        build_database(path, args.size)

    db = Database(path)
    if args.recall_only:
        with sqlite3.connect(path) as con:
            recall = recall_set(con, SearchService(db), per_kind=200, seed=args.seed)
        db.close()
        results = RESULTS / "search.json"
        if results.exists():
            # Kept beside the timing run's figures, marked as measured apart.
            data = json.loads(results.read_text(encoding="utf-8"))
            data["recall"] = recall
            data["recall_when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            results.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    t0 = time.perf_counter()
    n_keys = reindex_all(db)
    reindex_s = time.perf_counter() - t0
    checkpoint(db.engine)
    print(f"reindex_all: {n_keys} keys for {args.size} delegates in {reindex_s:.1f} s")

    svc = SearchService(db)
    floor = RawFloor(path)
    queries = draw_queries(floor.con, args.queries, args.seed)

    # Warm-up: compile statements, load the pinyin tables, pull index pages into the cache.
    for _kind, text, _src in queries[:100]:
        svc.search(text, limit=LIMIT)
        floor.search(text)

    svc_ms: dict[str, list[float]] = {k: [] for k in TYPES}
    floor_ms: dict[str, list[float]] = {k: [] for k in TYPES}
    hits: dict[str, int] = dict.fromkeys(TYPES, 0)
    source_found: dict[str, int] = dict.fromkeys(TYPES, 0)
    for i, (kind, text, source) in enumerate(queries):
        # Alternate which goes first, so neither always runs on the other's warm cache.
        order = (0, 1) if i % 2 else (1, 0)
        for which in order:
            if which == 0:
                ms, views = timed(svc.search, text, limit=LIMIT)
                svc_ms[kind].append(ms)
                hits[kind] += bool(views)
                source_found[kind] += any(v.id == source for v in views)
            else:
                ms, _ = timed(floor.search, text)
                floor_ms[kind].append(ms)

    all_svc = [x for k in TYPES for x in svc_ms[k]]
    all_floor = [x for k in TYPES for x in floor_ms[k]]
    overall = percentiles(all_svc)
    overall_floor = percentiles(all_floor)

    def ratio(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        return {p: round(a[p] / b[p], 2) if b[p] else float("nan") for p in ("p50", "p99")}

    print(
        f"\nsearch, {args.size} delegates, {len(queries)} queries, limit {LIMIT}"
        f" (target p99 <= {TARGET_P99_MS:.0f} ms)"
    )
    by_type: dict[str, Any] = {}
    for k in TYPES:
        s, f = percentiles(svc_ms[k]), percentiles(floor_ms[k])
        n = len(svc_ms[k])
        by_type[k] = {
            "service_ms": s,
            "floor_ms": f,
            "ratio": ratio(s, f),
            "with_results": round(hits[k] / n, 3) if n else None,
            "source_in_top": round(source_found[k] / n, 3) if n else None,
            "examples": [t for kind, t, _ in queries if kind == k][:4],
        }
        print(
            row(k, s),
            f" floor p50={f['p50']:5.2f} ms  x{by_type[k]['ratio']['p50']:.1f}"
            f"  found={by_type[k]['source_in_top']:.0%}",
        )
    print(
        row("overall", overall),
        f" floor p50={overall_floor['p50']:5.2f} ms  x{ratio(overall, overall_floor)['p50']:.1f}",
    )
    print(row("floor (raw sqlite3)", overall_floor))
    verdict = "PASS" if overall["p99"] <= TARGET_P99_MS else "FAIL"
    print(f"p99 {overall['p99']:.2f} ms vs target {TARGET_P99_MS:.0f} ms: {verdict}")
    recall = recall_set(floor.con, svc, per_kind=200, seed=args.seed)

    out = write_results("search", {
        "size": args.size,
        "queries": len(queries),
        "limit": LIMIT,
        "seed": args.seed,
        "keys": n_keys,
        "keys_per_delegate": round(n_keys / max(1, args.size), 1),
        "reindex_all_s": round(reindex_s, 2),
        "db_mb": round(path.stat().st_size / 2**20, 1),
        "target_p99_ms": TARGET_P99_MS,
        "pass": verdict == "PASS",
        "overall": {"service_ms": overall, "floor_ms": overall_floor,
                    "ratio": ratio(overall, overall_floor)},
        "by_type": by_type,
        "recall": recall,
    })  # fmt: skip
    print(f"results: {out}")
    db.close()


if __name__ == "__main__":
    main()
