"""Scan → verify → record → verdict: the check-in use case shared by the GUI and the CLI."""

from __future__ import annotations

import time
import unicodedata
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Table, delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from checkin_app.domain import presence as rules
from checkin_app.domain import tokens
from checkin_app.domain.admission import Decision, Presence, decide, today_presence
from checkin_app.domain.clock import Clock, SystemClock, zone
from checkin_app.domain.codes import STUB_PREFIX, STUB_UPDATED_AT, normalise_scan
from checkin_app.domain.event_def import day_start
from checkin_app.domain.messages import FULL_STOPS, DeskError, Message, Words, both, msg, pair, text
from checkin_app.domain.types import (
    ActivityInfo,
    CategoryInfo,
    CheckInRecord,
    DelegateView,
    ScanResult,
)
from checkin_app.domain.verdicts import Verdict, severity, title_message, wording
from checkin_app.services import audit
from checkin_app.services.keys import keys_fingerprint, load_keyring
from checkin_app.services.views import (
    activity_info,
    category_info,
    checkin_record,
    delegate_view_from,
)
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database

MAIN = "MAIN"


class CheckInError(DeskError):
    """A request the service cannot carry out; carries a catalogue Message (str() is bilingual)."""


@dataclass(frozen=True, slots=True)
class RecentItem:
    """One line of the desk's recent-scans list."""

    uuid: str
    at: datetime
    verdict: str
    direction: str
    name: str
    registration_code: str
    activity_code: str
    undone: bool
    is_undo: bool
    forced: bool = False


def _tz(session: Session) -> ZoneInfo:
    name = session.scalar(select(m.Event.timezone).limit(1))
    return zone(name)


_D = cast(Table, m.Delegate.__table__)
_P = cast(Table, m.Presence.__table__)
_C = cast(Table, m.CheckIn.__table__)
_ADM = cast(Table, m.DelegateAdmission.__table__)
_BR = cast(Table, sec.BadgeRevocation.__table__)

# What the presence and conflict rules read of an event (domain.presence.Event).
EVENT_COLUMNS = (_C.c.uuid, _C.c.direction, _C.c.desk, _C.c.at, _C.c.order_at,
                 _C.c.undoes, _C.c.forced)


def event_of(row: Any) -> rules.Event:
    """A stored check-in row (anything with EVENT_COLUMNS' names) as the rules see it."""
    return rules.Event(row.uuid, row.direction, row.desk, row.at, row.order_at, row.undoes,
                       bool(row.forced))


def presence_values(row: rules.PresenceRow) -> dict[str, Any]:
    """A projected row as the presence table's column values (without its key)."""
    return {"first_in_uuid": row.first_in_uuid, "first_in_at": row.first_in_at,
            "first_in_desk": row.first_in_desk, "last_direction": row.last_direction,
            "last_at": row.last_at, "last_desk": row.last_desk}


def latest_stamp(session: Session, delegate_id: int, activity_id: int) -> datetime | None:
    """The newest order stamp this replica holds for one pair (None: no event yet)."""
    return session.execute(
        select(func.max(_C.c.order_at))
        .where(_C.c.delegate_id == delegate_id, _C.c.activity_id == activity_id)
    ).scalar()


def recompute_presence(session: Session, delegate_id: int, activity_id: int) -> None:
    """Rebuild one presence row from the pair's events (domain.presence.project)."""
    events = [event_of(r) for r in session.execute(
        select(*EVENT_COLUMNS)
        .where(_C.c.delegate_id == delegate_id, _C.c.activity_id == activity_id))]
    row = rules.project(events)
    session.execute(delete(_P).where(_P.c.delegate_id == delegate_id, _P.c.activity_id == activity_id))
    if row is not None:
        session.execute(insert(_P).values(delegate_id=delegate_id, activity_id=activity_id,
                                          **presence_values(row)))


