"""Wires badge printing into the desk window: the panel, the Badges menu, manager dialogs, preview.

Manager entry points sit behind the manager PIN: `act_reprint`, `act_batch`,
`act_printer_settings`, and the panel's retry / cancel / send-to-printer buttons; each calls
one `BadgeDesk.on_*` method, which asks the shell's `require_manager` before doing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from checkin_app.badges.templates import TemplateError, sheet_named
from checkin_app.domain.messages import both, msg, pair
from checkin_app.domain.types import CategoryInfo, DelegateView, ScanResult
from checkin_app.services.badges import DONE, FAILED, PrintJobView, PrintSettings, ReprintResult
from checkin_app.services.catalog import DeskSettings
from checkin_app.ui import style
from checkin_app.ui.badge_dialogs import BatchDialog, PrinterDialog, ReprintDialog
from checkin_app.ui.controller import Bootstrap
from checkin_app.ui.print_controller import PrintController
from checkin_app.ui.print_view import PrintPanel
from checkin_app.ui.shell import Shell


class BadgeDesk(QObject):
    """The badge side of the desk window (one per window)."""

    def __init__(self, shell: Shell, panel: PrintPanel) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.window = window
        self.panel = panel
        self.printing: PrintController = shell.controller.printing
        self.person: DelegateView | None = None
        self.batch_dialog: BatchDialog | None = None
        self._reprints: dict[str, str] = {}  # reprint job uuid → the name it prints
        self._started = False
        self._build_actions()
        self._connect_callbacks()

    def _build_actions(self) -> None:
        w = self.window
        # Both languages, Chinese first; after a full-width bracket no space before the slash.
        self.menu = self.shell.menuBar().addMenu(both("ui.badges.menu", sep=" / "))
        self.act_preview = QAction(both("ui.badges.preview", sep=" / "), w)
        self.act_reprint = QAction(both("ui.badges.reprint_menu", sep="/ "), w)
        self.act_reprint.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.act_batch = QAction(both("ui.badges.batch_menu", sep="/ "), w)
        self.act_printer_settings = QAction(both("ui.badges.settings_menu", sep="/ "), w)
        for a in (self.act_preview, self.act_reprint, self.act_batch, self.act_printer_settings):
            self.menu.addAction(a)
        self.act_preview.setEnabled(False)
        self.act_reprint.setEnabled(False)

    def _connect_callbacks(self) -> None:
        c, p, pr = self.shell.controller, self.panel, self.printing
        c.bootstrapped.connect(self._on_bootstrapped)
        c.settingsSaved.connect(self._on_desk_settings)
        c.scanFinished.connect(self._on_scan_finished)
        pr.settingsLoaded.connect(p.set_settings)
        pr.jobsLoaded.connect(p.set_jobs)
        pr.previewReady.connect(p.show_preview)
        pr.errorOccurred.connect(self.shell.show_error)
        pr.batchProgress.connect(self._on_batch_progress)
        pr.batchFinished.connect(self._on_batch_finished)
        pr.reprintQueued.connect(self._on_reprint_queued)
        pr.jobFinished.connect(self._on_job_finished)
        p.retryRequested.connect(self.on_retry)
        p.cancelRequested.connect(self.on_cancel)
        p.redirectRequested.connect(self.on_redirect)
        p.reprintRequested.connect(self.on_reprint)
        p.batchRequested.connect(self.on_batch)
        p.settingsRequested.connect(self.on_printer_settings)
        p.previewRequested.connect(self.on_preview)
        self.act_preview.triggered.connect(self.on_preview)
        self.act_reprint.triggered.connect(self.on_reprint)
        self.act_batch.triggered.connect(self.on_batch)
        self.act_printer_settings.triggered.connect(self.on_printer_settings)

    # -- desk state ------------------------------------------------------------------------
    def _on_bootstrapped(self, boot: Bootstrap) -> None:
        self.panel.tz = self.shell.controller.tz
        self.panel.set_language(boot.settings.language)
        if boot.settings.configured:
            self._start(boot.settings.desk_name)

    def _on_desk_settings(self, settings: DeskSettings) -> None:
        self.panel.set_language(settings.language)
        if settings.desk_name:
            self._start(settings.desk_name)

    def _start(self, desk: str) -> None:
        if not self._started:
            self._started = True
            self.printing.start(desk)
        else:
            self.printing.desk_name = desk

    def _on_scan_finished(self, result: ScanResult) -> None:
        self.person = result.delegate
        present = self.person is not None
        self.panel.set_person(present)
        self.act_preview.setEnabled(present)
        self.act_reprint.setEnabled(present)

    # -- actions (manager ones go through the PIN) -----------------------------------------
    def _as_manager(self, need: str, action: Callable[[], None]) -> None:
        """`action()` behind the PIN; `need` is the catalogue code of what the PIN is asked for."""
        def granted(manager_name: str) -> None:
            self.printing.manager_name = manager_name
            action()

        self.shell.require_manager(*pair(need), granted)

    def on_preview(self) -> None:
        """Show the current person's badge."""
        if self.person is not None:
            self.printing.preview(self.person.id)

    def on_retry(self, job_uuid: str) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.retry_print", lambda: self._retry(job_uuid))

    def _retry(self, job_uuid: str) -> None:
        """Manager: print a job again."""
        self.printing.retry(job_uuid)

    def on_cancel(self, job_uuid: str) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.cancel_print", lambda: self._cancel(job_uuid))

    def _cancel(self, job_uuid: str) -> None:
        """Manager: cancel a job."""
        self.printing.cancel(job_uuid)

    def on_redirect(self, job_uuid: str) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.redirect_print", lambda: self._redirect(job_uuid))

    def _redirect(self, job_uuid: str) -> None:
        """Manager: choose another printer for a job."""
        settings = self.printing.settings
        if settings is None:
            return
        dlg = PrinterDialog(settings, self.printing.templates, printer_only=True, parent=self.window)
        dlg.setStyleSheet(style.STYLESHEET)
        dlg.accepted.connect(lambda: self.printing.redirect(job_uuid, dlg.values()[1]))
        dlg.finished.connect(lambda _r: self._after_dialog(dlg))
        dlg.open()

    def on_reprint(self) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.reprint", self._reprint)

    def _reprint(self) -> None:
        """Manager: reprint the current person's badge with a reason."""
        person = self.person
        if person is None:
            return
        dlg = ReprintDialog(person.display_name, person.registration_code, parent=self.window)
        dlg.setStyleSheet(style.STYLESHEET)

        def accepted() -> None:
            reason = dlg.reason()
            if reason is not None:
                self.printing.reprint(person.id, reason)

        dlg.accepted.connect(accepted)
        dlg.finished.connect(lambda _r: self._after_dialog(dlg))
        dlg.open()

    def _on_reprint_queued(self, result: ReprintResult) -> None:
        """Say on screen that the reprint is on its way, and show the badge panel."""
        job = result.job
        name = job.name or job.registration_code
        self._reprints[job.uuid] = name
        self.panel.show_notice(*pair(msg("ui.badges.reprint_sent", name=name, new=result.new_serial,
                                         old=result.old_serial)), "busy")
        self.shell.lower_tabs.setCurrentWidget(self.panel)

    def _on_job_finished(self, job: PrintJobView) -> None:
        name = self._reprints.pop(job.uuid, None)
        if name is None:
            return
        if job.state == DONE:
            self.panel.show_notice(*pair(msg("ui.badges.reprinted", name=name,
                                             serial=job.badge_serial)), "ok")
        elif job.state == FAILED:
            self.panel.show_notice(*pair(msg("ui.badges.reprint_failed", name=name)), "bad")

    def on_printer_settings(self) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.printer_settings", self._printer_settings)

    def _printer_settings(self) -> None:
        """Manager: auto-print, printer and template."""
        settings = self.printing.settings or PrintSettings(True, "qt:", "")
        dlg = PrinterDialog(settings, self.printing.templates, parent=self.window)
        dlg.setStyleSheet(style.STYLESHEET)

        def accepted() -> None:
            auto, printer, template = dlg.values()
            self.printing.save_settings(auto_print=auto, printer=printer, template=template)

        dlg.accepted.connect(accepted)
        dlg.finished.connect(lambda _r: self._after_dialog(dlg))
        dlg.open()

    def on_batch(self) -> None:
        """Manager action (PIN)."""
        self._as_manager("ui.need.batch", self._batch)

    def _batch(self) -> None:
        """Manager: batch badges into a PDF (in the background, with progress and cancel)."""
        if self.batch_dialog is not None:
            self.batch_dialog.raise_()
            return
        self.printing.load_categories(self._open_batch)

    def _open_batch(self, categories: list[CategoryInfo]) -> None:
        dlg = BatchDialog(categories, self.shell.activities, self.printing.templates,
                          parent=self.window)
        dlg.setStyleSheet(style.STYLESHEET)
        self.batch_dialog = dlg

        def start() -> None:
            try:
                sheet = sheet_named(str(dlg.sheet.currentData()))
            except TemplateError as exc:
                dlg.message.setText(str(exc))
                return
            dlg.set_running(True)
            self.printing.start_batch(dlg.selection(), Path(dlg.output.text()).expanduser(),
                                      sheet=sheet, template=str(dlg.template.currentData()))

        dlg.start_button.clicked.connect(start)
        dlg.cancel_button.clicked.connect(self.printing.cancel_batch)

        def finished(_r: int) -> None:
            if self.printing.batch_running:
                self.printing.cancel_batch()
            self.batch_dialog = None
            self._after_dialog(dlg)

        dlg.finished.connect(finished)
        dlg.open()

    def _on_batch_progress(self, done: int, total: int) -> None:
        if self.batch_dialog is not None:
            self.batch_dialog.set_progress(done, total)

    def _on_batch_finished(self, n: int, path: str) -> None:
        dlg = self.batch_dialog
        if dlg is None:
            return
        dlg.set_running(False)
        if n:
            dlg.message.setText(both(msg("ui.badges.batch_written", n=n, path=path)))
        else:
            dlg.message.setText(both("ui.badges.batch_cancelled"))

    def _after_dialog(self, dlg: QObject) -> None:
        dlg.deleteLater()
        self.shell.focus_scanner()
