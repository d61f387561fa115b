"""Run service calls off the GUI thread and post results back (after Picard's run_task)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class _Job(QRunnable):
    """Calls one function in a pool thread and reports through the runner's signal."""

    def __init__(self, job_id: int, fn: Callable[[], Any], runner: TaskRunner) -> None:
        super().__init__()
        self._id = job_id
        self._fn = fn
        self._runner = runner

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # every failure must reach the GUI, never kill it
            self._runner.jobFinished.emit(self._id, False, exc)
            return
        self._runner.jobFinished.emit(self._id, True, result)


class TaskRunner(QObject):
    """Two pools: one writer thread (SQLite has one writer, and scans stay in order) and readers.

    Signals:
        jobFinished(int, bool, object): internal; a job id, whether it succeeded, and its
            result or exception. Emitted from pool threads, delivered on the GUI thread.
        busyChanged(bool): whether any write is queued or running.
    """

    jobFinished = Signal(int, bool, object)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, readers: int = 2) -> None:
        super().__init__(parent)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._reader = QThreadPool(self)
        self._reader.setMaxThreadCount(readers)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Success | None, Failure | None, bool]] = {}
        self._pending_writes = 0
        self._closed = False
        # Queued explicitly: the emitter is a pool thread, the callbacks touch widgets.
        self.jobFinished.connect(self._on_job_finished, Qt.ConnectionType.QueuedConnection)

    def write(self, fn: Callable[[], Any], on_done: Success | None = None,
              on_error: Failure | None = None) -> None:
        """Queue a write; writes run one at a time in the order they were queued."""
        self._start(self._writer, fn, on_done, on_error, is_write=True)

    def read(self, fn: Callable[[], Any], on_done: Success | None = None,
             on_error: Failure | None = None) -> None:
        """Queue a read; reads may run in parallel with each other and with the writer."""
        self._start(self._reader, fn, on_done, on_error, is_write=False)

    @property
    def writes_pending(self) -> int:
        """Writes queued or running."""
        return self._pending_writes

    def _start(self, pool: QThreadPool, fn: Callable[[], Any], on_done: Success | None,
               on_error: Failure | None, *, is_write: bool) -> None:
        if self._closed:
            return
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error, is_write)
        if is_write:
            self._pending_writes += 1
            if self._pending_writes == 1:
                self.busyChanged.emit(True)
        pool.start(_Job(job_id, fn, self))

    @Slot(int, bool, object)
    def _on_job_finished(self, job_id: int, ok: bool, payload: object) -> None:
        on_done, on_error, is_write = self._callbacks.pop(job_id, (None, None, False))
        if is_write:
            self._pending_writes -= 1
            if self._pending_writes == 0 and not self._closed:
                self.busyChanged.emit(False)
        if self._closed:
            return
        if ok:
            if on_done is not None:
                on_done(payload)
        elif on_error is not None:
            assert isinstance(payload, BaseException)
            on_error(payload)
        else:
            log.error("background task failed", exc_info=payload)  # type: ignore[arg-type]

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Drop queued reads, let the writer finish what it holds, and wait for both pools."""
        self._closed = True
        self._reader.clear()
        # Queued writes are check-ins the volunteer already saw as pending: finish them.
        self._writer.waitForDone(timeout_ms)
        self._reader.waitForDone(timeout_ms)
        self._callbacks.clear()