def rebuild_all_presence(session: Session) -> int:
    """Recompute the whole projection from events (after sync or repair); returns rows kept.

    One pass over the events in pair order (the pair index gives it), one pair in memory at a
    time: a desk joining late may hold a million events.
    """
    session.execute(delete(_P))
    events = session.execute(select(_C.c.delegate_id, _C.c.activity_id, *EVENT_COLUMNS)
                             .order_by(_C.c.delegate_id, _C.c.activity_id))
    kept = 0
    rows: list[dict[str, Any]] = []
    for (delegate_id, activity_id), group in groupby(events, lambda r: (r.delegate_id, r.activity_id)):
        row = rules.project(event_of(r) for r in group)
        if row is not None:
            rows.append({"delegate_id": delegate_id, "activity_id": activity_id,
                         **presence_values(row)})
        if len(rows) >= 5000:
            session.execute(insert(_P), rows)
            kept += len(rows)
            rows = []
    if rows:
        session.execute(insert(_P), rows)
        kept += len(rows)
    session.flush()
    return kept


# How long activity rules and categories are reused before being read again. Imports and sync
# change them rarely; a few seconds of staleness at the door is harmless, a query per scan is not.
CATALOG_TTL_S = 5.0


class _CatalogCache:
    """Activities (with rules), categories and the time zone, re-read every few seconds."""

    def __init__(self) -> None:
        self._loaded_at = -1e9
        self.activities: dict[str, ActivityInfo] = {}
        self.categories: dict[int, CategoryInfo] = {}
        # Token category tag -> category id; a tag two categories share is left out.
        self.by_tag: dict[bytes, int] = {}
        self.tz: ZoneInfo = zone()

    def get(self, session: Session) -> _CatalogCache:
        if time.monotonic() - self._loaded_at > CATALOG_TTL_S:
            acts = session.scalars(
                select(m.Activity).options(selectinload(m.Activity.categories))
            ).all()
            self.activities = {a.code: activity_info(a) for a in acts}
            self.categories = {c.id: category_info(c) for c in session.scalars(select(m.Category))}
            tags: dict[bytes, list[int]] = {}
            for cid, cat in self.categories.items():
                tags.setdefault(tokens.category_tag(cat.code), []).append(cid)
            self.by_tag = {t: ids[0] for t, ids in tags.items() if len(ids) == 1}
            self.tz = _tz(session)
            self._loaded_at = time.monotonic()
        return self

    def invalidate(self) -> None:
        self._loaded_at = -1e9


class _KeyringCache:
    """The keyring (parsed keys, checked certificates), rebuilt only when a key row changes.

    One tiny fingerprint query per scan instead of a TTL: a revocation must count at once.
    """

    def __init__(self) -> None:
        self._fingerprint: str | None = None
        self._keyring = tokens.Keyring(b"")

    def get(self, session: Session) -> tokens.Keyring:
        fp = keys_fingerprint(session)
        if fp != self._fingerprint:
            self._keyring = load_keyring(session)
            self._fingerprint = fp
        return self._keyring


