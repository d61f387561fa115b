"""Sync benchmarks on loopback: first download of 100,000 delegates, desk-to-desk propagation, 50 desks.

Run: python -m bench.bench_sync [--size 100000] [--desks 50] [--seconds 30] [--pg URL]
- initial: a new desk enrols and downloads everything (hub on SQLite, HTTPS, gzip stream) until
  every delegate is stored and scannable; the search index rebuild that follows in the
  background is timed separately. Floor: the raw download of the same response bytes plus a
  raw sqlite3 executemany of the same delegate rows into a bare table.
- propagation: a check-in at desk A (pushed at once) until it is in desk B's database, B
  long-polling through its background worker.
- load: N simulated desks each push one check-in (+ its audit entry) every 3 s and keep a
  long-poll open; push round-trip latency, on SQLite and on PostgreSQL (--pg, or
  CHECKIN_TEST_PG_URL). Bounded: every loop stops after --seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid as uuidlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx

from bench.common import demo_database, percentiles, row, write_results
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import ensure_certificate
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import EnrolmentCode, dumps, gzip_bytes, iso
from checkin_app.sync.transport import make_client
from checkin_app.sync.worker import MIN_PULL_INTERVAL_S, SyncWorker
from tests.hub.support import HubProcess, pg_admin_url, scratch_name, with_database

TARGET_INITIAL_S = 10.0
TARGET_PROPAGATION_P95_MS = 2000.0
TARGET_PUSH_P99_MS = 100.0


def _hub_from_demo(tmp: Path, size: int) -> tuple[Path, HubStore, float]:
    path = tmp / "hub.sqlite3"
    shutil.copyfile(demo_database(size), path)
    store = HubStore(HubDatabase(path))
    t0 = time.perf_counter()
    store.refresh()
    return path, store, time.perf_counter() - t0


def _code(store: HubStore, proc: HubProcess, fp: str, name: str) -> str:
    return EnrolmentCode(proc.url, store.create_enrolment(name), fp, name).encode()


def bench_initial(tmp: Path, store: HubStore, proc: HubProcess, fp: str) -> dict[str, Any]:
    db = Database(tmp / "new-desk.sqlite3")
    sync = DeskSync(db)
    sync.enrol(_code(store, proc, fp, "bench-new"))
    t0 = time.perf_counter()
    _pushed, applied = sync.sync_once()
    usable_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    indexed = sync.index_pending()
    index_s = time.perf_counter() - t1
    cfg = sync.config()
    assert cfg is not None
    # Floor 1: the same response, read raw (decompressed) with no parsing or storing.
    with make_client(cfg.url, fingerprint=cfg.fingerprint, cert_pem=cfg.cert_pem, token=cfg.token) as c:
        t2 = time.perf_counter()
        nbytes = 0
        with c.stream("GET", "/api/v1/changes", params={"since": 0, "limit": 0}) as r:
            for chunk in r.iter_bytes():
                nbytes += len(chunk)
        download_s = time.perf_counter() - t2
    # Floor 2: raw executemany of the delegate rows into a bare table.
    src = sqlite3.connect(db.path)
    cols = [r[1] for r in src.execute("PRAGMA table_info(delegates)")]
    rows = src.execute(f"SELECT {','.join(cols)} FROM delegates").fetchall()
    src.close()
    raw = sqlite3.connect(tmp / "floor.sqlite3")
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute(f"CREATE TABLE d ({','.join(cols)})")
    t3 = time.perf_counter()
    with raw:
        raw.executemany(f"INSERT INTO d VALUES ({','.join('?' * len(cols))})", rows)
    insert_s = time.perf_counter() - t3
    raw.close()
    sync.close_clients()
    db.close()
    floor = download_s + insert_s
    return {"changes": applied, "delegates": len(rows), "usable_s": round(usable_s, 2),
            "search_index_s": round(index_s, 2), "indexed": indexed,
            "floor_s": round(floor, 2), "floor_download_s": round(download_s, 2),
            "floor_insert_s": round(insert_s, 2), "stream_mb": round(nbytes / 1e6, 1),
            "ratio": round(usable_s / floor, 2), "target_s": TARGET_INITIAL_S,
            "pass": usable_s <= TARGET_INITIAL_S}


def bench_propagation(tmp: Path, store: HubStore, proc: HubProcess, fp: str,
                      samples: int) -> dict[str, Any]:
    from checkin_app.domain.clock import FixedClock
    from checkin_app.services.checkin import CheckInService
    from checkin_app.storage import models as m

    desks = []
    for name in ("bench-A", "bench-B"):
        db = Database(tmp / f"{name}.sqlite3")
        ds = DeskSync(db)
        ds.enrol(_code(store, proc, fp, name))
        ds.sync_once()
        ds.index_pending()  # steady state: a desk some time after its first download
        desks.append((db, ds))
    (db_a, sync_a), (db_b, sync_b) = desks
    worker = SyncWorker(sync_b, long_poll_s=25)
    worker.start()
    time.sleep(1.0)
    from sqlalchemy import select

    with db_a.read() as s:
        codes = list(s.scalars(select(m.Delegate.registration_code).where(m.Delegate.status == "approved")
                               .limit(samples)))
    svc = CheckInService(db_a, FixedClock(datetime(2024, 11, 23, 1, 30, tzinfo=UTC)))
    lat: list[float] = []
    for code in codes:
        r = svc.scan(code, desk="bench-A")
        assert r.event is not None
        t0 = time.perf_counter()
        sync_a.push_once()
        deadline = t0 + 10
        while time.perf_counter() < deadline:
            with db_b.read() as s:
                if s.scalar(select(m.CheckIn.id).where(m.CheckIn.uuid == r.event.uuid)) is not None:
                    break
            time.sleep(0.002)
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)
    worker.stop()
    for db, ds in desks:
        ds.close_clients()
        db.close()
    st = percentiles(lat)
    print(row("propagation A→B", st))
    return {"ms": st, "target_p95_ms": TARGET_PROPAGATION_P95_MS,
            "pass": st["p95"] <= TARGET_PROPAGATION_P95_MS}


def _load_desks(url: str, fingerprint: str, pem: str, tokens: list[str], first: int,
                uids: list[str], cursor: int, stop_at: float, poll: bool) -> dict[str, list[float]]:
    """One load-generator process: these desks each push every 3 s and keep a long-poll open.

    Runs in its own process (spawned), so the client's own GIL and TLS work does not share a
    process with the hub or with all the other simulated desks. Returns round-trip and hub-side
    (Server-Timing) push times in ms.
    """
    lat: list[float] = []
    hub: list[float] = []
    parts: dict[str, list[float]] = {"wait": [], "queue": [], "store": [], "resume": []}
    lock = threading.Lock()
    rng = random.Random(first)
    cpu_start = time.process_time()

    def desk(i: int, token: str) -> None:
        name = f"load-{i:02d}"
        with make_client(url, fingerprint=fingerprint, cert_pem=pem, token=token) as c:
            # Desks start independently: spread over one scan interval.
            time.sleep(rng.random() * 3)
            while time.time() < stop_at:
                body = _push_body(uids, rng, name)
                t0 = time.perf_counter()
                r = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"})
                ms = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, r.text
                server = _server_ms(r.headers.get("server-timing", ""))
                with lock:
                    lat.append(ms)
                    if server is not None:
                        hub.append(server)
                    for metric, values in parts.items():
                        v = _server_ms(r.headers.get("server-timing", ""), metric)
                        if v is not None:
                            values.append(v)
                # A volunteer scans about every 3 s, not on a metronome.
                time.sleep(max(0.0, rng.uniform(2.5, 3.5) - ms / 1000))

    def poller(token: str) -> None:
        with make_client(url, fingerprint=fingerprint, cert_pem=pem, token=token) as c:
            pos = cursor
            last = 0.0
            while time.time() < stop_at:
                # The desk worker's pacing (MIN_PULL_INTERVAL_S), so the load is what desks send.
                time.sleep(max(0.0, MIN_PULL_INTERVAL_S - (time.monotonic() - last)))
                last = time.monotonic()
                wait = max(0.5, min(25.0, stop_at - time.time()))
                try:
                    with c.stream("GET", "/api/v1/changes",
                                  params={"since": pos, "limit": 5000, "wait": wait}) as r:
                        for line in r.iter_lines():
                            obj = json.loads(line)
                            if "s" in obj:
                                pos = max(pos, int(obj["s"]))
                except httpx.HTTPError:
                    time.sleep(0.5)

    threads = [threading.Thread(target=desk, args=(first + k, t)) for k, t in enumerate(tokens)]
    if poll:
        threads += [threading.Thread(target=poller, args=(t,), daemon=True) for t in tokens]
    for t in threads:
        t.start()
    for t in threads[:len(tokens)]:
        t.join()
    return {"rtt": lat, "hub": hub, **parts, "cpu": [time.process_time() - cpu_start]}


def _push_body(uids: list[str], rng: random.Random, name: str) -> bytes:
    """One check-in and its audit entry, gzipped, as a desk pushes them."""
    u = str(uuidlib.uuid4())
    now = iso(datetime.now(UTC))
    items = [{"table": "checkins", "key": u, "payload": {
        "uuid": u, "delegate": rng.choice(uids), "activity": "MAIN", "direction": "in",
        "desk": name, "operator": "bench", "at": now, "received_at": None,
        "verdict": "ADMIT", "forced": False, "reason": "", "undoes": None, "conflict": False}},
        {"table": "audit", "key": u, "payload": {
            "uuid": u, "at": now, "desk": name, "operator": "bench",
            "action": "checkin", "subject": "x", "before_json": "", "after_json": "{}",
            "prev_hash": "", "hash": ""}}]
    return gzip_bytes(dumps({"items": items}))


def _floors(url: str, fingerprint: str, pem: str, token: str, uids: list[str],
            n: int = 100) -> dict[str, dict[str, float]]:
    """Floors on the same hub once the load has stopped: one desk alone.

    hello: an HTTPS round trip that touches no database (the transport's floor); push_idle: the
    same push as under load (vetting and store included) with no other desk waiting.
    """
    rng = random.Random(7)
    hello: list[float] = []
    push: list[float] = []
    with make_client(url, fingerprint=fingerprint, cert_pem=pem, token=token) as c:
        c.get("/api/v1/hello")
        for _ in range(n):
            t0 = time.perf_counter()
            c.get("/api/v1/hello")
            hello.append((time.perf_counter() - t0) * 1000)
            body = _push_body(uids, rng, "load-00")
            t0 = time.perf_counter()
            r = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"})
            push.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
            time.sleep(0.02)
    return {"hello_ms": percentiles(hello), "push_idle_ms": percentiles(push)}


def _vetting_cost(store: HubStore, uids: list[str], n: int = 200) -> dict[str, float]:
    """What vetting adds to one push as the load sends it, on the same database: the event's
    time window read (one query per batch) and every check of both items (hub/vetting.py)."""
    import gzip

    from sqlalchemy import Table

    from checkin_app.hub import vetting as vet
    from checkin_app.hub.ingest import _HUB_SETS
    from checkin_app.storage import models as m

    checkins, audit = cast(Table, m.CheckIn.__table__), cast(Table, m.AuditEntry.__table__)
    rng = random.Random(11)
    bodies = [json.loads(gzip.decompress(_push_body(uids, rng, "load-00"))) for _ in range(n)]
    out: list[float] = []
    for body in bodies:
        t0 = time.perf_counter()
        with store.db.read() as s:
            window = store._time_window(s)
        for it in body["items"]:
            p = vet.payload_of(it)
            if it["table"] == "checkins":
                vet.check_row(checkins, p, skip=_HUB_SETS)
                vet.vet_checkin(p, window)
            else:
                vet.check_text("uuid", p.get("uuid"), 36)
                vet.check_row(audit, p, skip=("id", "seq", "received_at"))
        out.append((time.perf_counter() - t0) * 1000)
    return percentiles(out)


def _server_ms(header: str, metric: str = "push") -> float | None:
    for part in header.split(","):
        name, _, rest = part.strip().partition(";")
        if name == metric and rest.startswith("dur="):
            return float(rest[4:])
    return None


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds a process has used (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_load(tmp: Path, db_url: str, label: str, desks: int, seconds: float,
               procs: int = 2, poll: bool = True) -> dict[str, Any]:
    """N desks pushing every 3 s with a long-poll each, against a hub process on db_url.

    The simulated desks are split over `procs` spawned processes (real desks are separate
    machines; 100 client threads in one interpreter would measure their own GIL queue).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from checkin_app.demo.hub import load_demo
    from checkin_app.storage import models as m

    hub_db = HubDatabase(db_url)
    store = HubStore(hub_db)
    load_demo(store.db, size=2000, seed=3)
    store.refresh()
    from sqlalchemy import select

    with hub_db.read() as s:
        uids = list(s.scalars(select(m.Delegate.uid).limit(2000)))
    tokens = []
    for i in range(desks):
        _n, api, _c = store.enrol(store.create_enrolment(f"load-{i:02d}"))
        tokens.append(api)
    tls = tmp / f"tls-{label}"
    cert = ensure_certificate(tls)
    proc = HubProcess(db_url, tls).start()
    pem = cert.cert_path.read_text()
    cursor = store.high_water()
    lat: list[float] = []
    hub_ms: list[float] = []
    parts: dict[str, list[float]] = {"wait": [], "queue": [], "store": [], "resume": []}
    cpu0 = cpu1 = None
    client_cpu = 0.0
    try:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=procs, mp_context=ctx) as pool:
            # Processes start (imports) before the clock runs.
            list(pool.map(time.sleep, [0.0] * procs))
            assert proc.proc is not None
            cpu0 = _cpu_s(proc.proc.pid)
            stop_at = time.time() + seconds
            share = [list(range(desks))[k::procs] for k in range(procs)]
            futures = [pool.submit(_load_desks, proc.url, cert.fingerprint, pem,
                                   [tokens[i] for i in idx], idx[0] if idx else 0, uids, cursor,
                                   stop_at, poll) for idx in share if idx]
            for f in futures:
                out = f.result(timeout=seconds + 60)
                lat += out["rtt"]
                hub_ms += out["hub"]
                for metric, values in parts.items():
                    values += out[metric]
                client_cpu += out["cpu"][0]
            cpu1 = _cpu_s(proc.proc.pid)
        floors = _floors(proc.url, cert.fingerprint, pem, tokens[0], uids)
        floors["vetting_ms"] = _vetting_cost(store, uids)
    finally:
        proc.stop()
        hub_db.close()
    st = percentiles(lat)
    hst = percentiles(hub_ms) if hub_ms else {}
    print(row(f"push latency, {desks} desks, {label}", st))
    if hst:
        print(row(f"  of which in the hub, {label}", hst))
    breakdown = {k: percentiles(v) for k, v in parts.items() if v}
    hub_cpu = None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 2)
    if hub_cpu is not None:
        print(f"  hub process CPU {hub_cpu} s in {seconds:.0f} s ({hub_cpu / seconds:.0%} of one core); "
              f"simulated desks {client_cpu:.1f} s")
    for k, v in breakdown.items():
        print(row(f"    hub {k}, {label}", v))
    for k, v in floors.items():
        print(row(f"  floor: {k}, idle hub, {label}", v))
    ratio = round(st["p99"] / floors["push_idle_ms"]["p50"], 2) if floors["push_idle_ms"]["p50"] else None
    print(f"  push p99 under load / idle push p50: {ratio}")
    return {"desks": desks, "seconds": seconds, "pushes": len(lat), "load_processes": procs,
            # The machine's 1-minute load average as the run ended: others' work on a shared
            # machine shows in the tail, and the floors above are measured under the same.
            "load_average_1min": round(os.getloadavg()[0], 2),
            "long_poll": poll, "push_ms": st, "hub_push_ms": hst, "floors": floors,
            "p99_over_idle_push_p50": ratio,
            "hub_breakdown_ms": breakdown, "hub_cpu_s": hub_cpu,
            "desks_cpu_s": round(client_cpu, 2),
            "target_p99_ms": TARGET_PUSH_P99_MS, "pass": st["p99"] <= TARGET_PUSH_P99_MS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--desks", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--pg", default=os.environ.get("CHECKIN_TEST_PG_URL", ""))
    ap.add_argument("--load-only", action="store_true", help="only the 50-desk load runs")
    ap.add_argument("--procs", type=int, default=2, help="load-generator processes")
    ap.add_argument("--no-poll", action="store_true", help="diagnosis: pushes without long-polls")
    ap.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both",
                    help="which hub databases the 50-desk load runs on")
    args = ap.parse_args()
    if args.backend == "postgresql" and not args.pg:
        ap.error("--backend postgresql needs --pg URL or CHECKIN_TEST_PG_URL")
    results: dict[str, Any] = {"size": args.size}
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as d:
        tmp = Path(d)
        if args.load_only:
            prev = Path("bench/results/sync.json")
            if prev.exists():
                old = json.loads(prev.read_text(encoding="utf-8"))
                # Keep the figures this run does not redo (a --backend postgresql run keeps SQLite's).
                redo = {"load_sqlite": args.backend in ("both", "sqlite"),
                        "load_postgresql": bool(args.pg) and args.backend in ("both", "postgresql")}
                results.update({k: old[k] for k in ("hub_publish_s", "initial", "propagation",
                                                    "load_sqlite", "load_postgresql")
                                if k in old and not redo.get(k, False)})
            _run_load(tmp, args, results)
            print(f"results: {write_results('sync', results)}")
            return
        _path, store, publish_s = _hub_from_demo(tmp, args.size)
        results["hub_publish_s"] = round(publish_s, 1)
        tls = tmp / "tls"
        fp = ensure_certificate(tls).fingerprint
        proc = HubProcess(str(_path), tls).start()
        try:
            results["initial"] = bench_initial(tmp, store, proc, fp)
            print(f"initial sync of {args.size} delegates: usable in {results['initial']['usable_s']} s "
                  f"(floor {results['initial']['floor_s']} s, ratio {results['initial']['ratio']}); "
                  f"search index {results['initial']['search_index_s']} s after")
            results["propagation"] = bench_propagation(tmp, store, proc, fp, args.samples)
        finally:
            proc.stop()
            store.db.close()
        _run_load(tmp, args, results)
    out = write_results("sync", results)
    print(f"results: {out}")


def _run_load(tmp: Path, args: argparse.Namespace, results: dict[str, Any]) -> None:
    if args.backend in ("both", "sqlite"):
        results["load_sqlite"] = bench_load(tmp, str(tmp / "load.sqlite3"), "sqlite", args.desks,
                                            args.seconds, args.procs, not args.no_poll)
    if args.pg and args.backend in ("both", "postgresql"):
        import psycopg

        name = scratch_name("checkin_bench")
        with psycopg.connect(pg_admin_url(args.pg), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            results["load_postgresql"] = bench_load(tmp, with_database(args.pg, name), "postgresql",
                                                    args.desks, args.seconds, args.procs,
                                                    not args.no_poll)
        finally:
            with psycopg.connect(pg_admin_url(args.pg), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
