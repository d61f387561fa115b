"""Row checks on two cores: a big file's rows checked by chunks in a worker process and here, in order."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from types import TracebackType

from checkin_app import collector
from checkin_app.domain.messages import Message
from checkin_app.importers.readers import ReadError
from checkin_app.importers.rows import Catalog, Outcome, RowOptions, RowValidator
from checkin_app.lifeline import die_with_parent

# Rows per chunk handed to the worker or checked here: big enough that pickling the chunk and its
# outcomes costs little beside checking it, small enough to keep both sides busy from the start.
CHUNK_ROWS = 2500
# Chunks the worker may hold at once: enough that it never waits for work while this process
# writes what was checked (with 4 of 1,000 rows, the worker stood idle for 2.7 s of an 8 s import
# of 100,000 rows), few enough to keep memory bounded (20,000 rows, some 20 MB checked).
_IN_FLIGHT = 8
# Chunks checked (here or there) but not yet handed on: more would only hold memory.
_AHEAD = 12

Rows = list[tuple[int, Sequence[object]]]
Checked = list[tuple[int, Outcome]]

# The worker process's own validator (made once, by _start_worker), and whether the objects its
# first rows loaded are frozen out of garbage collection.
_WORKER: RowValidator | None = None
_FROZEN = False


def _start_worker() -> None:
    """The worker's start: what every check needs is loaded while the importer still reads the
    file's first rows (a workbook is parsed whole before its first row: about a second)."""
    die_with_parent()  # a killed import must not leave its checker behind
    from checkin_app.domain import romanise
    from checkin_app.importers.countries import country_code

    romanise.warm()  # pypinyin's tables
    country_code("CN")  # the table of CLDR names


def _configure(catalog: Catalog, headers: Sequence[object], mapping: Sequence[str | None],
               options: RowOptions, sheet: str) -> None:
    global _WORKER
    _WORKER = RowValidator(catalog, headers, mapping, options, sheet=sheet)


def _check(rows: Rows) -> Checked:
    global _FROZEN
    assert _WORKER is not None, "the worker's validator is made by _configure, its first task"
    out = [(line, _WORKER.validate(line, cells)) for line, cells in rows]
    if rows and not _FROZEN:
        # What the first rows loaded (pypinyin's tables, CLDR data: half a million objects
        # that are never garbage) is left out of collections, and there are none from then
        # on: they walked all of it several times per 100,000 rows (about a second). For
        # good in this process of our own; the importing process (a desk's GUI, a test run)
        # pauses its collector only while it imports (checkin_app.collector).
        collector.off_in_worker()
        _FROZEN = True
    return out


class ParallelChecker:
    """Checks rows with a validator here and the same validator in one spawned worker process.

    The worker starts when the checker is made, before the file's columns are known; `configure`
    gives it the catalogue, headers, mapping, options and sheet of the local validator, so a
    row's outcome is the same wherever it was checked. Chunks go to the worker while it has
    fewer than _IN_FLIGHT (see `outcomes`); the outcomes come back in line order. Leaving the
    `with` block stops the worker, also when the caller failed or stopped.
    """

    def __init__(self, *, name: str = "") -> None:
        self._name = name
        self._local: RowValidator | None = None
        # Chunks checked by the worker and here (how the work was shared).
        self.sent = self.kept = 0
        # Spawned, not forked: the caller may be a thread of the GUI (as for the key workers).
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker)

    def configure(self, local: RowValidator, catalog: Catalog, headers: Sequence[object],
                  mapping: Sequence[str | None], options: RowOptions, sheet: str) -> None:
        """The validator to check with: `local` here, one made alike in the worker (its next task:
        the one worker takes its tasks in order)."""
        self._local = local
        if self._pool is not None:
            try:
                self._pool.submit(_configure, catalog, list(headers), list(mapping), options, sheet)
            except BrokenProcessPool as exc:
                raise self._died() from exc

    def __enter__(self) -> ParallelChecker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (dropping what it has not done)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def outcomes(self, rows: Iterable[tuple[int, Sequence[object]]]) -> Iterator[tuple[int, Outcome]]:
        """Each row's (line, outcome), in the order of `rows`.

        What is checked is handed on first: the caller writes it while the worker checks more.
        A chunk is checked here only when the worker holds _IN_FLIGHT chunks and nothing checked
        waits to be handed on (this process would otherwise only wait), so a caller with more
        work than the worker (writing the rows) leaves all the checks to the worker.
        """
        local = self._local
        assert local is not None, "configure first"
        pending: deque[Future[Checked] | Checked] = deque()
        source = iter(rows)
        chunk: Rows = list(islice(source, CHUNK_ROWS))
        while chunk or pending:
            while pending and (not isinstance(pending[0], Future) or pending[0].done()):
                yield from self._result(pending.popleft())
            if not chunk or len(pending) >= _AHEAD:
                if pending:  # the end of the rows, or far enough ahead: wait for the front
                    yield from self._result(pending.popleft())
                continue
            in_flight = sum(isinstance(p, Future) and not p.done() for p in pending)
            if self._pool is not None and in_flight < _IN_FLIGHT:
                pending.append(self._submit(chunk))
                self.sent += 1
            else:
                pending.append([(line, local.validate(line, cells)) for line, cells in chunk])
                self.kept += 1
            chunk = list(islice(source, CHUNK_ROWS))

    def _submit(self, chunk: Rows) -> Future[Checked]:
        assert self._pool is not None
        try:
            return self._pool.submit(_check, chunk)
        except BrokenProcessPool as exc:
            # A worker that died between two chunks is seen here, not by a future.
            raise self._died() from exc

    def _died(self) -> ReadError:
        return ReadError(Message("import.check_worker_died", {"name": self._name}))

    def _result(self, item: Future[Checked] | Checked) -> Checked:
        if not isinstance(item, Future):
            return item
        try:
            return item.result()
        except BrokenProcessPool as exc:
            raise self._died() from exc


def worker_count() -> int:
    """Worker processes a big file's checks gain from: one on two cores or more, else none."""
    return 1 if (multiprocessing.cpu_count() or 1) > 1 else 0

