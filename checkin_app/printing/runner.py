"""Carries out one print job, Qt-free: claim it, render the badge, hand it to the backend, log it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import TemplateError, TemplateSet, load_templates
from checkin_app.domain.badge_data import BadgeData
from checkin_app.domain.messages import both, msg
from checkin_app.printing.backends import PrintError, PrintRequest, backend_for
from checkin_app.services.badges import BadgeService, PrintJobView

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """The job after the attempt, and the note from the printer (or the error)."""

    job: PrintJobView
    note: str


class JobRunner:
    """Runs print jobs one at a time (the caller decides which thread)."""

    def __init__(self, service: BadgeService, templates: TemplateSet | None = None) -> None:
        self.service = service
        self._templates = templates

    @property
    def templates(self) -> TemplateSet:
        """Bundled templates, loaded on first use."""
        if self._templates is None:
            self._templates = load_templates()
        return self._templates

    def run(self, job_uuid: str, on_rendered: Callable[[PrintJobView, BadgeData, bytes], None]
            | None = None) -> JobOutcome | None:
        """Print one queued job; None when it was no longer queued (cancelled or taken).

        `on_rendered` sees the badge PDF before it goes to the printer (the desk's preview).
        """
        claimed = self.service.start(job_uuid)
        if claimed is None:
            return None
        job, data = claimed
        template_name = job.template
        try:
            t = (self.templates.get(job.template) if job.template
                 else self.templates.for_category(data.category_code))
            template_name = t.name
            pdf = render_badge(data, t)
            if on_rendered is not None:
                on_rendered(job, data, pdf)
            note = backend_for(job.printer).print_pdf(PrintRequest(
                pdf=pdf, title=f"Badge {data.registration_code}",
                page_mm=(t.width, t.height),
                file_stem=f"{data.registration_code}-s{data.badge_serial}"))
        except (PrintError, TemplateError) as exc:
            done = self.service.finish(job_uuid, ok=False, message=str(exc), template=template_name)
            return JobOutcome(done, str(exc))
        except Exception as exc:  # a bug or a broken printer driver must not lose the job
            log.exception("print job %s failed", job_uuid)
            said = both(msg("printer.failed", detail=str(exc)))
            done = self.service.finish(job_uuid, ok=False, message=said, template=template_name)
            return JobOutcome(done, said)
        done = self.service.finish(job_uuid, ok=True, message=note, template=template_name)
        return JobOutcome(done, note)
