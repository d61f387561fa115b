"""Badges as use cases: badge data per delegate, the print queue and log, reprints, batch selection."""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session

from checkin_app.domain.badge_data import BadgeData
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.countries import country_names
from checkin_app.domain.messages import DeskError, Message, both, msg, pair
from checkin_app.domain.types import CategoryInfo
from checkin_app.services import audit, badge_codes
from checkin_app.services.views import category_info
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint, PrintJob

QUEUED, PRINTING, DONE, FAILED, CANCELLED = "queued", "printing", "done", "failed", "cancelled"
STATES = (QUEUED, PRINTING, DONE, FAILED, CANCELLED)
# Why a badge is printed. The reprint reasons are the ones a manager chooses from.
REASONS = ("first", "lost", "damaged", "data_changed", "manual", "batch")
REPRINT_REASONS = ("lost", "damaged", "data_changed")
# (zh, en) of each reason and job state, from the catalogue (print.reason.<r>, print.state.<s>).
REASON_WORDS: dict[str, tuple[str, str]] = {r: pair(msg(f"print.reason.{r}")) for r in REASONS}
STATE_WORDS: dict[str, tuple[str, str]] = {st: pair(msg(f"print.state.{st}")) for st in STATES}

SETTING_AUTO = "print.auto"
SETTING_PRINTER = "print.printer"
SETTING_TEMPLATE = "print.template"
DEFAULT_PRINTER = "qt:"  # the system's default printer


class BadgeServiceError(DeskError):
    """A badge or print request that cannot be carried out; carries a catalogue Message."""


@dataclass(frozen=True, slots=True)
class PrintSettings:
    """This desk's printing choices."""

    auto_print: bool
    printer: str
    template: str  # "" = each category's template


@dataclass(frozen=True, slots=True)
class PrintJobView:
    """A print job as the desk's queue shows it."""

    uuid: str
    delegate_id: int
    name: str
    registration_code: str
    badge_serial: int
    template: str
    printer: str
    state: str
    reason: str
    desk: str
    operator: str
    created_at: datetime
    updated_at: datetime
    attempts: int
    error: str

    @property
    def open(self) -> bool:
        """Queued or printing: not finished yet."""
        return self.state in (QUEUED, PRINTING)


@dataclass(frozen=True, slots=True)
class PrintLogEntry:
    """One line of the print log."""

    uuid: str
    job_uuid: str
    delegate_id: int
    badge_serial: int
    template: str
    desk: str
    operator: str
    printer: str
    reason: str
    outcome: str
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReprintResult:
    """What a reprint did: the retired and the new serial, and the job that prints the new badge."""

    delegate_id: int
    old_serial: int
    new_serial: int
    job: PrintJobView


@dataclass(frozen=True, slots=True)
class Selection:
    """Which delegates a batch prints."""

    categories: tuple[str, ...] = ()
    activity: str | None = None
    include_cancelled: bool = False


def _not_found(delegate_id: int) -> BadgeServiceError:
    return BadgeServiceError(msg("delegate.not_found", id=delegate_id))


def _event_fields(session: Session) -> dict[str, str]:
    e = session.scalar(select(m.Event).limit(1))
    if e is None:
        return {}
    dates = e.starts_on.replace("-", ".")
    if e.ends_on and e.ends_on != e.starts_on:
        same_month = e.ends_on[:7] == e.starts_on[:7]
        dates += "–" + (e.ends_on[8:] if same_month else e.ends_on[5:].replace("-", "."))
    return {"event_zh": e.name_zh, "event_en": e.name_en, "venue_zh": e.venue_zh,
            "venue_en": e.venue_en, "dates": dates}


def badge_data_from(session: Session, d: m.Delegate, event: dict[str, str],
                    code: str | None = None) -> BadgeData:
    """BadgeData for one delegate row, with the QR text for its current serial.

    `code` is that QR text when the caller already has it (a batch signs a chunk at once).
    """
    zh, en = country_names(d.country) if d.country else ("", "")
    c = d.category
    return BadgeData(
        delegate_id=d.id,
        registration_code=d.registration_code,
        badge_serial=d.badge_serial,
        code=badge_codes.badge_code(session, d.id) if code is None else code,
        family_name=d.family_name,
        given_name=d.given_name,
        name_native=d.name_native,
        name_latin=d.name_latin,
        name_order=d.name_order,
        honorific=d.honorific,
        organisation_zh=d.organisation_zh,
        organisation_en=d.organisation_en,
        position_zh=d.position_zh,
        position_en=d.position_en,
        country=d.country,
        country_zh=zh,
        country_en=en,
        category_code=c.code,
        category_zh=c.name_zh,
        category_en=c.name_en,
        category_colour=c.colour,
        team=d.team,
        track=d.track,
        photo_path=d.photo_path,
        **event,
    )


