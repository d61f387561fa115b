"""Badge printing for the desk, off the GUI thread: auto-print, queue, preview, manager actions.

Rendering and printing run in the print thread (one at a time, in queue order); previews and queue
reads in a reader thread; batches on a task lane of their own (progress and cancel through the
TaskRunner). None of them shares the scan writer, so a slow or stuck printer never delays the next
scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from checkin_app.badges.templates import Sheet, TemplateSet, load_templates
from checkin_app.domain.badge_data import BadgeData
from checkin_app.domain.types import CategoryInfo, ScanResult
from checkin_app.domain.verdicts import ADMITTING
from checkin_app.services.badges import (
    BadgeService,
    PrintJobView,
    PrintSettings,
    ReprintResult,
    Selection,
)
from checkin_app.ui.tasks import Task, TaskRunner
from checkin_app.ui.texts import error_text

if TYPE_CHECKING:
    from checkin_app.printing.runner import JobOutcome, JobRunner

PREVIEW_DPI = 96
QUEUE_LIMIT = 40
AUTO_OPERATOR = "auto"
MANAGER_OPERATOR = "manager"


@dataclass(frozen=True, slots=True)
class Preview:
    """A rendered badge for the desk to show."""

    image: QImage
    name: str
    code: str
    serial: int


def should_auto_print(result: ScanResult, settings: PrintSettings | None) -> bool:
    """A first admission at the main entrance, with auto-print on.

    Only an entry that was recorded, admitted by its verdict, with no earlier entry of the
    person here (`previous`): never an exit, an ALREADY_IN, a re-entry or a refusal. The
    service then queues nothing when the current badge was printed or already has a job
    (waiting, printing or failed: a failed one waits for a manager's retry, not for a copy).
    """
    return (settings is not None and settings.auto_print and result.admitted
            and result.direction == "in" and result.verdict in ADMITTING
            and result.previous is None and result.delegate is not None
            and result.activity is not None and result.activity.is_main
            and result.event is not None and result.event.direction == "in")


class PrintController(QObject):
    """The desk's printing.

    Signals:
        settingsLoaded(PrintSettings): the desk's print settings (after load or save).
        jobsLoaded(list): PrintJobView items, newest first.
        previewReady(Preview): the badge about to print (or asked for).
        jobStarted(str): a job (uuid) is rendered and going to the printer.
        jobFinished(PrintJobView): a job ended (done or failed).
        reprintQueued(ReprintResult): a manager's reprint was recorded and queued.
        batchProgress(int, int): badges written, total.
        batchFinished(int, str): badges written (0 when cancelled) and the file.
        errorOccurred(str): a bilingual message.
    """

    settingsLoaded = Signal(object)
    jobsLoaded = Signal(list)
    previewReady = Signal(object)
    jobStarted = Signal(str)
    jobFinished = Signal(object)
    reprintQueued = Signal(object)
    batchProgress = Signal(int, int)
    batchFinished = Signal(int, str)
    errorOccurred = Signal(str)

    def __init__(self, service: BadgeService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._templates: TemplateSet | None = None
        self._runner: JobRunner | None = None
        # writer pool = the print thread (jobs in order); reader pool = previews and queue reads.
        self.tasks = TaskRunner(self, readers=1)
        self.batch_tasks = TaskRunner(self, readers=1)
        self.settings: PrintSettings | None = None
        self.desk_name = ""
        # Set by the PIN gate to the manager who unlocked the action, for the print log.
        self.manager_name = MANAGER_OPERATOR
        self._batch: Task | None = None
        self.jobStarted.connect(lambda _uuid: self.load_jobs())

    # -- start-up and settings -------------------------------------------------------------
    def start(self, desk_name: str) -> None:
        """Load settings, fail jobs a crash interrupted, and print what is still queued."""
        self.desk_name = desk_name
        service = self.service

        def work() -> tuple[PrintSettings, list[str]]:
            service.recover_interrupted(desk_name)
            return service.settings(), service.queued_jobs(desk_name)

        self.tasks.write(work, self._on_started, self._on_error)

    def _on_started(self, payload: tuple[PrintSettings, list[str]]) -> None:
        settings, queued = payload
        self._set_settings(settings)
        for uuid in queued:
            self._print(uuid)
        self.load_jobs()

    def _set_settings(self, settings: PrintSettings) -> None:
        self.settings = settings
        self.settingsLoaded.emit(settings)

    def save_settings(self, *, auto_print: bool | None = None, printer: str | None = None,
                      template: str | None = None) -> None:
        """Manager: store print settings."""
        service, desk = self.service, self.desk_name

        def work() -> PrintSettings:
            return service.save_settings(desk=desk, operator=self.manager_name,
                                         auto_print=auto_print, printer=printer, template=template)

        self.tasks.read(work, self._set_settings, self._on_error)

    @property
    def templates(self) -> TemplateSet:
        """Bundled templates (loaded once, on first use)."""
        if self._templates is None:
            self._templates = load_templates()
        return self._templates

    @property
    def runner(self) -> JobRunner:
        """The job runner; ReportLab, QtPdf and the printer backends load with the first badge,
        not at desk start-up."""
        if self._runner is None:
            from checkin_app.printing.runner import JobRunner
            from checkin_app.ui import qt_printing

            qt_printing.register()
            self._runner = JobRunner(self.service, self.templates)
        return self._runner

    # -- auto-print ------------------------------------------------------------------------
    def on_scan_result(self, result: ScanResult, desk: str) -> None:
        """Queue a badge for a first admission at the main entrance (called after every scan)."""
        if not should_auto_print(result, self.settings):
            return
        assert result.delegate is not None and self.settings is not None
        self.enqueue(result.delegate.id, reason="first", desk=desk, auto=True)

    def enqueue(self, delegate_id: int, *, reason: str = "manual", desk: str | None = None,
                auto: bool = False, printer: str | None = None) -> None:
        """Queue and print one badge (auto: only when the current serial has not been printed)."""
        settings = self.settings
        if settings is None:
            return
        service = self.service
        desk_name = desk or self.desk_name
        operator = AUTO_OPERATOR if auto else self.manager_name

        def work() -> PrintJobView | None:
            return service.enqueue(delegate_id, printer=printer or settings.printer,
                                   desk=desk_name, operator=operator, reason=reason,
                                   template=settings.template, auto=auto)

        self.tasks.write(work, self._on_enqueued, self._on_error)

    def _on_enqueued(self, job: PrintJobView | None) -> None:
        if job is None:
            return
        self.load_jobs()
        self._print(job.uuid)

    def _print(self, job_uuid: str) -> None:
        def work(task: Task) -> JobOutcome | None:
            def rendered(job: PrintJobView, data: BadgeData, pdf: bytes) -> None:
                from checkin_app.ui import qt_printing

                # Still in the print thread: the preview image is made here, then handed over.
                task.progress(job.uuid, None)
                img = qt_printing.rasterise(pdf, PREVIEW_DPI)
                task.progress(job.uuid, Preview(img, data.name_native or data.name_latin,
                                                data.registration_code, data.badge_serial))

            # Everything heavy (imports, fonts, rendering, the printer) happens in the print thread.
            return self.runner.run(job_uuid, on_rendered=rendered)

        self.tasks.start(work, self._on_job_done, self._on_job_error,
                         on_progress=self._on_rendered, write=True)

    def _on_rendered(self, job_uuid: str, preview: Preview | None) -> None:
        """A job is rendered and going to the printer (None), then its preview image is made."""
        if preview is None:
            self.jobStarted.emit(job_uuid)
        else:
            self.previewReady.emit(preview)

    def _on_job_done(self, outcome: JobOutcome | None) -> None:
        if outcome is not None:
            self.jobFinished.emit(outcome.job)
        self.load_jobs()

    def _on_job_error(self, exc: BaseException) -> None:
        self._on_error(exc)
        self.load_jobs()

    # -- queue -----------------------------------------------------------------------------
    def load_jobs(self) -> None:
        """Reload the visible queue."""
        service, desk = self.service, self.desk_name

        def work() -> list[PrintJobView]:
            return service.jobs(limit=QUEUE_LIMIT, desk=desk or None)

        self.tasks.read(work, self.jobsLoaded.emit, self._on_error)

    def retry(self, job_uuid: str) -> None:
        """Manager: print a failed or cancelled job again."""
        self._requeue(job_uuid, None)

    def redirect(self, job_uuid: str, printer: str) -> None:
        """Manager: send a job to another printer (and print it there)."""
        self._requeue(job_uuid, printer)

    def _requeue(self, job_uuid: str, printer: str | None) -> None:
        service = self.service

        def work() -> PrintJobView:
            return service.retry(job_uuid, operator=self.manager_name, printer=printer)

        self.tasks.read(work, self._on_enqueued, self._on_error)

    def cancel(self, job_uuid: str) -> None:
        """Manager: cancel a queued or failed job."""
        service = self.service

        def work() -> PrintJobView:
            return service.cancel(job_uuid, operator=self.manager_name)

        self.tasks.read(work, lambda _job: self.load_jobs(), self._on_error)

    # -- manager: reprint, preview, batch --------------------------------------------------
    def reprint(self, delegate_id: int, reason: str) -> None:
        """Manager: new serial (old one revoked), then print the new badge."""
        settings = self.settings
        if settings is None:
            return
        service, desk = self.service, self.desk_name

        def work() -> ReprintResult:
            return service.reprint(delegate_id, reason=reason, desk=desk,
                                   operator=self.manager_name, printer=settings.printer,
                                   template=settings.template)

        self.tasks.write(work, self._on_reprinted, self._on_error)

    def _on_reprinted(self, result: ReprintResult) -> None:
        self.reprintQueued.emit(result)
        self._on_enqueued(result.job)

    def preview(self, delegate_id: int) -> None:
        """Render a delegate's current badge for the preview (nothing is printed)."""
        service = self.service
        template_name = self.settings.template if self.settings else ""

        def work() -> Preview:
            from checkin_app.badges.render import render_badge
            from checkin_app.ui import qt_printing

            templates = self.templates
            data = service.badge_data(delegate_id)
            t = templates.get(template_name) if template_name else templates.for_category(
                data.category_code)
            img = qt_printing.rasterise(render_badge(data, t), PREVIEW_DPI)
            return Preview(img, data.name_native or data.name_latin, data.registration_code,
                           data.badge_serial)

        self.tasks.read(work, self.previewReady.emit, self._on_error)

    def load_categories(self, on_done: Callable[[list[CategoryInfo]], None]) -> None:
        """The categories a batch may choose from, read in the background."""
        self.tasks.read(self.service.categories, on_done, self._on_error)

    def start_batch(self, selection: Selection, path: Path, *, sheet: Sheet | None,
                    template: str = "") -> None:
        """Manager: write a batch PDF in the background (progress, cancellable)."""
        if self._batch is not None:
            return
        service = self.service

        def work(task: Task) -> int:
            templates = self.templates
            t = templates.get(template) if template else None
            total = service.count(selection)
            task.progress(0, total)

            def progress(done: int) -> None:
                if done % 25 == 0 or done == total:
                    task.progress(done, total)

            from checkin_app.badges.batch import with_templates, write_batch_file

            return write_batch_file(with_templates(service.iter_badge_data(selection), templates, t),
                                    path, sheet=sheet, progress=progress, cancelled=task.cancelled)

        def done(n: int) -> None:
            self._batch = None
            self.batchFinished.emit(n, str(path))

        def failed(exc: BaseException) -> None:
            self._batch = None
            self._on_error(exc)
            self.batchFinished.emit(0, "")

        self._batch = self.batch_tasks.start(work, done, failed,
                                             on_progress=self.batchProgress.emit)

    @property
    def batch_running(self) -> bool:
        """Whether a batch is being written."""
        return self._batch is not None

    def cancel_batch(self) -> None:
        """Stop the running batch (its partial file is removed)."""
        if self._batch is not None:
            self._batch.cancel()

    def _on_error(self, exc: BaseException) -> None:
        self.errorOccurred.emit(error_text(exc))

    def shutdown(self) -> None:
        """Cancel a batch, let the current print finish, stop the threads."""
        self.cancel_batch()
        self.batch_tasks.shutdown()
        self.tasks.shutdown()
