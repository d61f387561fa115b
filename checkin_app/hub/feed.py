"""The newest part of the hub's change log, kept in memory so woken long-polls skip the database."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import anyio

log = logging.getLogger("checkin_app.hub")
# Changes kept in memory: enough for every desk that is merely behind by minutes of scanning;
# a desk further behind (a first download, a desk back from hours offline) reads the database.
CAPACITY = 50_000
# One refresh reads at most this many rows; a bigger jump (a `hub load` in another process)
# restarts the tail at the new end instead of holding the whole import in memory.
REFRESH_MAX = 10_000


def change_line(seq: int, table: str, key: str, payload: str) -> bytes:
    """One NDJSON change line; the payload is stored as JSON text already and is spliced in as is."""
    k = json.dumps(key, ensure_ascii=False)
    return f'{{"s":{seq},"t":"{table}","k":{k},"p":{payload}}}\n'.encode()


class ChangeFeed:
    """The change log's tail (every change with low < seq <= high) and the long-poll wake-up.

    With 50 desks long-polling, every check-in wakes 50 pulls at once. Reading the new rows
    once per change (instead of once per desk) and answering from memory keeps those pulls off
    the database and out of the worker threads that pushes need.
    """

    def __init__(self, read_beyond: Callable[[int, int], list[tuple[int, str, str, str]]],
                 read_high: Callable[[], int], capacity: int = CAPACITY,
                 on_tables: Callable[[set[str]], None] | None = None) -> None:
        self._read_beyond = read_beyond
        self._read_high = read_high
        # Told which tables changed (the hub drops ids it remembered for them).
        self._on_tables = on_tables or (lambda _tables: None)
        self.capacity = capacity
        self.high = 0
        self.low = 0
        self._seqs: list[int] = []
        self._lines: list[bytes] = []
        self._cond: asyncio.Condition | None = None
        self._lock: asyncio.Lock | None = None
        self._again = False
        # Long-polls waiting right now: how many answers one change sets off at once.
        self.waiting = 0
        # Set when the hub stops: every long-poll answers at once, none starts waiting.
        self.closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waking: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin on the server's event loop at the log's current end (older changes: the database)."""
        self._cond = asyncio.Condition()
        self._lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self.high = self.low = await anyio.to_thread.run_sync(self._read_high)

    async def refresh(self) -> None:
        """Take in what was committed beyond `high`, then wake the waiting pulls.

        Refreshes never overlap; one asked for while another runs makes that one go round again,
        so a burst of pushes costs a few reads, not one each.
        """
        assert self._lock is not None and self._cond is not None
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            while True:
                self._again = False
                rows = await anyio.to_thread.run_sync(self._read_beyond, self.high, REFRESH_MAX)
                if len(rows) >= REFRESH_MAX:
                    # Too much at once to keep: start the tail afresh at the end of the log.
                    self._on_tables({"activities", "categories", "delegates", "events"})
                    high = await anyio.to_thread.run_sync(self._read_high)
                    self._seqs, self._lines = [], []
                    self.low = high
                    await self._announce(high)
                elif rows:
                    self._on_tables({r[1] for r in rows})
                    self._seqs.extend(r[0] for r in rows)
                    self._lines.extend(change_line(*r) for r in rows)
                    self._trim()
                    await self._announce(rows[-1][0])
                if not self._again:
                    return

    async def _announce(self, high: int) -> None:
        assert self._cond is not None
        async with self._cond:
            if high > self.high:
                self.high = high
                self._cond.notify_all()

    def close(self) -> None:
        """Wake every waiting long-poll now (the hub is stopping); callable from any thread."""
        self.closing = True
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        async def wake() -> None:
            assert self._cond is not None
            async with self._cond:
                self._cond.notify_all()

        def schedule() -> None:
            self._waking = loop.create_task(wake())

        loop.call_soon_threadsafe(schedule)

    def _trim(self) -> None:
        extra = len(self._seqs) - self.capacity
        if extra > 0:
            self.low = self._seqs[extra - 1]
            del self._seqs[:extra]
            del self._lines[:extra]

    async def wait_beyond(self, since: int, timeout: float) -> bool:
        """Wait until something newer than `since` is here, or the timeout passes."""
        if self.high > since or self._cond is None or self.closing:
            return self.high > since
        self.waiting += 1
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout), self._cond:
                    await self._cond.wait_for(lambda: self.high > since or self.closing)
        finally:
            self.waiting -= 1
        return self.high > since

    def slice(self, since: int, limit: int | None) -> tuple[list[bytes], int, bool] | None:
        """(lines, last seq, more) after `since` from memory; None if the tail does not reach back so far."""
        if since < self.low or since > self.high:
            return None
        i = bisect.bisect_right(self._seqs, since)
        j = len(self._seqs) if limit is None else min(len(self._seqs), i + limit)
        last = self._seqs[j - 1] if j > i else since
        return self._lines[i:j], last, limit is not None and j - i >= limit

    def stats(self) -> dict[str, Any]:
        """For the dashboard and logs."""
        return {"high": self.high, "low": self.low, "in_memory": len(self._seqs), "waiting": self.waiting}

