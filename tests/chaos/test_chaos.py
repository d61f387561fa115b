"""Chaos: SIGKILL the hub and the desks at random moments while scans flow; nothing is lost or doubled.

A real hub process (`checkin-app hub`, HTTPS on loopback, SQLite or PostgreSQL) and three desk
processes (tests/chaos/desk_driver.py: the check-in service and the desk's sync worker, as the
app runs them) scan people continuously. A seeded schedule kills the hub or a desk with SIGKILL
(no shutdown code runs, as when the power goes) and starts it again after a random pause. Then
every desk syncs to the end, and the test asserts:

- every scan a desk reported as recorded is at the hub exactly once, and at every desk;
- no uuid twice anywhere; the hub and every desk hold the same check-in events;
- presence ("checked in", "inside now", first and last desk) and the counts derived from it are
  the same at every desk and at the hub.

The seed is random per run (CHAOS_SEED=N repeats one) and printed, with the schedule, on failure.
Bounded: CHAOS_SECONDS (default 20) of chaos per backend, then the final sync.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checkin_app.demo.hub import load_demo
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import ensure_certificate
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import EnrolmentCode, SyncError
from tests.hub.support import ROOT, HubProcess

DESKS = 3
CHAOS_S = float(os.environ.get("CHAOS_SECONDS", "20"))
UUID_LINE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class Desk:
    """One desk process: its database, what it printed, and how often it was killed."""

    name: str
    db: Path
    codes: Path
    out: Path
    log: Path
    stop_file: Path
    since: str
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, seed: int) -> None:
        """Start the desk process (it scans until killed or told to stop)."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.starts += 1
        with self.out.open("ab") as out, self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.chaos.desk_driver", "--db", str(self.db), "--desk",
                 self.name, "--codes", str(self.codes), "--seed", str(seed * 100 + self.starts),
                 "--since", self.since, "--stop-file", str(self.stop_file)],
                stdout=out, stderr=log, env=env, cwd=str(ROOT))

    def kill(self) -> None:
        """SIGKILL."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def reported(self) -> list[str]:
        """UUIDs the desk said it recorded: whole lines only (a kill may cut the last one)."""
        text = self.out.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.split("\n")[:-1] if UUID_LINE.match(line)]


@dataclass
class Figures:
    """What one chaos run did."""

    seed: int
    backend: str
    hub_kills: int = 0
    desk_kills: int = 0
    reported: int = 0
    events: int = 0
    undos: int = 0
    conflicts: int = 0
    chaos_s: float = 0.0
    final_sync_s: float = 0.0
    schedule: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the log and the README."""
        return (f"chaos {self.backend} seed={self.seed}: {self.hub_kills} hub + {self.desk_kills} desk "
                f"SIGKILLs in {self.chaos_s:.1f} s, {self.reported} scans reported recorded, "
                f"{self.events} events at the hub ({self.undos} undos, {self.conflicts} flagged as "
                f"conflicts), final sync {self.final_sync_s:.1f} s")


def _events(db: HubDatabase | Database) -> list[tuple[Any, ...]]:
    """Every check-in event as a replica holds it, by natural keys (ids differ between replicas)."""
    with db.read() as s:
        rows = s.execute(
            select(m.CheckIn.uuid, m.Delegate.uid, m.Activity.code, m.CheckIn.direction, m.CheckIn.desk,
                   m.CheckIn.at, m.CheckIn.verdict, m.CheckIn.forced, m.CheckIn.undoes,
                   m.CheckIn.conflict)
            .join(m.Delegate, m.Delegate.id == m.CheckIn.delegate_id)
            .join(m.Activity, m.Activity.id == m.CheckIn.activity_id)).all()
    return sorted(tuple(r) for r in rows)


def _presence(db: HubDatabase | Database) -> list[tuple[Any, ...]]:
    """The presence projection by natural keys."""
    with db.read() as s:
        rows = s.execute(
            select(m.Delegate.uid, m.Activity.code, m.Presence.first_in_uuid, m.Presence.first_in_at,
                   m.Presence.first_in_desk, m.Presence.last_direction, m.Presence.last_at,
                   m.Presence.last_desk)
            .join(m.Delegate, m.Delegate.id == m.Presence.delegate_id)
            .join(m.Activity, m.Activity.id == m.Presence.activity_id)).all()
    return sorted(tuple(r) for r in rows)