class CheckInService:
    """Verify scans against the local replica and record admissions durably."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self._cache = _CatalogCache()
        self._keys = _KeyringCache()

    def _activity(self, session: Session, code: str) -> tuple[_CatalogCache, ActivityInfo]:
        cache = self._cache.get(session)
        act = cache.activities.get(code.upper())
        if act is None:
            cache = self._cache
            cache.invalidate()  # maybe created since the last read
            cache.get(session)
            act = cache.activities.get(code.upper())
        if act is None:
            raise CheckInError(msg("activity.unknown", code=code))
        return cache, act

    # -- scanning ------------------------------------------------------------------------
    def scan(
        self,
        raw: str,
        *,
        activity_code: str = MAIN,
        desk: str,
        operator: str = "volunteer",
        direction: str = "in",
    ) -> ScanResult:
        """Decide and record one scan. Never raises for any scanner input."""
        # What cannot be written as UTF-8 (a lone surrogate from a broken input path) is kept
        # as its escape, so the refusal can still be recorded and shown.
        raw = raw.encode("utf-8", "backslashreplace").decode("utf-8")
        code = normalise_scan(raw)
        now = self.clock.now()
        with self.db.write() as session:
            cache, act = self._activity(session, activity_code)
            if code is not None and tokens.looks_like_token(code):
                return self._scan_token(session, cache, act, code, now, desk, operator, direction)
            if code is None and _damaged_token(raw):
                # A badge code that lost or gained characters no code has (an input method's
                # candidates, a broken read): never a verdict on a person, just "scan again".
                shown = _loose(raw)[:48]
                check = tokens.TokenCheck(tokens.TokenStatus.MALFORMED)
                decision = tokens.refusal(check, cache.tz)
                assert decision is not None
                audit.record(
                    session, at=now, desk=desk, operator=operator, action="scan_refused",
                    subject=shown, after={"verdict": decision.verdict.value, "activity": act.code,
                                          "direction": direction, "token": check.status.value},
                )
                return _result(decision, code=shown, delegate=None, activity=act, event=None,
                               details=_token_details(cache, check), direction=direction)
            row = None
            if code is not None:
                row = session.execute(select(_D).where(_D.c.registration_code == code)).first()
            if row is None:
                shown = (code or raw.strip())[:64]
                audit.record(
                    session, at=now, desk=desk, operator=operator, action="scan",
                    subject=shown, after={"verdict": Verdict.UNKNOWN_CODE.value},
                )
                return _result(
                    Decision(Verdict.UNKNOWN_CODE, False, msg("scan.code", code=shown)),
                    code=shown, delegate=None, activity=act, event=None, direction=direction,
                )
            return self._admit(session, cache, row, act, code or "", now, desk, operator, direction)

    def check_in_delegate(
        self,
        delegate_id: int,
        *,
        activity_code: str = MAIN,
        desk: str,
        operator: str = "volunteer",
        direction: str = "in",
    ) -> ScanResult:
        """Check in a person found by search (same rules as a scan)."""
        now = self.clock.now()
        with self.db.write() as session:
            return self.check_in_in_session(session, delegate_id, activity_code=activity_code,
                                            desk=desk, operator=operator, direction=direction,
                                            now=now)

    def check_in_in_session(
        self,
        session: Session,
        delegate_id: int,
        *,
        activity_code: str,
        desk: str,
        operator: str,
        now: datetime,
        direction: str = "in",
        code: str | None = None,
    ) -> ScanResult:
        """Check in inside the caller's write transaction (a walk-in is created and admitted at once)."""
        cache, act = self._activity(session, activity_code)
        row = session.execute(select(_D).where(_D.c.id == delegate_id)).first()
        if row is None:
            raise CheckInError(msg("delegate.unknown", id=delegate_id))
        return self._admit(session, cache, row, act, code or row.registration_code, now, desk,
                           operator, direction)

    # -- signed tokens -------------------------------------------------------------------
    def _scan_token(
        self,
        session: Session,
        cache: _CatalogCache,
        act: ActivityInfo,
        code: str,
        now: datetime,
        desk: str,
        operator: str,
        direction: str,
    ) -> ScanResult:
        """Verify a badge token offline, then apply the same rules as a registration code."""
        check = tokens.check_token(code, self._keys.get(session), now.astimezone(UTC).date())
        claims = check.claims
        decision = tokens.refusal(check, cache.tz)
        row: Row[Any] | None = None
        if claims is not None:  # the signature is genuine: the person is real
            row = session.execute(select(_D).where(_D.c.id == claims.delegate_id)).first()
            if row is not None and _is_stub(row):
                row = self._stub_as_token_says(session, cache, claims, row)
            if decision is None:
                decision = self._serial_refusal(session, cache, claims, row)
            if direction == "out" or decision is None:
                # Exits never fail: a genuine badge, even a replaced one, records its holder
                # leaving. Admission of a person this desk has not synced yet is recorded too.
                row = row or self._ensure_token_row(session, cache, claims)
                if row is not None:
                    return self._admit(session, cache, row, act, code, now, desk, operator,
                                       direction, token=check)
                decision = decision or Decision(
                    Verdict.SIGNATURE_ONLY, True, _says(cache, claims, check, None))
        assert decision is not None
        view = self._view(cache, row) if row is not None else None
        subject = row.registration_code if row is not None else code[:48]
        audit.record(
            session, at=now, desk=desk, operator=operator,
            action="checkin" if decision.admitted else "scan_refused", subject=subject,
            after={"verdict": decision.verdict.value, "activity": act.code, "direction": direction,
                   "token": check.status.value,
                   "token_key": claims.key_id if claims else None},
        )
        return _result(decision, code=code, delegate=view, activity=act, event=None,
                       details=_token_details(cache, check), direction=direction)

    def _serial_refusal(self, session: Session, cache: _CatalogCache, claims: tokens.Claims,
                        row: Row[Any] | None) -> Decision | None:
        """REVOKED when this badge serial was replaced (a revocation, or a newer serial here)."""
        rev = session.execute(
            select(_BR.c.revoked_at, _BR.c.reason, _BR.c.desk)
            .where(_BR.c.delegate_id == claims.delegate_id, _BR.c.serial == claims.serial)
        ).first()
        current = row.badge_serial if row is not None and not _is_stub(row) else None
        if rev is None and (current is None or current <= claims.serial):
            return None
        return tokens.serial_revoked(
            claims.serial, current, rev.revoked_at if rev else None, rev.desk if rev else "",
            rev.reason if rev else "", cache.tz)

    def _ensure_token_row(self, session: Session, cache: _CatalogCache, claims: tokens.Claims
                          ) -> Row[Any] | None:
        """A stub row for a verified person not synced here yet, so the check-in can be recorded.

        It carries only what the token says (id, category, serial) and is replaced by the real
        record on the next sync. None when the token's category is unknown at this desk.
        """
        category_id = cache.by_tag.get(claims.category_tag)
        if category_id is None:
            return None
        session.execute(insert(_D).values(
            id=claims.delegate_id, uid=f"token:{claims.delegate_id}",
            registration_code=STUB_PREFIX + str(claims.delegate_id), category_id=category_id,
            status="approved", badge_serial=claims.serial, walk_in=claims.walk_in,
            updated_at=STUB_UPDATED_AT,
        ))
        return session.execute(select(_D).where(_D.c.id == claims.delegate_id)).first()

    def _stub_as_token_says(self, session: Session, cache: _CatalogCache, claims: tokens.Claims,
                            row: Row[Any]) -> Row[Any]:
        """A stub knows only what a token said; one made when a damaged database lost the row
        (storage.recovery) had to guess the category: a verified token at least as new says it."""
        category_id = cache.by_tag.get(claims.category_tag)
        if category_id is None or category_id == row.category_id or claims.serial < row.badge_serial:
            return row
        session.execute(update(_D).where(_D.c.id == row.id).values(category_id=category_id))
        return session.execute(select(_D).where(_D.c.id == row.id)).first() or row

    def _view(self, cache: _CatalogCache, row: Row[Any]) -> DelegateView:
        view = delegate_view_from(row, cache.categories[row.category_id])
        if _is_stub(row):
            view = replace(view, display_name=tokens.badge_number(row.id),
                           walk_in=tokens.is_walk_in_id(row.id))
        return view

    def _admit(
        self,
        session: Session,
        cache: _CatalogCache,
        row: Row[Any],
        act: ActivityInfo,
        code: str,
        now: datetime,
        desk: str,
        operator: str,
        direction: str,
        token: tokens.TokenCheck | None = None,
    ) -> ScanResult:
        # Core statements on purpose: this is the hot path of every scan (see bench_checkin).
        merged: Row[Any] | None = None
        if row.merged_into:
            # A record the organiser merged into another: the person is the kept record, so the
            # rules, the presence and the check-in are the kept record's (one person, one count).
            kept = _kept_record(session, row)
            if kept is not None:
                merged, row = row, kept
        category = cache.categories[row.category_id]
        pres = session.execute(
            select(_P).where(_P.c.delegate_id == row.id, _P.c.activity_id == act.id)
        ).first()
        presence = (
            Presence(pres.first_in_at, pres.first_in_desk, pres.last_direction, pres.last_at,
                     pres.last_desk)
            if pres is not None
            else None
        )
        first_uuid = pres.first_in_uuid if pres is not None else None
        if act.once_per_day and presence is not None:
            today = self._first_in_since(session, row.id, act.id, day_start(now, cache.tz))
            presence = today_presence(presence, (today.at, today.desk) if today else None)
            first_uuid = today.uuid if today is not None else None
        override = session.execute(
            select(_ADM.c.allow).where(_ADM.c.delegate_id == row.id, _ADM.c.activity_id == act.id)
        ).scalar()
        occupancy = 0
        if act.capacity is not None:
            # Inside now: whoever's last event is an entry (where exits are never scanned,
            # that is everyone checked in; an exit scanned anyway still counts).
            q = select(func.count()).select_from(_P).where(_P.c.activity_id == act.id,
                                                           _P.c.last_direction == "in")
            occupancy = int(session.execute(q).scalar() or 0)
        decision = decide(
            status=row.status,
            category=category.code,
            category_attention=category.attention,
            attention_note=_attention_text(category, row.attention_note),
            activity=act,
            now=now,
            tz=cache.tz,
            presence=presence,
            occupancy=occupancy,
            override=override,
            direction=direction,
        )
        if (_is_stub(row) and direction == "in"
                and decision.verdict in (Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION)):
            # Valid signature, but this desk has no record of the person yet: admit on what
            # the code says, in amber, and say what it says.
            decision = Decision(Verdict.SIGNATURE_ONLY, True, _says(cache, None, token, row))
        view = self._view(cache, row)
        previous: CheckInRecord | None = None
        if first_uuid is not None:
            prev = session.execute(select(_C).where(_C.c.uuid == first_uuid)).first()
            if prev is not None:
                previous = _record_from(prev, act.code)
        record: CheckInRecord | None = None
        if decision.admitted:
            record = self._record(session, row.id, act, pres, now=now, desk=desk,
                                  operator=operator, direction=direction,
                                  verdict=decision.verdict.value)
        after: dict[str, Any] = {
            "verdict": decision.verdict.value,
            "activity": act.code,
            "direction": direction,
            "event": record.uuid if record else None,
        }
        if token is not None:
            after["token"] = token.status.value
            after["token_key"] = token.claims.key_id if token.claims else None
        if merged is not None:
            after["merged_record"] = merged.registration_code
        audit.record(
            session, at=now, desk=desk, operator=operator,
            action="checkin" if decision.admitted else "scan_refused",
            subject=row.registration_code, after=after,
        )
        result = _result(decision, code=code, delegate=view, activity=act, event=record,
                         previous=previous, direction=direction,
                         details=_token_details(cache, token) if token is not None else None)
        return _merged_result(result, merged, row) if merged is not None else result

    @staticmethod
    def _first_in_since(session: Session, delegate_id: int, activity_id: int, since: datetime
                        ) -> Row[Any, Any, Any] | None:
        """The first entry (not undone) at this activity from `since` on: today's, for once per day."""
        undone = select(_C.c.undoes).where(_C.c.delegate_id == delegate_id,
                                           _C.c.activity_id == activity_id, _C.c.undoes.is_not(None))
        return session.execute(
            select(_C.c.uuid, _C.c.at, _C.c.desk)
            .where(_C.c.delegate_id == delegate_id, _C.c.activity_id == activity_id,
                   _C.c.direction == "in", _C.c.at >= since, _C.c.undoes.is_(None),
                   _C.c.uuid.not_in(undone))
            .order_by(_C.c.order_at, _C.c.uuid).limit(1)  # the order every replica has
        ).first()

    def _record(self, session: Session, delegate_id: int, act: ActivityInfo, pres: Row[Any] | None,
                *, now: datetime, desk: str, operator: str, direction: str, verdict: str,
                forced: bool = False, reason: str = "") -> CheckInRecord:
        """Insert one check-in event and move the presence projection along.

        The event is stamped after every event of the pair this desk holds (domain.presence), so
        it is the newest in the order every replica uses and the projection only moves forward.
        """
        record = CheckInRecord(
            uuid=str(uuidlib.uuid4()), delegate_id=delegate_id, activity_code=act.code,
            direction=direction, desk=desk, operator=operator, at=now, verdict=verdict,
            forced=forced,
        )
        stamp = rules.next_stamp(now, latest_stamp(session, delegate_id, act.id))
        session.execute(insert(_C).values(
            uuid=record.uuid, delegate_id=delegate_id, activity_id=act.id, direction=direction,
            desk=desk, operator=operator, at=now, order_at=stamp, verdict=verdict, forced=forced,
            reason=reason, conflict=False, synced=False,
        ))
        before = (rules.PresenceRow(pres.first_in_uuid, pres.first_in_at, pres.first_in_desk,
                                    pres.last_direction, pres.last_at, pres.last_desk)
                  if pres is not None else None)
        after = rules.advance(before, rules.Event(record.uuid, direction, desk, now, stamp,
                                                  forced=forced))
        if after is not None and before is None:
            session.execute(insert(_P).values(delegate_id=delegate_id, activity_id=act.id,
                                              **presence_values(after)))
        elif after is not None:  # (None: an exit of someone with no entry, nothing to show)
            session.execute(
                update(_P)
                .where(_P.c.delegate_id == delegate_id, _P.c.activity_id == act.id)
                .values(last_direction=after.last_direction, last_at=after.last_at,
                        last_desk=after.last_desk)
            )
        return record

    # -- manager override ----------------------------------------------------------------
    def override(
        self,
        delegate_id: int,
        *,
        activity_code: str = MAIN,
        desk: str,
        operator: str,
        reason: str,
        overridden: str,
        direction: str = "in",
    ) -> ScanResult:
        """Admit despite a red verdict: a forced check-in with the manager's reason, audited.

        The caller has checked the manager's PIN; `overridden` is the verdict being set aside.
        """
        reason = reason.strip()
        if not reason:
            raise CheckInError(msg("override.reason_needed"))
        now = self.clock.now()
        with self.db.write() as session:
            cache, act = self._activity(session, activity_code)
            row = session.execute(select(_D).where(_D.c.id == delegate_id)).first()
            if row is None:
                raise CheckInError(msg("delegate.unknown", id=delegate_id))
            pres = session.execute(
                select(_P).where(_P.c.delegate_id == row.id, _P.c.activity_id == act.id)
            ).first()
            record = self._record(session, row.id, act, pres, now=now, desk=desk,
                                  operator=operator, direction=direction, verdict=overridden,
                                  forced=True, reason=reason)
            audit.record(
                session, at=now, desk=desk, operator=operator, action="override",
                subject=row.registration_code,
                before={"verdict": overridden},
                after={"event": record.uuid, "activity": act.code, "direction": direction,
                       "reason": reason, "forced": True},
            )
            decision = Decision(
                Verdict.ADMIT_WITH_ATTENTION, True,
                msg("override.by", operator=operator, was=title_message(overridden), reason=reason),
            )
            return _result(decision, code=row.registration_code, delegate=self._view(cache, row),
                           activity=act, event=record, direction=direction,
                           details={"forced": "1", "overridden": overridden, "operator": operator,
                                    "override_reason": reason})

    # -- undo ----------------------------------------------------------------------------
    def undo(self, event_uuid: str, *, desk: str, operator: str, reason: str = "") -> CheckInRecord:
        """Reverse a recorded check-in with a new event; the original stays untouched."""
        now = self.clock.now()
        with self.db.write() as session:
            ev = session.scalar(select(m.CheckIn).where(m.CheckIn.uuid == event_uuid))
            if ev is None:
                raise CheckInError(msg("undo.not_found", uuid=event_uuid))
            if ev.undoes is not None:
                raise CheckInError(msg("undo.of_undo"))
            already = session.scalar(select(m.CheckIn.uuid).where(m.CheckIn.undoes == event_uuid))
            if already is not None:
                raise CheckInError(msg("undo.already", uuid=already))
            act_code = session.scalar(select(m.Activity.code).where(m.Activity.id == ev.activity_id))
            # Undoing another desk's event is a manager's action and says so (the hub takes an
            # undo of another desk's event only marked as such, with a name and a reason).
            other_desk = ev.desk != desk
            if other_desk and not reason.strip():
                reason = both(msg("undo.other_desk", desk=ev.desk), sep=" / ")
            rev = m.CheckIn(
                uuid=str(uuidlib.uuid4()),
                delegate_id=ev.delegate_id,
                activity_id=ev.activity_id,
                direction=ev.direction,
                desk=desk,
                operator=operator,
                at=now,
                order_at=rules.next_stamp(now, latest_stamp(session, ev.delegate_id, ev.activity_id)),
                verdict="UNDO",
                reason=reason,
                undoes=ev.uuid,
                forced=other_desk,
            )
            session.add(rev)
            session.flush()
            recompute_presence(session, ev.delegate_id, ev.activity_id)
            audit.record(
                session, at=now, desk=desk, operator=operator, action="undo",
                subject=ev.uuid,
                before={"event": ev.uuid, "verdict": ev.verdict, "desk": ev.desk},
                after={"undo": rev.uuid, "reason": reason},
            )
            return checkin_record(rev, act_code or "")

    def last_event(self, *, desk: str | None = None) -> CheckInRecord | None:
        """The newest effective admission (optionally at one desk), for `undo --last`."""
        with self.db.read() as session:
            undone = select(m.CheckIn.undoes).where(m.CheckIn.undoes.is_not(None))
            q = (
                select(m.CheckIn, m.Activity.code)
                .join(m.Activity, m.Activity.id == m.CheckIn.activity_id)
                .where(m.CheckIn.undoes.is_(None), m.CheckIn.uuid.not_in(undone))
                .order_by(m.CheckIn.at.desc(), m.CheckIn.id.desc())
                .limit(1)
            )
            if desk is not None:
                q = q.where(m.CheckIn.desk == desk)
            row = session.execute(q).first()
            return checkin_record(row[0], row[1]) if row else None

    # -- recent list ---------------------------------------------------------------------
    def recent(self, *, desk: str | Sequence[str] | None = None, limit: int = 30) -> list[RecentItem]:
        """The newest events (check-ins and undos), newest first; of one desk (or its names) if given."""
        with self.db.read() as session:
            q = (
                select(m.CheckIn, m.Delegate, m.Activity.code)
                .join(m.Delegate, m.Delegate.id == m.CheckIn.delegate_id)
                .join(m.Activity, m.Activity.id == m.CheckIn.activity_id)
                .order_by(m.CheckIn.at.desc(), m.CheckIn.id.desc())
                .limit(limit)
            )
            if isinstance(desk, str):
                q = q.where(m.CheckIn.desk == desk)
            elif desk is not None:
                q = q.where(m.CheckIn.desk.in_(list(desk)))
            rows = session.execute(q).all()
            uuids = [r[0].uuid for r in rows]
            undone = set(
                session.scalars(select(m.CheckIn.undoes).where(m.CheckIn.undoes.in_(uuids))).all()
            )
            return [
                RecentItem(
                    uuid=c.uuid,
                    at=c.at,
                    verdict=c.verdict,
                    direction=c.direction,
                    name=d.name_native or d.name_latin,
                    registration_code=d.registration_code,
                    activity_code=code,
                    undone=c.uuid in undone,
                    is_undo=c.undoes is not None,
                    forced=c.forced,
                )
                for c, d, code in rows
            ]


