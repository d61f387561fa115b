"""What a manager must look at after sync: admissions the hub flagged as conflicts, and items it refused.

The hub flags the later of two admissions of one person to a single-entry activity made at
different desks while they were apart (domain.presence.conflicts, run by hub.store
`_reproject`); the flag reaches this desk with the check-in rows. The earlier admission shown
beside it is found here by the same rule (domain.presence.first_in) on this desk's replica.
Refusals are recorded by the sync client (sync.client `DeskSync.refusals`); this module only
describes them in terms a manager recognises.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, tuple_
from sqlalchemy.orm import Session

from checkin_app.domain import presence
from checkin_app.services.checkin import EVENT_COLUMNS, event_of
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_badges import BadgePrint

_C = cast(Table, m.CheckIn.__table__)
_D = cast(Table, m.Delegate.__table__)
_A = cast(Table, m.Activity.__table__)
_BP = cast(Table, BadgePrint.__table__)
# Rows per IN (...) lookup.
_CHUNK = 400


@dataclass(frozen=True, slots=True)
class Admission:
    """One recorded admission: where and when."""

    uuid: str
    desk: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ConflictItem:
    """A flagged admission, who and where, and the earlier admission it collides with."""

    uuid: str
    delegate_id: int
    registration_code: str
    name_native: str
    name_latin: str
    activity_code: str
    activity_zh: str
    activity_en: str
    desk: str
    at: datetime
    operator: str
    # None when the earlier admission was undone after the hub flagged this one.
    earlier: Admission | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something this desk pushed and the hub refused, with the hub's (bilingual) reason."""

    table: str
    key: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """A refusal with the person and activity it concerns, where the desk still knows them."""

    table: str
    key: str
    reason: str
    refused_at: datetime
    name: str = ""
    registration_code: str = ""
    activity_code: str = ""
    event_at: datetime | None = None


class ConflictService:
    """Reads flagged admissions and describes refusals; one read session per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def conflicts(self) -> list[ConflictItem]:
        """Every admission the hub flagged as a conflict, newest first."""
        with self.db.read() as s:
            rows = s.execute(
                select(_C.c.uuid, _C.c.delegate_id, _C.c.activity_id, _C.c.desk, _C.c.at,
                       _C.c.operator, _D.c.registration_code, _D.c.name_native, _D.c.name_latin,
                       _A.c.code, _A.c.name_zh, _A.c.name_en)
                .join(_D, _D.c.id == _C.c.delegate_id)
                .join(_A, _A.c.id == _C.c.activity_id)
                .where(_C.c.conflict.is_(True))
                .order_by(_C.c.at.desc(), _C.c.uuid.desc())).all()
            first = _first_admissions(s, {(r.delegate_id, r.activity_id) for r in rows})
        return [ConflictItem(
            uuid=r.uuid, delegate_id=r.delegate_id, registration_code=r.registration_code,
            name_native=r.name_native, name_latin=r.name_latin, activity_code=r.code,
            activity_zh=r.name_zh, activity_en=r.name_en, desk=r.desk, at=r.at, operator=r.operator,
            earlier=_earlier(first.get((r.delegate_id, r.activity_id)), r.uuid))
            for r in rows]

    def describe(self, refusals: Sequence[Refusal]) -> list[RefusedItem]:
        """Refusals newest first, with the person and activity of refused check-ins and walk-ins."""
        checkin_keys = [r.key for r in refusals if r.table == "checkins"]
        print_keys = [r.key for r in refusals if r.table == "badge_prints"]
        # Walk-ins by uid; serial revocations by "uid:serial".
        uid_of = {r.key: r.key.rpartition(":")[0] if r.table == "badge_revocations" else r.key
                  for r in refusals if r.table in ("delegates", "badge_revocations")}
        events: dict[str, tuple[str, str, str, datetime]] = {}
        people: dict[str, tuple[str, str]] = {}
        prints: dict[str, tuple[str, str, datetime]] = {}
        with self.db.read() as s:
            for part in _chunks(print_keys):
                for pr in s.execute(
                        select(_BP.c.uuid, _BP.c.at, _D.c.name_native, _D.c.name_latin,
                               _D.c.registration_code)
                        .join(_D, _D.c.id == _BP.c.delegate_id).where(_BP.c.uuid.in_(part))):
                    prints[pr.uuid] = (pr.name_native or pr.name_latin, pr.registration_code, pr.at)
            for part in _chunks(checkin_keys):
                for row in s.execute(
                        select(_C.c.uuid, _D.c.name_native, _D.c.name_latin, _D.c.registration_code,
                               _A.c.code, _C.c.at)
                        .join(_D, _D.c.id == _C.c.delegate_id).join(_A, _A.c.id == _C.c.activity_id)
                        .where(_C.c.uuid.in_(part))):
                    events[row.uuid] = (row.name_native or row.name_latin, row.registration_code,
                                        row.code, row.at)
            for part in _chunks(sorted(set(uid_of.values()))):
                for person in s.execute(select(_D.c.uid, _D.c.name_native, _D.c.name_latin,
                                               _D.c.registration_code).where(_D.c.uid.in_(part))):
                    people[person.uid] = (person.name_native or person.name_latin,
                                          person.registration_code)
        out = []
        for r in refusals:
            if r.key in events and r.table == "checkins":
                name, code, act, at = events[r.key]
                out.append(RefusedItem(r.table, r.key, r.reason, r.at, name, code, act, at))
            elif r.table == "badge_prints" and r.key in prints:
                name, code, at = prints[r.key]
                out.append(RefusedItem(r.table, r.key, r.reason, r.at, name, code, event_at=at))
            elif uid_of.get(r.key) in people:
                name, code = people[uid_of[r.key]]
                out.append(RefusedItem(r.table, r.key, r.reason, r.at, name, code))
            else:
                out.append(RefusedItem(r.table, r.key, r.reason, r.at))
        out.sort(key=lambda i: (i.refused_at, i.event_at or i.refused_at), reverse=True)
        return out


def _chunks(keys: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(keys), _CHUNK):
        yield list(keys[i:i + _CHUNK])


def _first_admissions(s: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Admission]:
    """The valid admission of each (delegate, activity): its first effective entry (domain.presence)."""
    out: dict[tuple[int, int], Admission] = {}
    ordered = sorted(pairs)
    for i in range(0, len(ordered), _CHUNK):
        part = ordered[i:i + _CHUNK]
        events: dict[tuple[int, int], list[presence.Event]] = {}
        for r in s.execute(select(_C.c.delegate_id, _C.c.activity_id, *EVENT_COLUMNS)
                           .where(tuple_(_C.c.delegate_id, _C.c.activity_id).in_(part))):
            events.setdefault((r.delegate_id, r.activity_id), []).append(event_of(r))
        for pair, evs in events.items():
            first = presence.first_in(evs)
            if first is not None:
                out[pair] = Admission(first.uuid, first.desk, first.at)
    return out


def _earlier(first: Admission | None, uuid: str) -> Admission | None:
    """The valid admission a flagged one collides with (None if the flagged one is it now)."""
    return first if first is not None and first.uuid != uuid else None
