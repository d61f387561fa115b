"""The hub's push writer: one thread stores pushes, every push waiting at that moment in one transaction."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError

from checkin_app.domain.messages import both, msg
from checkin_app.hub import vetting as vet
from checkin_app.hub.desks import DeskIdentity
from checkin_app.hub.ingest import PushResult
from checkin_app.hub.store import HubStore

log = logging.getLogger("checkin_app.hub")
# Pushes taken into one transaction at most; a desk's own push is at most 500 items.
MAX_BATCH = 64
# And at most this many bytes of JSON (each push's weight: an upper bound of its body once
# decompressed), so a batch of large pushes never holds more than this (plus one push) at once.
MAX_BATCH_BYTES = 16 * 1024 * 1024
# A push the database refuses whole is stored item by item when it has at most this many.
MAX_ONE_BY_ONE = 5000

Prepared = tuple[DeskIdentity, list[dict[str, Any]]]


@dataclass
class _Job:
    prepare: Callable[[], Prepared]
    weight: int = 0
    future: Future[tuple[DeskIdentity, PushResult]] = field(default_factory=Future)
    # perf_counter() when its transaction began and ended (Server-Timing, load diagnosis).
    stored: tuple[float, float] = (0.0, 0.0)


class PushWriter:
    """Stores pushes on its own thread, in arrival order.

    Each job first prepares itself (decompress, parse, authenticate: errors go to that job
    alone); the writer then stores every job that was waiting in one transaction, so under load
    the durable commit and the transaction's fixed costs are paid once per batch, not per push.
    Should the batch fail as a whole, each push is stored on its own, so one bad push never
    takes the others down with it.
    """

    def __init__(self, store: HubStore, max_batch: int = MAX_BATCH,
                 max_bytes: int = MAX_BATCH_BYTES) -> None:
        self.store = store
        self.max_batch = max_batch
        self.max_bytes = max_bytes
        self._next: _Job | None = None  # taken from the queue, too heavy for the last batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="hub-push-writer", daemon=True)
        self._thread.start()

    def submit(self, prepare: Callable[[], Prepared], weight: int = 0) -> _Job:
        """Queue one push; its future gives the desk and what was stored, or the push's error.

        `weight`: at most how many bytes the push's body holds once prepared (batches are
        bounded by it).
        """
        job = _Job(prepare, weight)
        self._queue.put(job)
        return job

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first, self._next = self._next or self._queue.get(), None
            if first is None:
                return
            jobs, weight = [first], first.weight
            while len(jobs) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                if weight + nxt.weight > self.max_bytes:
                    self._next = nxt  # first in the next batch
                    break
                jobs.append(nxt)
                weight += nxt.weight
            self._store(jobs)
        if self._next is not None:
            self._store([self._next])

    def _store(self, jobs: list[_Job]) -> None:
        ready: list[tuple[_Job, Prepared]] = []
        for job in jobs:
            try:
                ready.append((job, job.prepare()))
            except BaseException as exc:  # the push's own error (refused, malformed): its answer
                job.future.set_exception(exc)
        if not ready:
            return
        began = time.perf_counter()
        try:
            results = self.store.ingest_many([(desk.name, items) for _job, (desk, items) in ready])
        except BaseException as exc:
            if len(ready) == 1:
                self._one(ready[0][0], *ready[0][1], exc)
                return
            log.warning("a batch of %d pushes failed (%s); storing them one by one", len(ready), exc)
            for job, (desk, items) in ready:
                try:
                    job.future.set_result((desk, self.store.ingest(desk.name, items)))
                except BaseException as one:
                    self._one(job, desk, items, one)
            return
        ended = time.perf_counter()
        for (job, (desk, _items)), result in zip(ready, results, strict=True):
            job.stored = (began, ended)
            job.future.set_result((desk, result))

    def _one(self, job: _Job, desk: DeskIdentity, items: list[dict[str, Any]], exc: BaseException) -> None:
        """One push failed as a whole. If the database refused something in it (a constraint,
        a value it cannot take), store its items one by one, in order, and refuse only those it
        will not take: one unstorable item never holds back the desk's queue ("503, try again"
        for ever). Any other failure (the database down) is the push's answer."""
        if not isinstance(exc, IntegrityError | DataError) or len(items) > MAX_ONE_BY_ONE:
            job.future.set_exception(exc)
            return
        log.warning("a push of %s could not be stored whole (%s); storing its %d items one by one",
                    desk.name, str(exc).splitlines()[0][:200], len(items))
        total = PushResult()
        try:
            for it in items:
                try:
                    one = self.store.ingest(desk.name, [it])
                except (IntegrityError, DataError) as why:
                    key = vet.item_key(it)
                    table = str(it.get("table", ""))[:40] if isinstance(it, dict) else ""
                    reason = (str(why.orig) if why.orig is not None else str(why)).splitlines()[0][:200]
                    total.rejected.append({"table": table, "key": key, "reason": both(
                        msg("hub.item.unstorable", reason=reason))})
                    continue
                total.stored += one.stored
                total.duplicates += one.duplicates
                total.rejected += one.rejected
                total.high = max(total.high, one.high)
        except BaseException as other:
            job.future.set_exception(other)
            return
        job.future.set_result((desk, total))