def _attention_text(category: CategoryInfo, note: str) -> str:
    """The category's attention words (both languages) and the person's note, one text for both."""
    said = ""
    if category.attention and (category.attention_zh or category.attention_en):
        said = " / ".join(p for p in (category.attention_zh, category.attention_en) if p)
    if said and note:
        # The note is one text shown to both languages, so one joiner (the Chinese one) serves.
        return pair(msg("attention.and_note", attention=said, note=note))[0]
    return said or note


def _record_from(r: Row[Any], activity_code: str) -> CheckInRecord:
    return CheckInRecord(
        uuid=r.uuid, delegate_id=r.delegate_id, activity_code=activity_code,
        direction=r.direction, desk=r.desk, operator=r.operator, at=r.at, verdict=r.verdict,
        undoes=r.undoes, forced=r.forced,
    )


def _result(
    decision: Decision,
    *,
    code: str,
    delegate: DelegateView | None,
    activity: ActivityInfo | None,
    event: CheckInRecord | None,
    previous: CheckInRecord | None = None,
    details: dict[str, str] | None = None,
    direction: str = "in",
) -> ScanResult:
    # A recorded exit has its own words ("已离场 / Exit recorded"), never "admit"; a refused
    # exit scan (a forged or unreadable code) keeps the words of its verdict.
    w = wording(decision.verdict, direction if decision.admitted else "in")
    # A reason that only repeats the title is no reason ("报名已取消：报名已取消").
    reason_zh = "" if _same(decision.reason_zh, w.title_zh) else decision.reason_zh
    reason_en = "" if _same(decision.reason_en, w.title_en) else decision.reason_en
    said = msg("scan.title_reason", title=Words(w.title_zh, w.title_en),
               reason=Words(reason_zh, reason_en))
    msg_zh = text(said, "zh") if reason_zh else w.title_zh
    msg_en = text(said, "en") if reason_en else w.title_en
    return ScanResult(
        verdict=decision.verdict,
        severity=severity(decision.verdict, decision.admitted),
        admitted=decision.admitted,
        title_zh=w.title_zh,
        title_en=w.title_en,
        message_zh=msg_zh,
        message_en=msg_en,
        next_zh=w.next_zh,
        next_en=w.next_en,
        code=code,
        delegate=delegate,
        activity=activity,
        event=event,
        previous=previous,
        direction=direction,
        details={"reason_zh": reason_zh, "reason_en": reason_en, **(details or {})},
    )