def _counts(presence: list[tuple[Any, ...]]) -> dict[str, tuple[int, int]]:
    """Per activity: (checked in, inside now), as the desk and the dashboard count them."""
    checked = Counter(p[1] for p in presence)
    inside = Counter(p[1] for p in presence if p[5] == "in")
    return {code: (checked[code], inside[code]) for code in checked}


def _final_sync(desk: Desk, rounds: int = 40) -> None:
    """Sync a desk until its queue is empty (the hub may still be starting)."""
    db = Database(desk.db)
    sync = DeskSync(db)
    try:
        for _ in range(rounds):
            try:
                pushed, _applied = sync.sync_once()
            except SyncError:
                time.sleep(0.5)
                continue
            if pushed.remaining == 0 and sync.pending_count() == 0 and not sync.refusals():
                return
        raise AssertionError(f"{desk.name}: queue not empty after {rounds} rounds: "
                             f"{sync.pending_count()} pending, refused {sync.refusals()[:3]}")
    finally:
        sync.close_clients()
        db.close()


def _start_soon(hub: HubProcess) -> threading.Thread:
    """Start the hub without waiting for it: desks keep scanning, and the schedule may kill it
    again while it is still starting (migrations, first connections)."""
    def start() -> None:
        with contextlib.suppress(RuntimeError):  # killed before it answered: the schedule's doing
            hub.start(timeout=30)

    t = threading.Thread(target=start, name="hub-start", daemon=True)
    t.start()
    return t


