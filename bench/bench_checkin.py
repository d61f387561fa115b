"""Scan-to-recorded-verdict latency at 100,000 delegates and 1,000,000 check-in events, vs raw SQLite.

Run: python -m bench.bench_checkin [--size 100000] [--events 1000000] [--scans 2000]
The floor is the raw sqlite3 module doing the same indexed lookups and inserts, with the same
pragmas (WAL, synchronous=FULL) on the same file, interleaved in blocks with the service scans.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import CACHE, copy_db, demo_database, percentiles, row, write_results

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 11, 23, 9, 30, tzinfo=SH)


def _sqlite_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def with_events(size: int, events: int, seed: int = 11) -> Path:
    """A cached copy of the demo database holding `events` past check-ins (and their projection)."""
    path = CACHE / f"checkin-{size}-{events}.sqlite3"
    if path.exists():
        return path
    src = demo_database(size)
    tmp = copy_db(src, path.with_suffix(".building"))
    t0 = time.perf_counter()
    rng = random.Random(seed)
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")  # set-up only; the measured part uses FULL
    delegate_ids = [r[0] for r in con.execute("SELECT id FROM delegates WHERE status != 'cancelled'")]
    acts = con.execute("SELECT id, capacity FROM activities").fetchall()
    start = datetime(2024, 11, 22, 7, 0, tzinfo=SH)
    span = (NOW - start).total_seconds() - 60
    # Halls with a capacity only ever admit a bounded set of people, as the rules enforce.
    pools = {
        aid: (rng.sample(delegate_ids, min(int(cap * 0.9), len(delegate_ids))) if cap else delegate_ids)
        for aid, cap in acts
    }
    weights = [10 if cap is None else max(1, cap // 500) for _, cap in acts]
    act_ids = [a for a, _ in acts]
    con.execute("BEGIN")
    batch: list[tuple[object, ...]] = []
    audit: list[tuple[object, ...]] = []
    for i in range(events):
        aid = rng.choices(act_ids, weights)[0]
        did = rng.choice(pools[aid])
        at = _sqlite_ts(start + timedelta(seconds=rng.random() * span))
        u = str(uuid.UUID(int=rng.getrandbits(128)))
        desk = f"D{rng.randrange(1, 41):02d}"
        batch.append((u, did, aid, "in", desk, "volunteer", at, at, "ADMIT", 0, "", 0, 0))
        audit.append((str(uuid.UUID(int=rng.getrandbits(128))), at, desk, "volunteer", "checkin",
                      str(did), "", f'{{"event": "{u}"}}'))
        if len(batch) == 50_000 or i == events - 1:
            con.executemany(
                "INSERT INTO checkins (uuid, delegate_id, activity_id, direction, desk, operator, at,"
                " order_at, verdict, forced, reason, conflict, synced)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            con.executemany(
                "INSERT INTO audit_log (uuid, at, desk, operator, action, subject, before_json,"
                " after_json) VALUES (?,?,?,?,?,?,?,?)",
                audit,
            )
            batch.clear()
            audit.clear()
    con.execute("DELETE FROM presence")
    con.execute(
        """
        INSERT INTO presence (delegate_id, activity_id, first_in_uuid, first_in_at, first_in_desk,
                              last_direction, last_at, last_desk)
        SELECT delegate_id, activity_id, uuid, at, desk, 'in', last_at, last_desk FROM (
          SELECT delegate_id, activity_id, uuid, at, desk,
                 ROW_NUMBER() OVER w_first AS rn,
                 MAX(at) OVER w_all AS last_at,
                 LAST_VALUE(desk) OVER w_all AS last_desk
          FROM checkins WHERE undoes IS NULL
          WINDOW w_first AS (PARTITION BY delegate_id, activity_id ORDER BY at),
                 w_all AS (PARTITION BY delegate_id, activity_id ORDER BY at
                           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) WHERE rn = 1
        """
    )
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    tmp.replace(path)
    print(f"added {events} check-in events in {time.perf_counter() - t0:.1f} s")
    return path


class RawFloor:
    """The same work as one scan, by hand with sqlite3: the least any implementation must pay."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # Exactly the desk's pragmas, including checkpoints left to the background thread.
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL",
                       "busy_timeout=10000", "wal_autocheckpoint=0"):
            self.con.execute(f"PRAGMA {pragma}")
        self.acts = {code: (aid, cap) for aid, code, cap in
                     self.con.execute("SELECT id, code, capacity FROM activities")}

    def scan(self, code: str, activity: str, now: datetime) -> str:
        aid, cap = self.acts[activity]
        con = self.con
        at = _sqlite_ts(now)
        con.execute("BEGIN IMMEDIATE")
        d = con.execute(
            "SELECT d.id, d.status, c.code, c.attention FROM delegates d "
            "JOIN categories c ON c.id = d.category_id WHERE d.registration_code = ?",
            (code.strip().upper(),),
        ).fetchone()
        if d is None:
            verdict = "UNKNOWN_CODE"
        else:
            pres = con.execute(
                "SELECT first_in_uuid FROM presence WHERE delegate_id = ? AND activity_id = ?",
                (d[0], aid),
            ).fetchone()
            if cap is not None:
                con.execute("SELECT count(*) FROM presence WHERE activity_id = ?", (aid,)).fetchone()
            verdict = "ALREADY_IN" if pres else "ADMIT"
            u = str(uuid.uuid4())
            con.execute(
                "INSERT INTO checkins (uuid, delegate_id, activity_id, direction, desk, operator, at,"
                " order_at, verdict, forced, reason, conflict, synced)"
                " VALUES (?,?,?,?,?,?,?,?,?,0,'',0,0)",
                (u, d[0], aid, "in", "FLOOR", "bench", at, at, verdict),
            )
            if pres is None:
                con.execute(
                    "INSERT INTO presence VALUES (?,?,?,?,?,?,?,?)",
                    (d[0], aid, u, at, "FLOOR", "in", at, "FLOOR"),
                )
            else:
                con.execute(
                    "UPDATE presence SET last_direction='in', last_at=?, last_desk=? "
                    "WHERE delegate_id=? AND activity_id=?",
                    (at, "FLOOR", d[0], aid),
                )
        con.execute(
            "INSERT INTO audit_log (uuid, at, desk, operator, action, subject, before_json, "
            "after_json) VALUES (?,?,?,?,?,?,?,?)",
            (str(uuid.uuid4()), at, "FLOOR", "bench", "checkin", code, "", f'{{"v": "{verdict}"}}'),
        )
        con.execute("COMMIT")
        return verdict