def _same(reason: str, title: str) -> bool:
    return reason.strip(FULL_STOPS).casefold() == title.strip(FULL_STOPS).casefold()


def _loose(raw: str) -> str:
    """What is left of a scan that normalise_scan gave up on: its printable ASCII, upper case."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in folded if ch.isascii() and ch.isprintable() and not ch.isspace()
                   ).upper()


def _damaged_token(raw: str) -> bool:
    """Whether an unusable scan still starts like a signed badge code ("CK-")."""
    return tokens.looks_like_token(_loose(raw))


def _is_stub(row: Row[Any]) -> bool:
    return str(row.registration_code).startswith(STUB_PREFIX)


# Links followed from a merged record at most: the hub stores each link to the chain's end
# (domain.merging), so more than one is only a desk between two syncs; a loop is never followed.
_MERGE_HOPS = 8


def _kept_record(session: Session, row: Row[Any]) -> Row[Any] | None:
    """The record that stands for a merged one (the end of its chain); None when this desk does
    not hold it yet, or the links loop: the scanned record is then taken as it is."""
    seen = {row.uid}
    for _ in range(_MERGE_HOPS):
        kept = session.execute(select(_D).where(_D.c.uid == row.merged_into)).first()
        if kept is None or kept.uid in seen:
            return None
        if not kept.merged_into:
            return kept
        seen.add(kept.uid)
        row = kept
    return None


def _merged_result(result: ScanResult, merged: Row[Any], kept: Row[Any]) -> ScanResult:
    """The scan of a merged record says whose code it is and as whom it was dealt with, in the
    next-step line every verdict shows (zh and en), and in the details for --json."""
    said = msg("scan.merged", name=merged.name_native or merged.name_latin or merged.registration_code,
               source=merged.source or msg("scan.merged_no_source"),
               kept=kept.name_native or kept.name_latin or kept.registration_code,
               kept_code=kept.registration_code)
    zh, en = pair(said)
    return replace(result, next_zh=f"{zh}{result.next_zh}", next_en=f"{en} {result.next_en}",
                   details={**result.details, "merged_record": str(merged.registration_code),
                            "merged_source": str(merged.source), "merged_zh": zh, "merged_en": en})


def _says(cache: _CatalogCache, claims: tokens.Claims | None, check: tokens.TokenCheck | None,
          row: Row[Any] | None) -> Message | None:
    """'The code says: ...' for a person admitted on the signature alone."""
    claims = claims or (check.claims if check is not None else None)
    if claims is None:
        return None
    cid = row.category_id if row is not None else cache.by_tag.get(claims.category_tag)
    cat = cache.categories.get(cid) if cid is not None else None
    desk = check.key.desk_name if check is not None and check.key is not None else "?"
    return msg(
        "scan.code_says",
        category=Words(cat.name_zh, cat.name_en) if cat else msg("category.unknown_lower"),
        number=tokens.badge_number(claims.delegate_id),
        walk_in=msg("scan.walk_in_mark") if claims.walk_in else "",
        serial=claims.serial, desk=desk, last=claims.valid_until - timedelta(days=1),
    )


def _token_details(cache: _CatalogCache, check: tokens.TokenCheck | None) -> dict[str, str]:
    """Token facts for the result panel and --json (empty for registration codes)."""
    if check is None:
        return {}
    out = {"token": check.status.value}
    if check.claims is not None:
        c = check.claims
        out.update(token_delegate=tokens.badge_number(c.delegate_id), token_serial=str(c.serial),
                   token_valid_from=c.valid_from.isoformat(),
                   token_valid_until=c.valid_until.isoformat())
    if check.key is not None:
        out.update(token_desk=check.key.desk_name, token_key=str(check.key.key_id))
    return out