def run_chaos(tmp: Path, hub_url: str, backend: str, seed: int) -> Figures:
    """Build the hub and desks, run the seeded kill schedule, sync to the end; returns the figures."""
    fig = Figures(seed, backend)
    rng = random.Random(seed)
    hub_db = HubDatabase(hub_url)
    store = HubStore(hub_db)
    load_demo(store.db, size=300, seed=7)
    store.refresh()
    with hub_db.read() as s:
        people = list(s.scalars(select(m.Delegate.registration_code)
                                .where(m.Delegate.status == "approved").order_by(m.Delegate.id)))
    tls = tmp / "tls"
    fp = ensure_certificate(tls).fingerprint
    hub = HubProcess(hub_url, tls, log=tmp / "hub.log").start()
    since = datetime.now(UTC).isoformat()
    desks: list[Desk] = []
    try:
        for i in range(DESKS):
            name = f"chaos-{i + 1}"
            d = Desk(name, tmp / f"{name}.sqlite3", tmp / f"{name}.codes", tmp / f"{name}.out",
                     tmp / f"{name}.log", tmp / "stop", since)
            db = Database(d.db)
            sync = DeskSync(db)
            sync.enrol(EnrolmentCode(hub.url, store.create_enrolment(name), fp, name).encode())
            sync.sync_once()
            sync.close_clients()
            db.close()
            # Overlapping crowds: the same person scanned at two desks (offline) is a conflict
            # the hub flags, and every replica must show the same flag.
            d.codes.write_text("\n".join(rng.sample(people, min(len(people), 120))), encoding="utf-8")
            desks.append(d)
        hub_db.close()
        for d in desks:
            d.start(seed)

        # The schedule: at random moments kill the hub or a desk, start it again after a pause.
        t0 = time.monotonic()
        starting: threading.Thread | None = None
        pending: list[tuple[float, str, int]] = []  # (when, "start", target) restarts to come
        next_kill = t0 + rng.uniform(0.5, 2.0)
        while True:
            now = time.monotonic()
            due = [p for p in pending if p[0] <= now]
            for p in due:
                pending.remove(p)
                if p[2] < 0:
                    fig.schedule.append(f"{now - t0:6.2f}s start hub")
                    starting = _start_soon(hub)
                else:
                    fig.schedule.append(f"{now - t0:6.2f}s start {desks[p[2]].name}")
                    desks[p[2]].start(seed)
            if now - t0 >= CHAOS_S:
                break
            if now >= next_kill:
                down = {-1 for p in pending if p[2] < 0} | {p[2] for p in pending}
                choices = [t for t in [-1, -1, *range(DESKS)] if t not in down]
                if choices:
                    target = rng.choice(choices)
                    # The hub stays down longer: desks then admit offline, the same person
                    # at two desks becomes a conflict the hub must flag alike everywhere.
                    pause = rng.uniform(0.5, 2.5) if target < 0 else rng.uniform(0.1, 1.0)
                    if target < 0:
                        hub.kill()
                        fig.hub_kills += 1
                        fig.schedule.append(f"{now - t0:6.2f}s SIGKILL hub (down {pause:.2f}s)")
                    else:
                        desks[target].kill()
                        fig.desk_kills += 1
                        fig.schedule.append(f"{now - t0:6.2f}s SIGKILL {desks[target].name} "
                                            f"(down {pause:.2f}s)")
                    pending.append((now + pause, "start", target))
                next_kill = now + rng.uniform(0.8, 2.5)
            time.sleep(0.02)
        for _when, _what, target in pending:  # what is still down comes back for the final sync
            if target < 0:
                starting = _start_soon(hub)
            else:
                desks[target].start(seed)
        if starting is not None:
            starting.join(40)
        if hub.proc is None or hub.proc.poll() is not None:  # killed while it was starting
            hub.start(timeout=30)
        fig.chaos_s = time.monotonic() - t0

        # The end of the day: scanning stops, every desk syncs until nothing is queued, then
        # once more so each has pulled what the others pushed last.
        (tmp / "stop").touch()
        for d in desks:
            try:
                assert d.proc is not None
                d.proc.wait(15)
            except subprocess.TimeoutExpired:
                d.kill()
        t1 = time.monotonic()
        for d in desks:
            _final_sync(d)
        for d in desks:
            _final_sync(d)
        fig.final_sync_s = time.monotonic() - t1
    finally:
        for d in desks:
            d.kill()
        hub.stop()

    hub_db = HubDatabase(hub_url)
    try:
        at_hub = _events(hub_db)
        hub_presence = _presence(hub_db)
    finally:
        hub_db.close()
    fig.events = len(at_hub)
    fig.undos = sum(1 for e in at_hub if e[8])
    fig.conflicts = sum(1 for e in at_hub if e[9])
    hub_uuids = Counter(e[0] for e in at_hub)
    context = fig.line() + "\n" + "\n".join(fig.schedule)
    assert not [u for u, n in hub_uuids.items() if n > 1], context
    assert fig.events > 0 and hub_presence, context
    for d in desks:
        said = d.reported()
        fig.reported += len(said)
        assert said, f"{d.name} recorded nothing: {d.log.read_text(errors='replace')[-2000:]}\n{context}"
        assert len(said) == len(set(said)), context
        lost = [u for u in said if hub_uuids[u] != 1]
        assert not lost, f"{d.name}: {len(lost)} recorded scans not at the hub once: {lost[:5]}\n{context}"
        db = Database(d.db)
        try:
            here, presence = _events(db), _presence(db)
        finally:
            db.close()
        assert len({e[0] for e in here}) == len(here), f"{d.name}: a uuid twice\n{context}"
        assert here == at_hub, (f"{d.name}: events differ from the hub's "
                                f"({len(here)} vs {len(at_hub)}; first differences "
                                f"{sorted(set(here) ^ set(at_hub))[:3]})\n{context}")
        assert presence == hub_presence, (f"{d.name}: presence differs "
                                          f"{sorted(set(presence) ^ set(hub_presence))[:3]}\n{context}")
        assert _counts(presence) == _counts(hub_presence), context
    assert fig.hub_kills + fig.desk_kills >= 4, context  # the schedule really ran
    return fig


@pytest.fixture(params=["sqlite", "postgresql"])
def chaos_hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The hub database, once per backend (PostgreSQL: a fresh migrated scratch database)."""
    if request.param == "sqlite":
        yield str(tmp_path / "hub.sqlite3")
    else:
        yield str(request.getfixturevalue("pg_url"))


@pytest.mark.slow
def test_chaos_kills_lose_nothing_and_replicas_agree(chaos_hub_url: str, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    seed = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(1, 10**6))
    backend = "sqlite" if chaos_hub_url.endswith(".sqlite3") else "postgresql"
    print(f"\nchaos seed {seed} ({backend}); repeat with CHAOS_SEED={seed}")
    fig = run_chaos(tmp_path, chaos_hub_url, backend, seed)
    print(fig.line())
