"""The hub's in-memory change feed and its batching push writer, on a real hub database."""

from __future__ import annotations

import asyncio
import json
import threading
from functools import partial
from typing import Any

import pytest

from checkin_app.hub import feed as feed_mod
from checkin_app.hub.desks import DeskIdentity
from checkin_app.hub.feed import ChangeFeed, change_line
from checkin_app.hub.pushes import Prepared, PushWriter
from checkin_app.hub.store import HubStore
from tests.factories import MiniEvent, local
from tests.hub.test_ingest import checkin


def _feed(hub: HubStore, capacity: int = feed_mod.CAPACITY) -> ChangeFeed:
    def read_beyond(since: int, n: int) -> list[tuple[int, str, str, str]]:
        with hub.db.read() as session:
            return list(hub.changes(session, since, n))

    return ChangeFeed(read_beyond, hub.high_water, capacity)


def _db_lines(hub: HubStore, since: int) -> list[bytes]:
    with hub.db.read() as session:
        return [change_line(*row) for row in hub.changes(session, since, None)]


def test_tail_answers_exactly_what_the_database_would(hub: HubStore) -> None:
    async def scenario() -> None:
        feed = _feed(hub)
        await feed.start()
        start = feed.high
        assert feed.slice(start, None) == ([], start, False)
        assert feed.slice(start - 1, None) is None  # before the tail: the database answers
        code = MiniEvent().attendee
        for minute in range(5):
            hub.ingest("A", [checkin(code, "MAIN", "A", local(23, 9, minute))])
        assert await feed.wait_beyond(start, 0.01) is False  # nothing read in yet
        await feed.refresh()
        assert await feed.wait_beyond(start, 0.01) is True
        lines, last, more = feed.slice(start, None) or ([], 0, True)
        assert lines == _db_lines(hub, start) and len(lines) == 5 and not more
        assert last == hub.high_water() == feed.high
        assert all(json.loads(line)["t"] == "checkins" for line in lines)
        # Paging: at most `limit`, `more` says whether to come back at once.
        page, page_last, page_more = feed.slice(start, 2) or ([], 0, False)
        assert page == lines[:2] and page_more
        assert feed.slice(page_last, 10) == (lines[2:], last, False)

    asyncio.run(scenario())


def test_a_waiting_pull_wakes_when_a_refresh_brings_news(hub: HubStore) -> None:
    async def scenario() -> float:
        feed = _feed(hub)
        await feed.start()
        since = feed.high
        loop = asyncio.get_running_loop()
        waiter = asyncio.create_task(feed.wait_beyond(since, 10.0))
        await asyncio.sleep(0.05)
        assert not waiter.done()
        hub.ingest("A", [checkin(MiniEvent().vip, "MAIN", "A", local(23, 9))])
        t0 = loop.time()
        await feed.refresh()
        assert await asyncio.wait_for(waiter, 2.0) is True
        return loop.time() - t0

    assert asyncio.run(scenario()) < 1.0


