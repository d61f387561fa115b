"""The desk's printer state as the hub's dashboard shows it: one short bilingual line from the print queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from checkin_app.domain.messages import Message, Words, both, msg, text
from checkin_app.services.badges import (
    DEFAULT_PRINTER,
    DONE,
    FAILED,
    PRINTING,
    QUEUED,
    SETTING_AUTO,
    SETTING_PRINTER,
)
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import PrintJob

MAX_CHARS = 200  # what the hub keeps (hub_desks.printer_state)
NAME_CHARS = 32


@dataclass(frozen=True, slots=True)
class PrinterSnapshot:
    """What the print queue says about this desk's printer."""

    printer: str  # the printer spec
    auto_print: bool
    waiting: int  # queued or printing
    failed: int  # failed jobs waiting for a manager (retry, redirect or cancel)
    last_failed: bool  # the most recent finished job failed


def read_snapshot(db: Database) -> PrinterSnapshot:
    """Settings and queue counts in one short read (the state index makes the counts cheap)."""
    with db.read() as s:
        stored = dict(s.execute(select(m.DeskSetting.key, m.DeskSetting.value).where(
            m.DeskSetting.key.in_((SETTING_AUTO, SETTING_PRINTER)))).all())
        counts = dict(s.execute(select(PrintJob.state, func.count()).where(
            PrintJob.state.in_((QUEUED, PRINTING, FAILED))).group_by(PrintJob.state)).all())
        last = s.scalar(select(PrintJob.state).where(PrintJob.state.in_((DONE, FAILED)))
                        .order_by(PrintJob.updated_at.desc(), PrintJob.id.desc()).limit(1))
    return PrinterSnapshot(
        # As BadgeService.settings(): nothing chosen means the system's default printer.
        printer=stored.get(SETTING_PRINTER) or DEFAULT_PRINTER,
        auto_print=stored.get(SETTING_AUTO, "1") != "0",
        waiting=int(counts.get(QUEUED, 0)) + int(counts.get(PRINTING, 0)),
        failed=int(counts.get(FAILED, 0)),
        last_failed=last == FAILED,
    )


def _short(text: str) -> str:
    return text if len(text) <= NAME_CHARS else text[:NAME_CHARS - 1] + "…"


def printer_names(spec: str) -> tuple[str, str]:
    """(Chinese, English) name of a printer spec, short enough for the dashboard."""
    kind, _, rest = spec.partition(":")
    if kind == "folder":
        # A folder holds PDF files: the folder's own name says which one without the full path.
        name = _short(PurePath(rest).name or rest)
        return _pair(msg("printer.name.folder", name=name))
    if kind == "lp":
        return _pair(msg("printer.name.spooler", name=_short(rest)) if rest
                     else msg("printer.name.default_spooler"))
    if kind == "qt":
        return (_short(rest), _short(rest)) if rest else _pair(msg("printer.name.system_default"))
    return _short(spec), _short(spec)


def _pair(m: Message) -> tuple[str, str]:
    return text(m, "zh"), text(m, "en")


def describe_state(snap: PrinterSnapshot) -> str:
    """One line, Chinese then English, at most MAX_CHARS (it travels in an HTTP header)."""
    name_zh, name_en = printer_names(snap.printer)
    # "error" as long as the latest attempt failed: a printer that is off or out of paper shows
    # here after its first failed badge, whatever kind of printer it is.
    parts = [msg("printer.state", name=Words(name_zh, name_en), waiting=snap.waiting,
                 ok=msg("printer.error" if snap.last_failed else "printer.ok"))]
    if snap.failed:
        parts.append(msg("printer.state.failed", failed=snap.failed))
    if not snap.auto_print:
        parts.append(msg("printer.state.auto_off"))
    zh, en = ("".join(text(p, lang) for p in parts) for lang in ("zh", "en"))
    return f"{zh} / {en}"[:MAX_CHARS]


class PrinterState:
    """`DeskSync(printer_state=PrinterState(db))`: the line above, re-read at most every `max_age_s`.

    Called from the sync threads (every push and pull); each read opens its own session, and a
    lock keeps two threads from reading at once. Never touches Qt.
    """

    def __init__(self, db: Database, *, max_age_s: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.max_age_s = max_age_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._value = ""
        self._read_at: float | None = None

    def __call__(self) -> str:
        with self._lock:
            now = self._monotonic()
            if self._read_at is None or now - self._read_at >= self.max_age_s:
                try:
                    self._value = describe_state(read_snapshot(self.db))
                except SQLAlchemyError:  # a closing database must not fail a sync request
                    self._value = both(msg("printer.state.unknown"), sep=" / ")
                self._read_at = now
            return self._value