def main() -> None:
    """Build the data (cached), then time service scans and the raw floor, interleaved."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--scans", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    from checkin_app.domain.clock import FixedClock
    from checkin_app.services.checkin import CheckInService
    from checkin_app.storage.db import Database

    src = with_events(args.size, args.events)
    work = copy_db(src, CACHE / "checkin-work.sqlite3")
    db = Database(work)
    clock = FixedClock(NOW)
    svc = CheckInService(db, clock)
    floor = RawFloor(work)
    rng = random.Random(args.seed)
    codes = [r[0] for r in floor.con.execute("SELECT registration_code FROM delegates")]
    n_events = floor.con.execute("SELECT count(*) FROM checkins").fetchone()[0]
    n_delegates = len(codes)

    def pick() -> tuple[str, str]:
        x = rng.random()
        if x < 0.05:
            code = f"CQ24-{rng.getrandbits(40):X}"  # a code nobody has
        elif x < 0.10:
            code = f"  {rng.choice(codes).lower()}\r\n"  # what a misconfigured scanner types
        else:
            code = rng.choice(codes)
        return code, ("OPENING" if rng.random() < 0.15 else "MAIN")

    # Warm-up: first queries compile statements and pull index pages into the cache.
    for _ in range(50):
        c, a = pick()
        svc.scan(c, activity_code=a, desk="BENCH")
        floor.scan(c, a, clock.now())

    svc_ms: list[float] = []
    floor_ms: list[float] = []
    verdicts: dict[str, int] = {}
    block = 50
    for _ in range(args.scans // block):
        work_items = [pick() for _ in range(block)]
        for c, a in work_items:
            t = time.perf_counter_ns()
            r = svc.scan(c, activity_code=a, desk="BENCH")
            svc_ms.append((time.perf_counter_ns() - t) / 1e6)
            verdicts[r.verdict.value] = verdicts.get(r.verdict.value, 0) + 1
            clock.advance(seconds=2)
        for c, a in work_items:
            t = time.perf_counter_ns()
            floor.scan(c, a, clock.now())
            floor_ms.append((time.perf_counter_ns() - t) / 1e6)
    s, f = percentiles(svc_ms), percentiles(floor_ms)
    print(f"\nscan → recorded verdict, {n_delegates} delegates, {n_events} events before the run")
    print(row("checkin_app CheckInService.scan", s))
    print(row("floor: raw sqlite3, same work", f))
    print(f"ratio service/floor: p50 ×{s['p50'] / f['p50']:.2f}, p99 ×{s['p99'] / f['p99']:.2f}")
    print(f"target p99 ≤ 15 ms: {'MET' if s['p99'] <= 15 else 'NOT MET'}")
    print("verdict mix:", dict(sorted(verdicts.items())))
    out = write_results("checkin", {
        "delegates": n_delegates, "events_before": n_events, "scans": len(svc_ms),
        "service_ms": s, "floor_ms": f,
        "ratio_p50": s["p50"] / f["p50"], "ratio_p99": s["p99"] / f["p99"],
        "target_p99_ms": 15, "verdicts": verdicts,
    })
    print(f"results: {out}")
    floor.con.close()
    db.close()


if __name__ == "__main__":
    main()
