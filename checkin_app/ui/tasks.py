"""The desk's one way to run work off the GUI thread (after Picard's run_task, Anki's QueryOp).

A job runs in a pool thread; its result or exception, and any progress it reports, come back on
the GUI thread. A task can be cancelled: the job sees `cancelled()` and stops at its next check.
Writes go through one thread (SQLite has one writer, and scans stay in order); reads may run in
parallel. A part with long work of its own (an import, a batch of badges, a USB bundle) owns a
TaskRunner, so the desk's scans never queue behind it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]
Progress = Callable[..., None]


class Task:
    """One queued job as its caller and the job itself see it: cancel, and report progress."""

    def __init__(self, job_id: int, runner: TaskRunner) -> None:
        self.id = job_id
        self._runner = runner
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop (it checks `cancelled()`); its result or exception still comes."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """Whether the job was asked to stop (safe from any thread)."""
        return self._cancel.is_set()

    def progress(self, *values: object) -> None:
        """From the job's thread: hand `values` to the caller's on_progress on the GUI thread."""
        self._runner.jobProgress.emit(self.id, values)


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
        jobProgress(int, object): internal; a job id and the tuple its task reported.
        busyChanged(bool): whether any write is queued or running.
    """

    jobFinished = Signal(int, bool, object)
    jobProgress = Signal(int, object)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, readers: int = 2) -> None:
        super().__init__(parent)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._reader = QThreadPool(self)
        self._reader.setMaxThreadCount(readers)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Success | None, Failure | None, bool]] = {}
        self._progress: dict[int, Progress] = {}
        self._pending_writes = 0
        self._closed = False
        # Queued explicitly: the emitter is a pool thread, the callbacks touch widgets.
        self.jobFinished.connect(self._on_job_finished, Qt.ConnectionType.QueuedConnection)
        self.jobProgress.connect(self._on_job_progress, Qt.ConnectionType.QueuedConnection)

    def write(self, fn: Callable[[], Any], on_done: Success | None = None,
              on_error: Failure | None = None) -> None:
        """Queue a write; writes run one at a time in the order they were queued."""
        self._start(self._writer, fn, on_done, on_error, is_write=True)

    def read(self, fn: Callable[[], Any], on_done: Success | None = None,
             on_error: Failure | None = None) -> None:
        """Queue a read; reads may run in parallel with each other and with the writer."""
        self._start(self._reader, fn, on_done, on_error, is_write=False)

    def start(self, fn: Callable[[Task], Any], on_done: Success | None = None,
              on_error: Failure | None = None, *, on_progress: Progress | None = None,
              write: bool = False) -> Task:
        """Queue `fn(task)`, a job that may report progress and check for cancel; on the writer
        (in order with the other writes) or as a read. Returns the task, to cancel it."""
        task = Task(next(self._ids), self)
        if on_progress is not None:
            self._progress[task.id] = on_progress
        self._start(self._writer if write else self._reader, lambda: fn(task), on_done, on_error,
                    is_write=write, job_id=task.id)
        return task

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until every queued job has ended (a closing dialog waits for its step)."""
        return self._writer.waitForDone(timeout_ms) and self._reader.waitForDone(timeout_ms)

    @property
    def writes_pending(self) -> int:
        """Writes queued or running."""
        return self._pending_writes

    def _start(self, pool: QThreadPool, fn: Callable[[], Any], on_done: Success | None,
               on_error: Failure | None, *, is_write: bool, job_id: int | None = None) -> None:
        if self._closed:
            return
        job_id = next(self._ids) if job_id is None else job_id
        self._callbacks[job_id] = (on_done, on_error, is_write)
        if is_write:
            self._pending_writes += 1
            if self._pending_writes == 1:
                self.busyChanged.emit(True)
        pool.start(_Job(job_id, fn, self))

    @Slot(int, object)
    def _on_job_progress(self, job_id: int, values: object) -> None:
        on_progress = self._progress.get(job_id)
        if on_progress is not None and not self._closed:
            assert isinstance(values, tuple)
            on_progress(*values)

    @Slot(int, bool, object)
    def _on_job_finished(self, job_id: int, ok: bool, payload: object) -> None:
        on_done, on_error, is_write = self._callbacks.pop(job_id, (None, None, False))
        self._progress.pop(job_id, None)
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
        self._progress.clear()