def test_tail_keeps_the_newest_changes_and_restarts_after_a_big_jump(
        hub: HubStore, monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        feed = _feed(hub, capacity=3)
        await feed.start()
        start = feed.high
        code = MiniEvent().attendee
        for minute in range(5):
            hub.ingest("A", [checkin(code, "MAIN", "A", local(23, 9, minute))])
            await feed.refresh()
        assert feed.stats()["in_memory"] == 3
        assert feed.slice(start, None) is None  # the two oldest fell out: the database answers
        lines, _last, _more = feed.slice(feed.low, None) or ([], 0, False)
        assert lines == _db_lines(hub, feed.low) and len(lines) == 3
        # More new rows at once than one refresh reads (a `hub load` elsewhere): start afresh.
        monkeypatch.setattr(feed_mod, "REFRESH_MAX", 2)
        for minute in range(3):
            hub.ingest("B", [checkin(code, "LOUNGE", "B", local(23, 10, minute))])
        await feed.refresh()
        assert feed.low == feed.high == hub.high_water()
        assert feed.slice(feed.high, None) == ([], feed.high, False)

    asyncio.run(scenario())


def _prepared(hub: HubStore, name: str, items: list[dict[str, Any]]) -> Prepared:
    return DeskIdentity(0, name), items


def test_writer_stores_waiting_pushes_together_and_isolates_a_bad_one(hub: HubStore) -> None:
    writer = PushWriter(hub)
    calls: list[int] = []
    real = hub.ingest_many

    def counting(pushes: Any) -> Any:
        calls.append(len(pushes))
        # The hub refuses an unstorable item alone (tests/hub/test_adversarial.py); a push whose
        # storing fails anyway (a database error) stands in for one here.
        if any(desk == "D" for desk, _items in pushes):
            raise ValueError("this push cannot be stored")
        return real(pushes)

    hub.ingest_many = counting  # type: ignore[method-assign]
    try:
        gate, entered = threading.Event(), threading.Event()
        first = checkin(MiniEvent().attendee, "MAIN", "A", local(23, 9, 1))

        def held() -> Prepared:
            entered.set()
            gate.wait(10)  # keeps the writer busy while the next pushes queue up
            return _prepared(hub, "A", [first])

        f0 = writer.submit(held).future
        assert entered.wait(10)
        good = [checkin(MiniEvent().vip, "MAIN", "B", local(23, 9, 2)),
                checkin(MiniEvent().noted, "MAIN", "C", local(23, 9, 3))]
        broken_audit = {"table": "audit", "key": "x", "payload": {"uuid": "x", "at": "not a time"}}
        futures = [writer.submit(partial(_prepared, hub, "B", [g])).future for g in good]
        futures.insert(1, writer.submit(partial(_prepared, hub, "D", [broken_audit])).future)

        def refused() -> Prepared:
            raise PermissionError("refused")

        futures.append(writer.submit(refused).future)
        gate.set()
        assert [s["key"] for s in f0.result(10)[1].stored] == [first["key"]]
        ok_b, bad, ok_c, no = futures
        assert [s["key"] for s in ok_b.result(10)[1].stored] == [good[0]["key"]]
        assert [s["key"] for s in ok_c.result(10)[1].stored] == [good[1]["key"]]
        with pytest.raises(ValueError):
            bad.result(10)
        with pytest.raises(PermissionError):
            no.result(10)
        # The three queued pushes went to the database as one batch; it failed on the bad
        # one, and the two good ones were then stored on their own.
        assert calls[:2] == [1, 3]
        assert sorted(calls[2:]) == [1, 1, 1]
    finally:
        writer.close()
        hub.ingest_many = real  # type: ignore[method-assign]


def test_a_push_the_database_refuses_whole_is_stored_item_by_item(hub: HubStore) -> None:
    """An item no check foresaw that the database will not take is refused alone, not '503 retry'."""
    from sqlalchemy.exc import IntegrityError

    writer = PushWriter(hub)
    real = hub.ingest_many
    poison = checkin(MiniEvent().noted, "MAIN", "A", local(23, 9, 4))

    def picky(pushes: Any) -> Any:
        if any(it["key"] == poison["key"] for _desk, items in pushes for it in items):
            raise IntegrityError("INSERT ...", {}, Exception("value violates a constraint"))
        return real(pushes)

    hub.ingest_many = picky  # type: ignore[method-assign]
    try:
        good = [checkin(MiniEvent().vip, "MAIN", "A", local(23, 9, 2)),
                checkin(MiniEvent().media_allowed, "MAIN", "A", local(23, 9, 5))]
        job = writer.submit(partial(_prepared, hub, "A", [good[0], poison, good[1]]))
        _desk, result = job.future.result(20)
        assert [s["key"] for s in result.stored] == [good[0]["key"], good[1]["key"]]
        assert [r["key"] for r in result.rejected] == [poison["key"]]
        assert "cannot store" in result.rejected[0]["reason"]
    finally:
        writer.close()
        hub.ingest_many = real  # type: ignore[method-assign]
