"""A desk process for the chaos test: scans people as a volunteer would while its sync worker runs.

Run: python -m tests.chaos.desk_driver --db DESK.sqlite3 --desk NAME --codes FILE --seed N --since ISO
Each scan (and the odd undo of its own last admission) that recorded an event prints its UUID
on a line of its own, flushed, after the write committed: a line on stdout is the desk telling
the volunteer "recorded". The process runs until it is killed (SIGKILL at a random moment is
the point) or until --stop-file appears.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# The event's doors are open then; the clock runs on from the instant the test started (--since),
# so a restarted desk does not go back in time.
DOORS = datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def main() -> int:
    """Scan until killed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--desk", required=True)
    ap.add_argument("--codes", type=Path, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--since", required=True)
    ap.add_argument("--stop-file", type=Path, required=True)
    ap.add_argument("--pause-ms", type=float, default=40.0)
    # The main entrance (re-entry, once a day) and a single-entry activity open at DOORS (the
    # demo's opening ceremony): two desks admitting one person there offline is a conflict.
    ap.add_argument("--activities", default="MAIN,OPENING")
    args = ap.parse_args()

    from checkin_app.domain.clock import OffsetClock
    from checkin_app.services.checkin import CheckInService
    from checkin_app.storage.db import Database
    from checkin_app.sync.client import DeskSync
    from checkin_app.sync.worker import SyncWorker

    clock = OffsetClock(DOORS, since=datetime.fromisoformat(args.since))
    db = Database(args.db)
    service = CheckInService(db, clock)
    # Sync speaks real time with the hub, as the desk app's SyncBridge does.
    worker = SyncWorker(DeskSync(db), long_poll_s=2.0, push_interval_s=0.5, max_backoff_s=0.5,
                        min_pull_interval_s=0.2)
    worker.start()
    codes = args.codes.read_text(encoding="utf-8").split()
    rng = random.Random(args.seed)
    activities = args.activities.split(",")
    print("ready", flush=True)
    last: list[str] = []  # this process's own admissions, newest last, that may be undone
    while not args.stop_file.exists():
        if last and rng.random() < 0.08:
            # A volunteer's undo of their own last admission: an event of its own, which
            # changes presence at every replica once it travels.
            record = service.undo(last.pop(), desk=args.desk, operator="chaos", reason="chaos")
            sys.stdout.write(record.uuid + "\n")
            sys.stdout.flush()
        result = service.scan(rng.choice(codes), activity_code=rng.choice(activities),
                              desk=args.desk, operator="chaos")
        if result.event is not None:
            sys.stdout.write(result.event.uuid + "\n")
            sys.stdout.flush()
            if result.event.verdict in ("ADMIT", "ADMIT_WITH_ATTENTION"):
                last.append(result.event.uuid)
        worker.kick()
        time.sleep(rng.uniform(0.5, 1.5) * args.pause_ms / 1000)
    worker.stop()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
