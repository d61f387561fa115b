"""Applying an event of 200 activities over 100,000 delegates (desk and hub), vs the same writes in sqlite3.

What applying an event touches. Admissions are rules per category, not rows per person: an
activity admits categories (activity_categories, derived from each activity's `admits` and each
category's `default_activities`), and the check-in rule reads the delegate's category. So an apply
writes the event, category and activity rows that changed, the admission links of the activities
whose admitted categories changed, and one audit entry per change; it never rewrites the 100,000
delegates. The only per-person rows it touches are the per-delegate exceptions
(delegate_admissions) of an activity it deletes (desk databases only; the hub archives). The
delegates count in reads: a dropped category is refused while people have it, a dropped activity
while it has check-ins. At the hub (`hub event apply`) the changed tables are then published to
the change log, which holds the 100,000 delegates.

Scenarios, in order, on a fresh copy of the cached 100,000-delegate demo database each run:
- programme_200: the demo's event grown to 200 activities (186 new ones, each admitting 2-6
  categories: about 800 admission links), as the organiser's full programme;
- same_again: the same file again (changes nothing);
- one_change: one activity's capacity changed;
- admissions_all: one category admitted to every activity (its default_activities: 200 links);
- drop_one: an activity with per-delegate admissions dropped from the file (desk: deleted with them).
At the hub: the first four, each apply followed by its publish (the hub archives, never deletes).

Each apply is timed as the CLI runs it: the file read and checked (ruamel.yaml), then applied in one
transaction (EventSetupService.apply_file). The floor: the rows that apply wrote (found by diffing
the tables its statements wrote to) written with the sqlite3 module in one transaction (DELETE /
UPDATE / executemany INSERT by rowid, same pragmas: WAL, synchronous=FULL), on a copy that went
through the same steps. Medians of --runs runs. Target (issue 12): ≤ 5 s.

Run: .venv/bin/python -m bench.bench_event_apply [--runs 3] [--size 100000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.common import CACHE, checkpoint, copy_db, demo_database, write_results
from checkin_app.domain.event_def import REENTRY, SINGLE, ActivityDef, EventDefinition
from checkin_app.services.event_files import write_definition
from checkin_app.services.event_setup import EventSetupService

TARGET_S = 5.0
ACTIVITIES = 200
DESK_STEPS = ("programme_200", "same_again", "one_change", "admissions_all", "drop_one")
HUB_STEPS = ("programme_200", "same_again", "one_change", "admissions_all")

Snapshot = dict[str, dict[int, tuple[Any, ...]]]


# -- the definitions ------------------------------------------------------------------------------
def definitions(base: EventDefinition, drop: str) -> dict[str, EventDefinition]:
    """The event files of the scenarios, grown from the database's own event."""
    rng = random.Random(12)
    cats = [c.code for c in base.categories]
    days = [base.event.starts_on + timedelta(days=i)
            for i in range((base.event.ends_on - base.event.starts_on).days + 1)]
    extra: list[ActivityDef] = []
    for i in range(ACTIVITIES - len(base.activities)):
        start = 8 * 60 + 30 * (i % 18)
        extra.append(ActivityDef(
            f"S{i + 1:03d}", f"分论坛 {i + 1}", f"Parallel session {i + 1}", f"会议室 {i % 40 + 1}",
            f"Room {i % 40 + 1}", day=days[i % len(days)],
            start=clock_time(start // 60, start % 60), end=clock_time(start // 60 + 1, start % 60),
            doors_before=30, capacity=rng.choice((80, 120, 200, 300, 500, 1000)),
            admits=tuple(sorted(rng.sample(cats, rng.randint(2, 6)))),
            mode=rng.choice((SINGLE, REENTRY))))
    programme = replace(base, activities=(*base.activities, *extra))
    one = replace(programme, activities=tuple(
        replace(a, capacity=(a.capacity or 0) + 50) if a.code == "S100" else a for a in programme.activities))
    everyone = tuple(a.code for a in one.activities if not a.main)
    widened = replace(one, categories=tuple(
        replace(c, default_activities=everyone) if c.code == cats[-1] else c for c in one.categories))
    dropped = replace(widened, activities=tuple(a for a in widened.activities if a.code != drop),
                      categories=tuple(replace(c, default_activities=tuple(
                          x for x in c.default_activities if x != drop)) for c in widened.categories))
    return {"programme_200": programme, "same_again": programme, "one_change": one,
            "admissions_all": widened, "drop_one": dropped}


# -- finding the rows an apply wrote ----------------------------------------------------------------
class WriteWatch:
    """The tables the statements on an engine wrote to (INSERT / UPDATE / DELETE)."""

    def __init__(self, engine: Any) -> None:
        self.tables: set[str] = set()
        self.updated: set[str] = set()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        if not words:
            return
        verb = words[0].upper()
        name = ""
        if verb == "INSERT" and len(words) > 2:
            name = words[2]
        elif verb == "UPDATE" and len(words) > 1:
            name = words[1]
        elif verb == "DELETE" and len(words) > 2:
            name = words[2]
        if name:
            name = name.strip('"').split("(")[0]
            self.tables.add(name)
            if verb == "UPDATE":
                self.updated.add(name)


def snapshot(path: Path, tables: list[str]) -> Snapshot:
    """Every row (by rowid) of these tables."""
    con = sqlite3.connect(path)
    try:
        return {t: {int(r[0]): tuple(r[1:]) for r in con.execute(f"SELECT rowid, * FROM {t}")}
                for t in tables}
    finally:
        con.close()


def columns(path: Path, table: str) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    finally:
        con.close()


def diff(before: Snapshot, after: Snapshot) -> dict[str, dict[str, Any]]:
    """Per table: rowids deleted, rows updated, rows inserted."""
    out: dict[str, dict[str, Any]] = {}
    for t, rows in after.items():
        old = before.get(t, {})
        gone = sorted(set(old) - set(rows))
        new = [(k, rows[k]) for k in sorted(set(rows) - set(old))]
        changed = [(k, rows[k]) for k in sorted(set(rows) & set(old)) if rows[k] != old[k]]
        if gone or new or changed:
            out[t] = {"deleted": gone, "inserted": new, "updated": changed}
    return out


def floor_write(path: Path, writes: dict[str, dict[str, Any]], cols: dict[str, list[str]]) -> float:
    """The same rows written with sqlite3 in one transaction (same pragmas as the app); seconds."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA wal_autocheckpoint=0")
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        # Children first when deleting, parents first when inserting (foreign keys on).
        order = ["activity_categories", "delegate_admissions", "import_admissions", "presence"]
        for t in sorted(writes, key=lambda t: order.index(t) if t in order else len(order)):
            if writes[t]["deleted"]:
                con.executemany(f"DELETE FROM {t} WHERE rowid = ?", [(k,) for k in writes[t]["deleted"]])
        for t in sorted(writes, key=lambda t: -order.index(t) if t in order else -len(order)):
            c = cols[t]
            if writes[t]["updated"]:
                sets = ", ".join(f"{name} = ?" for name in c)
                con.executemany(f"UPDATE {t} SET {sets} WHERE rowid = ?",
                                [(*row, k) for k, row in writes[t]["updated"]])
            if writes[t]["inserted"]:
                marks = ", ".join("?" for _ in range(len(c) + 1))
                con.executemany(f"INSERT INTO {t} (rowid, {', '.join(c)}) VALUES ({marks})",
                                [(k, *row) for k, row in writes[t]["inserted"]])
        con.execute("COMMIT")
        return time.perf_counter() - t0
    finally:
        con.close()


# -- one run ----------------------------------------------------------------------------------------
SMALL = ["events", "categories", "activities", "activity_categories", "audit_log", "delegate_admissions",
         "import_admissions", "presence", "desk_settings", "hub_counters", "hub_audit"]


def big_rowids(path: Path, table: str) -> set[int]:
    con = sqlite3.connect(path)
    try:
        return {int(r[0]) for r in con.execute(f"SELECT rowid FROM {table}")}
    finally:
        con.close()


def rows_by_id(path: Path, table: str, ids: list[int]) -> list[tuple[int, tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        out: list[tuple[int, tuple[Any, ...]]] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = f"SELECT rowid, * FROM {table} WHERE rowid IN ({', '.join('?' for _ in chunk)})"
            out += [(int(r[0]), tuple(r[1:])) for r in con.execute(q, chunk)]
        return sorted(out)
    finally:
        con.close()


def run_once(src: Path, work: Path, floor: Path, files: dict[str, Path], steps: tuple[str, ...], *,
             hub: bool) -> dict[str, dict[str, Any]]:
    """Apply the steps' files in order (timed), then the same writes with sqlite3 on a twin copy."""
    copy_db(src, work)
    copy_db(src, floor)
    small = [t for t in SMALL if t in _tables(work)]
    if hub:
        from checkin_app.hub.db import HubDatabase
        from checkin_app.hub.store import HubStore

        store = HubStore(HubDatabase(work))
        db: Any = store.db
        engine = store.db.engine
    else:
        from checkin_app.storage.db import Database

        db = Database(work)
        engine = db.engine
    svc = EventSetupService(db, delete_unused=not hub)
    watch = WriteWatch(engine)
    out: dict[str, dict[str, Any]] = {}
    try:
        for step in steps:
            before = snapshot(work, small)
            big_before = {"hub_changes": big_rowids(work, "hub_changes")} if hub else {}
            watch.tables.clear()
            watch.updated.clear()
            t0 = time.perf_counter()
            report = svc.check(files[step])
            t1 = time.perf_counter()
            assert report.definition is not None, report.errors
            result = svc.apply(report.definition, operator="bench", desk="bench")
            t2 = time.perf_counter()
            published = 0
            if hub and result.changed:
                store.forget(set(result.tables()))
                published = int(store.refresh(result.tables()))
            t3 = time.perf_counter()
            unknown = watch.tables - set(small) - set(big_before)
            assert not unknown, f"{step} wrote to tables the floor does not copy: {unknown}"
            writes = diff(before, snapshot(work, small))
            for t, ids in big_before.items():
                assert t not in watch.updated
                now_ids = big_rowids(work, t)
                new = sorted(now_ids - ids)
                gone = sorted(ids - now_ids)
                if new or gone:
                    writes[t] = {"deleted": gone, "inserted": rows_by_id(work, t, new), "updated": []}
            cols = {t: columns(work, t) for t in writes}
            floor_s = floor_write(floor, writes, cols)
            out[step] = {
                "check_s": t1 - t0, "apply_s": t2 - t1, "publish_s": t3 - t2, "total_s": t3 - t0,
                "floor_s": floor_s, "changes": len(result.changes), "published": published,
                "rows_written": {t: {k: len(v) for k, v in w.items()} for t, w in writes.items()},
            }
    finally:
        db.close()
    return out


def _tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def hub_database(src: Path, size: int) -> tuple[Path, float]:
    """A cached hub database: the demo with everything published to the change log."""
    from checkin_app.hub.db import HubDatabase
    from checkin_app.hub.store import HubStore

    path = CACHE / f"event-apply-hub-{size}.sqlite3"
    if path.exists():
        return path, 0.0
    tmp = copy_db(src, path.with_suffix(".building"))
    t0 = time.perf_counter()
    store = HubStore(HubDatabase(tmp))
    store.refresh()
    checkpoint(store.db.engine)
    store.db.close()
    tmp.replace(path)
    return path, time.perf_counter() - t0


def ratios(med: dict[str, float], wrote: bool) -> dict[str, float | None]:
    """Total (file read and checked, applied, published) and apply alone over the floor; None
    when the apply wrote nothing (the floor is then an empty transaction)."""
    if not wrote or not med["floor_s"]:
        return {"ratio_to_floor": None, "apply_ratio_to_floor": None}
    return {"ratio_to_floor": med["total_s"] / med["floor_s"],
            "apply_ratio_to_floor": (med["apply_s"] + med["publish_s"]) / med["floor_s"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    src = demo_database(args.size)
    from checkin_app.storage.db import Database

    db = Database(src)
    base = EventSetupService(db).current()
    db.close()
    assert base is not None
    con = sqlite3.connect(src)
    drop = str(con.execute(
        "SELECT a.code FROM delegate_admissions d JOIN activities a ON a.id = d.activity_id "
        "WHERE NOT a.is_main GROUP BY a.code ORDER BY count(*) DESC LIMIT 1").fetchone()[0])
    exceptions = int(con.execute("SELECT count(*) FROM delegate_admissions d JOIN activities a "
                                 "ON a.id = d.activity_id WHERE a.code = ?", (drop,)).fetchone()[0])
    con.close()
    hub_src, hub_build_s = hub_database(src, args.size)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp_name:
        tmp = Path(tmp_name)
        files: dict[str, Path] = {}
        for name, d in definitions(base, drop).items():
            files[name] = tmp / f"{name}.yaml"
            write_definition(d, files[name])
        runs: dict[str, list[dict[str, dict[str, Any]]]] = {"desk": [], "hub": []}
        for i in range(args.runs):
            runs["desk"].append(run_once(src, tmp / "desk.sqlite3", tmp / "desk-floor.sqlite3", files,
                                         DESK_STEPS, hub=False))
            runs["hub"].append(run_once(hub_src, tmp / "hub.sqlite3", tmp / "hub-floor.sqlite3", files,
                                        HUB_STEPS, hub=True))
            print(f"run {i + 1}/{args.runs} done", flush=True)
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for where, steps in (("desk", DESK_STEPS), ("hub", HUB_STEPS)):
        summary[where] = {}
        for step in steps:
            samples = [r[step] for r in runs[where]]
            med = {k: statistics.median(s[k] for s in samples)
                   for k in ("check_s", "apply_s", "publish_s", "total_s", "floor_s")}
            summary[where][step] = {
                **med, **ratios(med, bool(samples[0]["rows_written"])),
                "changes": samples[0]["changes"], "published": samples[0]["published"],
                "rows_written": samples[0]["rows_written"], "runs_total_s": [s["total_s"] for s in samples],
                "within_target": med["total_s"] <= TARGET_S,
            }
            m = summary[where][step]
            print(f"{where:<4} {step:<15} total {m['total_s']:6.3f} s (check {m['check_s']:.3f}, apply "
                  f"{m['apply_s']:.3f}, publish {m['publish_s']:.3f})  floor {m['floor_s'] * 1000:7.1f} ms  "
                  f"changes {m['changes']}")
    out = write_results("event_apply", {
        "size": args.size, "activities": ACTIVITIES, "runs": args.runs, "target_s": TARGET_S,
        "dropped_activity": drop, "dropped_activity_exceptions": exceptions,
        "hub_build_s": hub_build_s, "results": summary,
    })
    print(f"results: {out}")


if __name__ == "__main__":
    main()