def _superseded(j: PrintJob, d: m.Delegate) -> Message | None:
    """Why this job must not print (its serial was replaced by a reprint), or None."""
    if j.badge_serial == d.badge_serial:
        return None
    return (msg("print.superseded", serial=d.badge_serial, job_serial=j.badge_serial))


def _job_view(j: PrintJob, d: m.Delegate | None) -> PrintJobView:
    name = (d.name_native or d.name_latin) if d is not None else ""
    code = d.registration_code if d is not None else ""
    return PrintJobView(j.uuid, j.delegate_id, name, code, j.badge_serial, j.template, j.printer,
                        j.state, j.reason, j.desk, j.operator, j.created_at, j.updated_at,
                        j.attempts, j.error)


class BadgeService:
    """Badge data, the persistent print queue, the print log and reprints, one session per call."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    # -- badge data --------------------------------------------------------------------------
    def badge_data(self, delegate_id: int) -> BadgeData:
        """Everything the renderer needs for one delegate's current badge."""
        with self.db.read() as s:
            d = s.get(m.Delegate, delegate_id)
            if d is None:
                raise _not_found(delegate_id)
            return badge_data_from(s, d, _event_fields(s))

    def _selection_query(self, sel: Selection) -> Any:
        # A merged record's person has the badge of the record that stands for both.
        q = select(m.Delegate).join(m.Category).where(m.Delegate.merged_into == "")
        if not sel.include_cancelled:
            q = q.where(m.Delegate.status != "cancelled")
        if sel.categories:
            q = q.where(m.Category.code.in_([c.upper() for c in sel.categories]))
        return q

    def _activity_filter(self, s: Session, q: Any, code: str) -> Any:
        act = s.scalar(select(m.Activity).where(m.Activity.code == code.upper()))
        if act is None:
            raise BadgeServiceError(msg("activity.unknown", code=code))
        cat_ids = [c.id for c in act.categories]
        o = m.DelegateAdmission
        allowed = exists().where(o.delegate_id == m.Delegate.id, o.activity_id == act.id,
                                 o.allow.is_(True))
        denied = exists().where(o.delegate_id == m.Delegate.id, o.activity_id == act.id,
                                o.allow.is_(False))
        return q.where(or_(and_(m.Delegate.category_id.in_(cat_ids), not_(denied)), allowed))

    def count(self, sel: Selection) -> int:
        """How many badges a selection prints."""
        with self.db.read() as s:
            q = self._selection_query(sel)
            if sel.activity:
                q = self._activity_filter(s, q, sel.activity)
            return int(s.scalar(select(func.count()).select_from(q.subquery())) or 0)

    def iter_badge_data(self, sel: Selection, *, chunk: int = 500) -> Iterator[BadgeData]:
        """Badge data in category then registration-code order, read in chunks (bounded memory)."""
        last: tuple[int, str] | None = None
        while True:
            with self.db.read() as s:
                event = _event_fields(s)
                q = self._selection_query(sel)
                if sel.activity:
                    q = self._activity_filter(s, q, sel.activity)
                if last is not None:
                    q = q.where(or_(m.Category.sort_order > last[0],
                                    and_(m.Category.sort_order == last[0],
                                         m.Delegate.registration_code > last[1])))
                rows = s.scalars(q.order_by(m.Category.sort_order, m.Delegate.registration_code)
                                 .limit(chunk)).all()
                codes = badge_codes.badge_codes_for(s, [d.id for d in rows])
                batch = [badge_data_from(s, d, event, codes[d.id]) for d in rows]
                if rows:
                    last = (rows[-1].category.sort_order, rows[-1].registration_code)
            yield from batch
            if len(rows) < chunk:
                return

    def categories(self) -> list[CategoryInfo]:
        """Categories in their sort order (for choosing a batch)."""
        with self.db.read() as s:
            return [category_info(c) for c in
                    s.scalars(select(m.Category).order_by(m.Category.sort_order, m.Category.code))]

    # -- settings ----------------------------------------------------------------------------
    def settings(self) -> PrintSettings:
        """This desk's print settings (auto-print on, system default printer, category templates)."""
        with self.db.read() as s:
            stored = dict(s.execute(select(m.DeskSetting.key, m.DeskSetting.value).where(
                m.DeskSetting.key.in_((SETTING_AUTO, SETTING_PRINTER, SETTING_TEMPLATE)))).all())
        return PrintSettings(stored.get(SETTING_AUTO, "1") != "0",
                             stored.get(SETTING_PRINTER) or DEFAULT_PRINTER,
                             stored.get(SETTING_TEMPLATE, ""))

    def save_settings(self, *, desk: str, operator: str, auto_print: bool | None = None,
                      printer: str | None = None, template: str | None = None) -> PrintSettings:
        """Store changed print settings with an audit entry."""
        before = self.settings()
        changes: dict[str, str] = {}
        if auto_print is not None:
            changes[SETTING_AUTO] = "1" if auto_print else "0"
        if printer is not None:
            changes[SETTING_PRINTER] = printer
        if template is not None:
            changes[SETTING_TEMPLATE] = template
        with self.db.write() as s:
            for k, v in changes.items():
                s.merge(m.DeskSetting(key=k, value=v))
            audit.record(s, at=self.clock.now(), desk=desk or "-", operator=operator,
                         action="print_settings",
                         before={"auto_print": before.auto_print, "printer": before.printer,
                                 "template": before.template},
                         after=changes)
        return self.settings()

    # -- queue -------------------------------------------------------------------------------
    def printed_current(self, delegate_id: int) -> bool:
        """Whether the print log shows a badge printed for the delegate's current serial."""
        with self.db.read() as s:
            return self._printed_current(s, delegate_id)

    @staticmethod
    def _printed_current(s: Session, delegate_id: int) -> bool:
        serial = s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.id == delegate_id))
        if serial is None:
            raise _not_found(delegate_id)
        return s.scalar(select(BadgePrint.id).where(
            BadgePrint.delegate_id == delegate_id, BadgePrint.badge_serial == serial,
            BadgePrint.outcome == DONE).limit(1)) is not None

    def enqueue(self, delegate_id: int, *, printer: str, desk: str, operator: str,
                reason: str = "first", template: str = "", auto: bool = False) -> PrintJobView | None:
        """Queue a badge. With `auto`, nothing is queued (None) when the current serial was already
        printed or already has a job that is waiting, printing or failed — a second scan never
        prints a second badge, and a failed print stays one job in the queue for a manager to
        retry (not a new job on every later scan of that person)."""
        if reason not in REASONS:
            raise BadgeServiceError(msg("print.unknown_reason", reason=reason))
        now = self.clock.now()
        with self.db.write() as s:
            d = s.get(m.Delegate, delegate_id)
            if d is None:
                raise _not_found(delegate_id)
            if auto:
                if self._printed_current(s, delegate_id):
                    return None
                waiting = s.scalar(select(PrintJob.id).where(
                    PrintJob.delegate_id == delegate_id, PrintJob.badge_serial == d.badge_serial,
                    PrintJob.state.in_((QUEUED, PRINTING, FAILED))).limit(1))
                if waiting is not None:
                    return None
            job = PrintJob(uuid=str(uuidlib.uuid4()), delegate_id=delegate_id,
                           badge_serial=d.badge_serial, template=template, printer=printer,
                           state=QUEUED, reason=reason, desk=desk, operator=operator,
                           created_at=now, updated_at=now, attempts=0, error="")
            s.add(job)
            s.flush()
            return _job_view(job, d)

    def job(self, job_uuid: str) -> PrintJobView:
        """One job by uuid."""
        with self.db.read() as s:
            j = self._job(s, job_uuid)
            return _job_view(j, s.get(m.Delegate, j.delegate_id))

    @staticmethod
    def _job(s: Session, job_uuid: str) -> PrintJob:
        j = s.scalar(select(PrintJob).where(PrintJob.uuid == job_uuid))
        if j is None:
            raise BadgeServiceError(msg("print.no_job", uuid=job_uuid))
        return j

    def jobs(self, *, limit: int = 50, desk: str | None = None) -> list[PrintJobView]:
        """Newest jobs first, open ones always included."""
        with self.db.read() as s:
            q = select(PrintJob, m.Delegate).join(m.Delegate, m.Delegate.id == PrintJob.delegate_id)
            if desk is not None:
                q = q.where(PrintJob.desk == desk)
            rows = s.execute(q.order_by(PrintJob.id.desc()).limit(limit)).all()
            return [_job_view(j, d) for j, d in rows]

    def queued_jobs(self, desk: str | None = None) -> list[str]:
        """Uuids of queued jobs, oldest first (what the print worker still has to do)."""
        with self.db.read() as s:
            q = select(PrintJob.uuid).where(PrintJob.state == QUEUED)
            if desk is not None:
                q = q.where(PrintJob.desk == desk)
            return list(s.scalars(q.order_by(PrintJob.id)))

    def recover_interrupted(self, desk: str | None = None) -> int:
        """Jobs left 'printing' by a crash become 'failed' (the badge may or may not have come out:
        a person decides whether to retry)."""
        now = self.clock.now()
        with self.db.write() as s:
            q = update(PrintJob).where(PrintJob.state == PRINTING)
            if desk is not None:
                q = q.where(PrintJob.desk == desk)
            res = s.execute(q.values(
                state=FAILED, updated_at=now,
                error=both(msg("print.interrupted"))))
            return int(getattr(res, "rowcount", 0) or 0)

    def start(self, job_uuid: str) -> tuple[PrintJobView, BadgeData] | None:
        """Claim a queued job for printing; None when it is no longer queued (cancelled meanwhile).

        A job whose serial was replaced since it was queued (a reprint, here or at another desk
        through the hub) is cancelled instead, with the reason in its error: whoever reissued
        the badge queued the new one, and a second copy of a serial must never come out.
        """
        now = self.clock.now()
        with self.db.write() as s:
            j = self._job(s, job_uuid)
            if j.state != QUEUED:
                return None
            d = s.get(m.Delegate, j.delegate_id)
            if d is None:
                raise _not_found(j.delegate_id)
            superseded = _superseded(j, d)
            if superseded is not None:  # the job keeps its reason in both languages
                j.state, j.updated_at, j.error = CANCELLED, now, both(superseded)
                self._log(s, j, CANCELLED, both(superseded), now)
                return None
            j.state, j.updated_at, j.attempts = PRINTING, now, j.attempts + 1
            j.error = ""
            data = badge_data_from(s, d, _event_fields(s))
            s.flush()
            return _job_view(j, d), data

    def finish(self, job_uuid: str, *, ok: bool, message: str = "", template: str = "") -> PrintJobView:
        """Record the outcome of a print attempt in the job, the print log and the audit log."""
        now = self.clock.now()
        with self.db.write() as s:
            j = self._job(s, job_uuid)
            j.state = DONE if ok else FAILED
            j.updated_at = now
            j.error = "" if ok else message
            if template:
                j.template = template
            self._log(s, j, j.state, message, now)
            d = s.get(m.Delegate, j.delegate_id)
            return _job_view(j, d)

    def _log(self, s: Session, j: PrintJob, outcome: str, message: str, now: datetime,
             operator: str | None = None) -> None:
        op = j.operator if operator is None else operator
        s.add(BadgePrint(uuid=str(uuidlib.uuid4()), job_uuid=j.uuid, delegate_id=j.delegate_id,
                         badge_serial=j.badge_serial, template=j.template, desk=j.desk,
                         operator=op, printer=j.printer, reason=j.reason, outcome=outcome,
                         message=message[:2000], at=now))
        audit.record(s, at=now, desk=j.desk or "-", operator=op, action="badge_print",
                     subject=str(j.delegate_id),
                     after={"job": j.uuid, "serial": j.badge_serial, "printer": j.printer,
                            "reason": j.reason, "outcome": outcome,
                            "message": message[:300]})

    def retry(self, job_uuid: str, *, operator: str, printer: str | None = None) -> PrintJobView:
        """Manager: put a failed or cancelled job back in the queue (optionally on another printer)."""
        now = self.clock.now()
        with self.db.write() as s:
            j = self._job(s, job_uuid)
            if j.state in (QUEUED, PRINTING) and printer is None:
                raise BadgeServiceError(msg("print.still_queued"))
            if j.state == PRINTING:
                raise BadgeServiceError(msg("print.printing_no_move"))
            d = s.get(m.Delegate, j.delegate_id)
            superseded = _superseded(j, d) if d is not None else None
            if superseded is not None:
                raise BadgeServiceError(superseded)
            before = {"state": j.state, "printer": j.printer}
            j.state, j.updated_at, j.error = QUEUED, now, ""
            if printer is not None:
                j.printer = printer
            audit.record(s, at=now, desk=j.desk or "-", operator=operator,
                         action="print_job_redirect" if printer is not None else "print_job_retry",
                         subject=j.uuid, before=before, after={"state": QUEUED, "printer": j.printer})
            return _job_view(j, s.get(m.Delegate, j.delegate_id))

    def redirect(self, job_uuid: str, printer: str, *, operator: str) -> PrintJobView:
        """Manager: send a queued, failed or cancelled job to another printer."""
        return self.retry(job_uuid, operator=operator, printer=printer)

    def cancel(self, job_uuid: str, *, operator: str) -> PrintJobView:
        """Manager: cancel a queued or failed job (a job already printing cannot be called back)."""
        now = self.clock.now()
        with self.db.write() as s:
            j = self._job(s, job_uuid)
            if j.state not in (QUEUED, FAILED):
                state = (msg(f"print.state.{j.state}") if j.state in STATES
                         else msg("print.state.other", state=j.state))
                raise BadgeServiceError(msg("print.no_cancel", state=state))
            j.state, j.updated_at = CANCELLED, now
            self._log(s, j, CANCELLED, "", now, operator)
            return _job_view(j, s.get(m.Delegate, j.delegate_id))

    def log(self, delegate_id: int | None = None, *, limit: int = 200) -> list[PrintLogEntry]:
        """The print log, newest first."""
        with self.db.read() as s:
            q = select(BadgePrint)
            if delegate_id is not None:
                q = q.where(BadgePrint.delegate_id == delegate_id)
            rows = s.scalars(q.order_by(BadgePrint.id.desc()).limit(limit)).all()
            return [PrintLogEntry(r.uuid, r.job_uuid, r.delegate_id, r.badge_serial, r.template,
                                  r.desk, r.operator, r.printer, r.reason, r.outcome, r.message,
                                  r.at) for r in rows]

    # -- reprint -----------------------------------------------------------------------------
    def reprint(self, delegate_id: int, *, reason: str, desk: str, operator: str, printer: str,
                template: str = "") -> ReprintResult:
        """Manager: issue a new badge serial (the old one is revoked) and queue the new badge."""
        if reason not in REPRINT_REASONS:
            allowed = ", ".join(REPRINT_REASONS)
            raise BadgeServiceError(msg("print.reprint_reason", allowed=allowed))
        now = self.clock.now()
        with self.db.write() as s:
            d = s.get(m.Delegate, delegate_id)
            if d is None:
                raise _not_found(delegate_id)
            old = d.badge_serial
            d.badge_serial = old + 1
            d.badge_outdated = False
            d.updated_at = now
            s.flush()
            badge_codes.revoke_serial(s, delegate_id=delegate_id, serial=old, reason=reason,
                                      at=now, desk=desk, operator=operator)
            # Jobs still waiting for the old badge would print a revoked code: they go.
            for j in s.scalars(select(PrintJob).where(PrintJob.delegate_id == delegate_id,
                                                      PrintJob.state.in_((QUEUED, FAILED)))):
                j.state, j.updated_at = CANCELLED, now
                self._log(s, j, CANCELLED, "replaced by a reprint", now, operator)
            job = PrintJob(uuid=str(uuidlib.uuid4()), delegate_id=delegate_id,
                           badge_serial=d.badge_serial, template=template, printer=printer,
                           state=QUEUED, reason=reason, desk=desk, operator=operator,
                           created_at=now, updated_at=now, attempts=0, error="")
            s.add(job)
            audit.record(s, at=now, desk=desk or "-", operator=operator, action="badge_reprint",
                         subject=str(delegate_id), before={"serial": old},
                         after={"serial": d.badge_serial, "reason": reason, "job": job.uuid})
            s.flush()
            return ReprintResult(delegate_id, old, d.badge_serial, _job_view(job, d))


def dumps(view: PrintJobView) -> str:
    """A job as JSON (CLI output)."""
    return json.dumps({"uuid": view.uuid, "delegate_id": view.delegate_id, "name": view.name,
                       "code": view.registration_code, "serial": view.badge_serial,
                       "printer": view.printer, "state": view.state, "reason": view.reason,
                       "attempts": view.attempts, "error": view.error}, ensure_ascii=False)
