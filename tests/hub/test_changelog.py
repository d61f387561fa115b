"""The hub's change log on SQLite and PostgreSQL: one snapshot per row, sequence numbers in commit order."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.changelog import ChangeLog
from checkin_app.hub.store import HubStore
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from tests.factories import MiniEvent


@pytest.fixture
def changelog(hub: HubStore, clock: FixedClock) -> ChangeLog:
    """The change log of a hub holding the small event, on its own (not through HubStore)."""
    return ChangeLog(hub.db, clock)


def log_rows(changelog: ChangeLog) -> list[tuple[int, str, str]]:
    with changelog.db.read() as s:
        return [(r.seq, r.table_name, r.row_key) for r in s.scalars(
            select(mh.HubChange).order_by(mh.HubChange.seq))]


def test_refresh_publishes_each_row_once_and_only_changes_later(changelog: ChangeLog) -> None:
    rows = log_rows(changelog)
    keys = [(t, k) for _, t, k in rows]
    assert len(keys) == len(set(keys))
    assert {"events", "categories", "activities", "delegates"} <= {t for t, _ in keys}
    assert changelog.refresh() == 0
    with changelog.db.write() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == MiniEvent().vip))
        assert d is not None
        d.attention_note = "坐第一排 / front row"
    high = changelog.high_water()
    assert changelog.refresh() == 1
    after = log_rows(changelog)
    assert len(after) == len(rows)  # replaced, not appended
    vip = [r for r in after if r[2] == MiniEvent().vip]
    assert vip[0][0] > high
    # The feed reads exactly the changed row after the old high-water mark.
    assert [(t, k) for _, t, k, _ in changelog.changes_after(high, 100)] == [("delegates", MiniEvent().vip)]


def test_concurrent_writers_commit_in_sequence_order(changelog: ChangeLog) -> None:
    """A writer that allocated seq N must commit before seq N+1 can become visible.

    On PostgreSQL two transactions could otherwise commit out of order, and a desk pulling
    "seq > cursor" in between would skip the slower one forever.
    """
    commits: list[tuple[str, int]] = []
    started = threading.Event()

    def slow() -> None:
        with changelog.db.write() as s:
            seq = changelog.allocate(s, 1)
            started.set()
            time.sleep(0.4)
            commits.append(("slow", seq))

    def fast() -> None:
        started.wait(5)
        with changelog.db.write() as s:
            seq = changelog.allocate(s, 1)
            commits.append(("fast", seq))

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert [name for name, _ in commits] == ["slow", "fast"]
    assert commits[0][1] < commits[1][1]
