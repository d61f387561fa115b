"""Append-only, hash-chained audit entries: written inside the caller's transaction, verified later."""

from __future__ import annotations

import csv
import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

# A cell a spreadsheet would read as a formula: the rule lives in the domain (the import report
# uses it too); re-exported here for the audit export's callers.
from checkin_app.domain.messages import msg, pair
from checkin_app.domain.spreadsheet import FORMULA_START as FORMULA_START
from checkin_app.domain.spreadsheet import spreadsheet_cell as spreadsheet_cell
from checkin_app.storage.db import Database
from checkin_app.storage.models import AuditEntry

GENESIS = "0" * 64


def _digest(prev_hash: str, uuid: str, at: datetime, desk: str, operator: str, action: str,
            subject: str, before_json: str, after_json: str) -> str:
    canonical = json.dumps(
        [prev_hash, uuid, at.astimezone(UTC).isoformat(timespec="microseconds"), desk, operator,
         action, subject, before_json, after_json],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_digest(prev_hash: str, e: AuditEntry) -> str:
    """sha256 over the previous hash and every field a forger would want to change."""
    return _digest(prev_hash, e.uuid, e.at, e.desk, e.operator, e.action, e.subject,
                   e.before_json, e.after_json)


_TABLE = cast(Table, AuditEntry.__table__)


def record(
    session: Session,
    *,
    at: datetime,
    desk: str,
    operator: str,
    action: str,
    subject: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> str:
    """Add one audit entry to the open (write) transaction, chained to the newest; returns its uuid."""
    # Core statements, not the unit of work: this runs on every scan and must stay cheap.
    # The write transaction holds SQLite's write lock, so no other writer can slip in between.
    last = session.execute(
        select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
    ).scalar()
    uuid = str(uuidlib.uuid4())
    subject = subject[:200]
    before_json = json.dumps(before, ensure_ascii=False, sort_keys=True) if before else ""
    after_json = json.dumps(after, ensure_ascii=False, sort_keys=True) if after else ""
    prev_hash = last or GENESIS
    digest = _digest(prev_hash, uuid, at, desk, operator, action, subject, before_json, after_json)
    session.execute(insert(_TABLE).values(
        uuid=uuid, at=at, desk=desk, operator=operator, action=action, subject=subject,
        before_json=before_json, after_json=after_json, prev_hash=prev_hash, hash=digest,
    ))
    return uuid


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of checking the audit chain."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem_zh: str = ""
    problem_en: str = ""


def verify_chain(db: Database) -> ChainReport:
    """Walk the log in order and report the first entry whose hash or link does not match."""
    checked = 0
    prev: str | None = None
    with db.read() as s:
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
            if not e.hash and prev is None:
                continue  # written before the chain existed (schema 0001)
            expected_prev = prev if prev is not None else e.prev_hash
            if e.prev_hash != expected_prev:
                return ChainReport(False, checked, e.id, *pair(msg("audit.link_broken", id=e.id)))
            if entry_digest(e.prev_hash, e) != e.hash:
                return ChainReport(False, checked, e.id, *pair(msg("audit.entry_changed", id=e.id)))
            prev = e.hash
            checked += 1
    return ChainReport(True, checked)


def export_csv(db: Database, path: Path) -> int:
    """Write the whole log as UTF-8 CSV with BOM (so Excel on Chinese Windows opens it right).

    Cells that a spreadsheet would run as a formula are exported inert (spreadsheet_cell).
    """
    n = 0
    with db.read() as s, path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "uuid", "at", "desk", "operator", "action", "subject", "before", "after",
                    "prev_hash", "hash"])
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
            w.writerow([spreadsheet_cell(v) for v in (
                e.id, e.uuid, e.at.isoformat(), e.desk, e.operator, e.action, e.subject,
                e.before_json, e.after_json, e.prev_hash, e.hash)])
            n += 1
    return n
