"""The desk's Qt owner of the background sync worker: starts it once enrolled, enrols, re-emits news."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from checkin_app.desk import DeskCore
from checkin_app.domain.messages import both, msg
from checkin_app.sync.client import DeskSync, HubConfig, SyncStatus
from checkin_app.sync.worker import SyncWorker
from checkin_app.ui.tasks import TaskRunner


class SyncBridge(QObject):
    """Owns the desk's SyncWorker threads; re-emits their news as Qt signals.

    The first status read and the enrolment (network) run on the bridge's own task lane, never
    the scan writer's; the worker's push and pull threads start once the desk is enrolled.

    Signals:
        statusChanged(SyncStatus): after every sync attempt (delivered on the GUI thread).
        changesArrived(int): a pull applied this many changes (counts should be reloaded).
        enrolled(str): enrolment succeeded; carries the desk name the hub gave.
        enrolFailed(str): enrolment failed; a bilingual message.
    """

    statusChanged = Signal(object)
    changesArrived = Signal(int)
    enrolled = Signal(str)
    enrolFailed = Signal(str)

    def __init__(self, core: DeskCore, parent: QObject | None = None, *,
                 long_poll_s: float = 25.0) -> None:
        super().__init__(parent)
        # Sync speaks real time with the hub (its clock check, its receive times); the status
        # bar shows those moments on the desk's clock (SyncStatusLabel.clock).
        self.core = core
        self.long_poll_s = long_poll_s
        self.worker: SyncWorker | None = None
        self.tasks = TaskRunner(self, readers=1)
        self._stopped = False

    @property
    def sync(self) -> DeskSync | None:
        """The desk's sync client; None until the desk is enrolled with a hub."""
        return self.core.sync

    def _worker(self, sync: DeskSync) -> SyncWorker:
        if self.worker is None:
            # Signals emitted from the worker's threads reach GUI-thread slots as queued calls.
            self.worker = SyncWorker(sync, on_status=self.statusChanged.emit,
                                     on_changes=self.changesArrived.emit,
                                     long_poll_s=self.long_poll_s)
        return self.worker

    def start(self) -> None:
        """Show the status, and sync in the background if this desk is enrolled with a hub."""
        # A failed read is the database closing during shutdown: nothing to show then.
        self.tasks.read(self._status, self._on_first_status, lambda _exc: None)

    def _status(self) -> SyncStatus:
        sync = self.sync
        # A desk never enrolled has no sync client: it is standalone.
        return sync.status() if sync is not None else SyncStatus(False, False, 0, None)

    def _on_first_status(self, status: SyncStatus) -> None:
        self.statusChanged.emit(status)
        sync = self.sync
        if status.enrolled and sync is not None and not self._stopped:
            self._worker(sync).start()

    def kick(self) -> None:
        """Push soon (called after each scan)."""
        if self.worker is not None:
            self.worker.kick()

    def enrol(self, code: str, manager: str = "") -> None:
        """Enrol off the GUI thread (network and pin check); answers with enrolled / enrolFailed.

        `manager`: the name a verified PIN gave; a desk that belongs to a hub already is moved
        only with one (DeskSync.enrol refuses otherwise, and audits the move).
        """
        core = self.core

        def work() -> tuple[HubConfig, SyncStatus | None]:
            cfg = core.enrol(code, manager=manager)
            try:
                return cfg, self._status()
            except Exception:  # the database closing during shutdown
                return cfg, None

        self.tasks.read(work, self._on_enrolled, self._on_enrol_failed)

    def _on_enrolled(self, done: tuple[HubConfig, SyncStatus | None]) -> None:
        cfg, status = done
        self.enrolled.emit(cfg.desk)
        if status is not None:
            self.statusChanged.emit(status)
        sync = self.sync
        if sync is not None and not self._stopped:
            worker = self._worker(sync)
            worker.start()
            worker.kick()

    def _on_enrol_failed(self, exc: BaseException) -> None:
        text = str(exc).strip()
        if "\n" not in text:
            text = both(msg("ui.sync.enrol_failed", detail=text))
        self.enrolFailed.emit(text)

    def stop(self) -> None:
        """Stop the worker threads (call before the database closes)."""
        self._stopped = True
        # An enrolment in flight ends within its network timeout; it is not waited for longer.
        self.tasks.shutdown(timeout_ms=3000)
        if self.worker is not None:
            self.worker.stop(timeout=3.0)
