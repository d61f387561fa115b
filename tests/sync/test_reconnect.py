"""A desk is back online within seconds of its hub (a real hub process on loopback), without hammering it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from checkin_app.sync.client import PullSummary, SyncStatus
from checkin_app.sync.protocol import AccessRefused
from checkin_app.sync.worker import MAX_BACKOFF_S, SLOW_BACKOFF_S, SyncWorker, backoff
from tests.sync.conftest import HubRig


def test_backoff_is_capped_low_with_jitter() -> None:
    assert backoff(1, rng=lambda: 1.0) == 0.5 and backoff(1, rng=lambda: 0.0) == 0.25
    assert backoff(2, rng=lambda: 1.0) == 1.0
    for attempt in (3, 4, 10, 1000):
        assert backoff(attempt, rng=lambda: 1.0) == MAX_BACKOFF_S
        assert backoff(attempt, rng=lambda: 0.0) == MAX_BACKOFF_S / 2
    worker = SyncWorker.__new__(SyncWorker)
    worker.max_backoff_s = MAX_BACKOFF_S
    assert worker._cap(AccessRefused("x")) == SLOW_BACKOFF_S  # a revoked desk retries slowly


def test_desk_is_online_within_seconds_of_the_hub_coming_back(rig: HubRig, tmp_path: Path) -> None:
    _db, sync = rig.desk(tmp_path, "Back")
    sync.sync_once()
    statuses: list[tuple[float, bool]] = []
    lock = threading.Lock()

    def on_status(s: SyncStatus) -> None:
        with lock:
            statuses.append((time.monotonic(), s.online))

    pulls: list[float] = []
    real_pull = sync.pull_once

    def counted_pull(**kwargs: object) -> PullSummary:
        pulls.append(time.monotonic())
        return real_pull(**kwargs)  # type: ignore[arg-type]

    sync.pull_once = counted_pull  # type: ignore[method-assign]
    # The desk's real settings: a 25-s long-poll, the default backoff.
    worker = SyncWorker(sync, on_status=on_status)
    worker.start()

    def online_since(t: float) -> bool:
        with lock:
            return any(at >= t and ok for at, ok in statuses)

    def offline_since(t: float) -> bool:
        with lock:
            return any(at >= t and not ok for at, ok in statuses)

    def wait_for(pred: object, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():  # type: ignore[operator]
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    try:
        # Online at once (not after the first 25-s long-poll).
        started = time.monotonic()
        wait_for(lambda: online_since(started), 5.0, "online after start")
        assert time.monotonic() - started < 3.0
        down = time.monotonic()
        rig.proc.kill()
        wait_for(lambda: offline_since(down), 10.0, "offline after the hub died")
        time.sleep(8.0)  # long enough for the old backoff (1, 2, 4, 8 … s) to have grown
        pulls_while_down = [t for t in pulls if t >= down]
        down_for = time.monotonic() - down
        # Not hammering: about one attempt every 1-2 s.
        assert len(pulls_while_down) <= down_for / 0.9 + 3, (len(pulls_while_down), down_for)
        rig.proc.start()
        back = time.monotonic()
        wait_for(lambda: online_since(back), 10.0, "online after the hub came back")
        took = min(at for at, ok in statuses if at >= back and ok) - back
        assert took <= 3.0, took
    finally:
        worker.stop()
        sync.close_clients()
