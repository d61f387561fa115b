"""The hub's desks: enrolment tokens, authentication by API token, revocation, reported health."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update

from checkin_app.domain.clock import Clock
from checkin_app.domain.messages import both, msg
from checkin_app.hub import vetting as vet
from checkin_app.hub.changelog import ChangeLog
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.enrolment import issue_desk_certificate
from checkin_app.storage import models_hub as mh
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import CLOCK_WARN_S, AccessRefused, new_token, token_hash

log = logging.getLogger("checkin_app.hub")
_DESK = cast(Table, mh.HubDesk.__table__)
_AUTH = select(_DESK.c.id, _DESK.c.name, _DESK.c.revoked_at).where(_DESK.c.token_hash == bindparam("h"))
ENROL_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class DeskIdentity:
    """An authenticated, enrolled, not revoked desk."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class DeskReport:
    """Health a desk reports with each request."""

    desk_time: datetime | None
    queue_length: int = 0
    app_version: str = ""
    printer_state: str = ""
    protocol: int = 0
    address: str = ""


@dataclass(frozen=True, slots=True)
class DeskHealth:
    """One desk as the dashboard shows it."""

    name: str
    enrolled: bool
    revoked: bool
    last_seen_at: datetime | None
    last_push_at: datetime | None
    clock_offset_ms: int | None
    queue_length: int
    app_version: str
    printer_state: str
    address: str

    def online(self, now: datetime, window_s: float = 60.0) -> bool:
        """Seen within the window (a long-poll renews it at least every ~25 s)."""
        return self.last_seen_at is not None and (now - self.last_seen_at).total_seconds() < window_s

    @property
    def clock_skewed(self) -> bool:
        """Clock off by more than a minute."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_WARN_S * 1000


class Desks:
    """The desks a hub knows: who may sync (tokens, revocation) and how each one is doing."""

    def __init__(self, db: HubDatabase, clock: Clock, changelog: ChangeLog) -> None:
        self.db = db
        self.clock = clock
        self.changelog = changelog
        self._health: dict[int, dict[str, Any]] = {}
        self._health_lock = threading.Lock()

    def create_enrolment(self, name: str, *, ttl: timedelta = ENROL_TTL, location: str = "") -> str:
        """A fresh one-time enrolment token for this desk (new or re-enrolling); returns the token."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError(both(msg("hub.desk.bad_name")))
        token = new_token()
        now = self.clock.now()
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is not None and desk.revoked_at is not None:
                raise AccessRefused(both(msg("hub.desk.revoked_new_name", name=name)))
            if desk is None:
                desk = mh.HubDesk(name=name, created_at=now, location=location, queue_length=0,
                                  app_version="", printer_state="", protocol=0, cursor=0, address="",
                                  token_hash="", certificate_json="")
                s.add(desk)
            desk.enrol_token_hash = token_hash(token)
            desk.enrol_expires_at = now + ttl
        return token

    def enrol(self, token: str, *, public_key: str = "") -> tuple[str, str, dict[str, Any] | None]:
        """Use a one-time token: returns (desk name, new API token, desk key certificate or None)."""
        now = self.clock.now()
        h = token_hash(token)
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.enrol_token_hash == h))
            if desk is None:
                raise AccessRefused(both(msg("hub.enrol.code_invalid")))
            if desk.revoked_at is not None:
                raise AccessRefused(both(msg("hub.desk.revoked", name=desk.name)))
            if desk.enrol_expires_at is not None and desk.enrol_expires_at < now:
                desk.enrol_token_hash = ""
                raise AccessRefused(both(msg("hub.enrol.code_expired")))
            api_token = new_token()
            desk.enrol_token_hash = ""  # one-time: a used token can never match again
            desk.token_hash = token_hash(api_token)
            desk.enrolled_at = now
            cert = issue_desk_certificate(s, desk.name, public_key)
            desk.certificate_json = json.dumps(cert, ensure_ascii=False) if cert else ""
            if cert:
                # Other desks verify this desk's badge codes: its key travels with the next pull.
                s.flush()
                for table in ("event_keys", "desk_keys"):
                    if table in st.REGISTRY:
                        self.changelog.publish(s, table, st.REGISTRY[table].export(s, None))
            return desk.name, api_token, cert

    def authenticate(self, token: str) -> DeskIdentity:
        """The desk holding this API token, or AccessRefused (unknown or revoked)."""
        h = token_hash(token) if token else ""
        row = None
        if h:
            # Every request of every desk comes through here: a Core connection and a prebuilt
            # statement, not an ORM session (a third of the cost). Not cached, so a revocation
            # (even by `hub revoke-desk` in another process) refuses the very next request.
            with self.db.one_read() as conn:
                row = conn.execute(_AUTH, {"h": h}).first()
        if row is None:
            raise AccessRefused(both(msg("hub.desk.unknown_token")))
        if row.revoked_at is not None:
            raise AccessRefused(both(msg("hub.desk.revoked_no_sync", name=row.name)))
        return DeskIdentity(row.id, row.name)

    def revoke(self, name: str) -> bool:
        """Cut a desk off at once; False when no such desk exists."""
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is None:
                return False
            desk.revoked_at = self.clock.now()
            desk.enrol_token_hash = ""
            return True

    def reinstate(self, name: str, *, reason: str, operator: str = "hub") -> bool:
        """Lift a desk's revocation made in error (it may sync again with its token); audited.

        False when no such desk is revoked. Its signing keys are lifted apart
        (hub.enrolment.lift_key_revocation), since a key may stay revoked for good reasons.
        """
        from checkin_app.services import audit

        if not reason.strip():
            raise ValueError(both(msg("hub.desk.reason_needed")))
        now = self.clock.now()
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is None or desk.revoked_at is None:
                return False
            audit.record(s, at=now, desk="hub", operator=operator, action="desk_reinstated", subject=name,
                         before={"revoked_at": desk.revoked_at.isoformat()},
                         after={"reason": reason.strip()})
            desk.revoked_at = None
            return True

    def report(self, desk: DeskIdentity, rep: DeskReport, *, pushed: bool = False,
               cursor: int | None = None) -> int | None:
        """Note a desk's health; returns its clock offset in ms (desk minus hub), if it told its time.

        Kept in memory and written by flush_health() (the hub runs it every second): every pull
        of every desk reports, and a durable write each time would put 50 commits behind every
        check-in that wakes 50 long-polls. Nothing a manager reads is more than a flush late.
        """
        now = self.clock.now()
        offset = None
        if rep.desk_time is not None:
            offset = int((rep.desk_time - now).total_seconds() * 1000)
        # Kept within the columns on every database (a 32-bit offset: ±24.8 days; a desk further
        # off is shown at the limit, and warned of its real offset by its answer).
        values: dict[str, Any] = {
            "last_seen_at": now, "queue_length": max(0, min(rep.queue_length, vet.INT32[1])),
            "app_version": rep.app_version[:40], "printer_state": rep.printer_state[:200],
            "protocol": rep.protocol, "address": rep.address[:64],
        }
        if offset is not None:
            values["clock_offset_ms"] = max(vet.INT32[0], min(offset, vet.INT32[1]))
        if pushed:
            values["last_push_at"] = now
        if cursor is not None:
            values["cursor"] = max(0, min(cursor, vet.INT64[1]))
        with self._health_lock:
            self._health.setdefault(desk.id, {}).update(values)
        return offset

    def flush_health(self) -> int:
        """Write the desk reports noted since the last flush, in one transaction; returns how many desks."""
        with self._health_lock:
            pending, self._health = self._health, {}
        if not pending:
            return 0
        # One executemany per set of columns (a report without a desk time leaves the offset be).
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for desk_id, values in pending.items():
            groups.setdefault(tuple(sorted(values)), []).append({"_id": desk_id, **values})
        try:
            self._write_health(groups)
        except Exception as exc:
            # One desk's report the database will not take must not hold back everyone's:
            # write them one by one and drop what fails alone (logged, no traceback).
            failed: dict[int, str] = {}
            for desk_id, values in pending.items():
                try:
                    self._write_health({tuple(sorted(values)): [{"_id": desk_id, **values}]})
                except Exception as one:
                    failed[desk_id] = (str(one).splitlines() or [""])[0][:200]
            if len(failed) < len(pending):
                for desk_id, why in failed.items():
                    log.warning("desk id %s: health report dropped (%s)", desk_id, why)
            else:
                # Nothing went in: the database, not a report. Keep them for the next flush,
                # unless a newer report replaced them meanwhile.
                with self._health_lock:
                    for desk_id, values in pending.items():
                        self._health[desk_id] = {**values, **self._health.get(desk_id, {})}
                raise exc
        return len(pending)

    def _write_health(self, groups: dict[tuple[str, ...], list[dict[str, Any]]]) -> None:
        with self.db.write_unordered() as s:
            conn = s.connection()
            for cols, rows in groups.items():
                conn.execute(update(_DESK).where(_DESK.c.id == bindparam("_id"))
                             .values({c: bindparam(c) for c in cols}), rows)

    def desks(self) -> list[DeskHealth]:
        """Every desk the hub knows, by name."""
        self.flush_health()
        with self.db.read() as s:
            rows = s.scalars(select(mh.HubDesk).order_by(mh.HubDesk.name)).all()
            return [DeskHealth(d.name, bool(d.token_hash), d.revoked_at is not None, d.last_seen_at,
                               d.last_push_at, d.clock_offset_ms, d.queue_length, d.app_version,
                               d.printer_state, d.address) for d in rows]
