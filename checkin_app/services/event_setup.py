"""Event set-up: apply an event definition in one audited transaction, read it back, export it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.event_def import (
    ONCE_PER_DAY,
    REENTRY,
    SINGLE,
    ActivityDef,
    CategoryDef,
    CheckReport,
    EventDef,
    EventDefinition,
    EventProblem,
    Loc,
    admitted,
    normalised,
    said_problem,
)
from checkin_app.domain.messages import Words, both, msg
from checkin_app.services import audit
from checkin_app.services.event_files import check_file, write_definition
from checkin_app.storage import models as m
from checkin_app.storage.models_import import ImportAdmission


class SessionSource(Protocol):
    """A desk Database or the hub's HubDatabase: sessions per operation."""

    def read(self) -> AbstractContextManager[Session]:
        """A reading session."""
        ...

    def write(self) -> AbstractContextManager[Session]:
        """A write transaction."""
        ...


# Refusal kinds; the words are the catalogue's event.setup.<kind> and event.setup.<kind>.hint.
REFUSALS = frozenset({"activity_has_checkins", "category_in_use", "other_event"})


def refusal(kind: str, **params: object) -> EventProblem:
    """A bilingual reason why a definition cannot be applied as it is."""
    return said_problem(kind, msg(f"event.setup.{kind}", **params),
                        msg(f"event.setup.{kind}.hint", **params), value=str(params.get("code", "")))


class EventSetupError(Exception):
    """The definition was not applied (nothing was written); `problems` say why, in both languages."""

    def __init__(self, problems: Sequence[EventProblem]) -> None:
        self.problems = tuple(problems)
        lines = [both(msg("event.setup.problem_line",
                          where=f"{p.where}: " if p.where else "",
                          problem=Words(p.message_zh, p.message_en), hint=Words(p.hint_zh, p.hint_en)))
                 for p in self.problems]
        super().__init__("\n".join(lines) or both(msg("event.setup.not_valid")))


@dataclass(frozen=True, slots=True)
class Change:
    """One row the apply added, changed, archived or deleted, with the changed columns."""

    table: str  # "event", "activity" or "category"
    code: str
    action: str  # "add", "update", "archive" or "delete"
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for --json."""
        return {"table": self.table, "code": self.code, "action": self.action,
                "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What applying a definition did; no changes means the database already held it."""

    changes: tuple[Change, ...]
    event_code: str
    # Per-delegate admissions went with deleted activities: delegates' synced rows changed too.
    delegates_changed: bool = False

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.changes)

    def tables(self) -> list[str]:
        """Synced tables whose rows changed (for the hub to publish)."""
        names = {"event": "events", "activity": "activities", "category": "categories"}
        out = sorted({names[c.table] for c in self.changes})
        if any(c.table == "category" for c in self.changes) and "activities" not in out:
            out.append("activities")  # an activity's payload lists its categories by code
        if self.delegates_changed:
            out.append("delegates")
        return out


@dataclass(frozen=True, slots=True)
class EventSummary:
    """`event show`: the definition with counts of what the database holds against it."""

    definition: EventDefinition
    admitted: dict[str, tuple[str, ...]]
    delegates: dict[str, int]
    checkins: dict[str, int]


def known_templates() -> frozenset[str]:
    """Names of the badge templates this installation has (for the check)."""
    from checkin_app.badges.templates import load_templates

    return frozenset(load_templates().templates)


def _dumps(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def _loads(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _show(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


# -- columns from the definition ------------------------------------------------------------------
def _event_columns(e: EventDef) -> dict[str, Any]:
    return {"code": e.code, "name_zh": e.name_zh, "name_en": e.name_en, "venue_zh": e.venue_zh,
            "venue_en": e.venue_en, "timezone": e.timezone, "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat()}


def _category_columns(c: CategoryDef, position: int) -> dict[str, Any]:
    return {"name_zh": c.name_zh, "name_en": c.name_en, "colour": c.colour, "attention": c.attention,
            "attention_zh": c.attention_zh, "attention_en": c.attention_en, "sort_order": position + 1,
            "badge_template": c.badge_template, "aliases": _dumps(c.aliases),
            "default_activities": _dumps(c.default_activities)}


def _activity_columns(a: ActivityDef, position: int, tz: ZoneInfo) -> dict[str, Any]:
    return {"name_zh": a.name_zh, "name_en": a.name_en, "hall_zh": a.hall_zh, "hall_en": a.hall_en,
            "starts_at": a.starts_at(tz).astimezone(UTC), "ends_at": a.ends_at(tz).astimezone(UTC),
            "doors_open_minutes": a.doors_before, "doors_after_minutes": a.doors_after,
            "capacity": a.capacity, "reentry": a.mode != SINGLE, "once_per_day": a.mode == ONCE_PER_DAY,
            "exits_scanned": a.exits_scanned, "is_main": a.main, "admits_all": a.admits_all,
            "except_categories": _dumps(a.excepted), "archived": a.archived, "sort_order": position}


def _diff(row: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = {}, {}
    for k, v in values.items():
        old = getattr(row, k)
        if old != v:
            before[k], after[k] = _show(old), _show(v)
    return before, after


# -- reading the database back as a definition --------------------------------------------------
def read_definition(session: Session) -> EventDefinition | None:
    """The event the database holds, as a definition in normal form (None without an event)."""
    e = session.scalar(select(m.Event).order_by(m.Event.id).limit(1))
    if e is None:
        return None
    tz = ZoneInfo(e.timezone)
    cats = list(session.scalars(select(m.Category).order_by(m.Category.sort_order, m.Category.id)))
    acts = list(session.scalars(select(m.Activity).order_by(m.Activity.sort_order, m.Activity.id)))
    code_of = {c.id: c.code for c in cats}
    links: dict[int, set[str]] = {}
    for a_id, c_id in session.execute(select(m.ActivityCategory.activity_id,
                                             m.ActivityCategory.category_id)):
        links.setdefault(a_id, set()).add(code_of[c_id])
    categories = tuple(
        CategoryDef(c.code, c.name_zh, c.name_en, c.colour, c.badge_template, c.attention,
                    c.attention_zh, c.attention_en, _loads(c.default_activities), _loads(c.aliases))
        for c in cats)
    by_default: dict[str, set[str]] = {}
    for c in categories:
        for code in c.default_activities:
            by_default.setdefault(code, set()).add(c.code)
    order = {c.code: i for i, c in enumerate(categories)}
    activities = []
    for a in acts:
        start, end = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
        mode = SINGLE if not a.reentry else ONCE_PER_DAY if a.once_per_day else REENTRY
        admits = () if a.admits_all else tuple(sorted(
            links.get(a.id, set()) - by_default.get(a.code, set()), key=lambda c: order.get(c, 0)))
        activities.append(ActivityDef(
            a.code, a.name_zh, a.name_en, a.hall_zh, a.hall_en, day=start.date(),
            start=start.time().replace(tzinfo=None, microsecond=0),
            end=end.time().replace(tzinfo=None, microsecond=0), end_day=end.date(),
            doors_before=a.doors_open_minutes, doors_after=a.doors_after_minutes, capacity=a.capacity,
            admits=admits, admits_all=a.admits_all, excepted=_loads(a.except_categories), mode=mode,
            exits_scanned=a.exits_scanned, main=a.is_main, archived=a.archived))
    event = EventDef(e.code, e.name_zh, e.name_en, e.venue_zh, e.venue_en, e.timezone,
                     date.fromisoformat(e.starts_on), date.fromisoformat(e.ends_on))
    return normalised(EventDefinition(event, tuple(activities), categories))


# -- applying -----------------------------------------------------------------------------------
def _count(session: Session, model: Any, column: Any, value: int) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(column == value)) or 0)


def apply_in_session(session: Session, definition: EventDefinition, *, now: datetime, operator: str,
                     desk: str, archive_removed: bool = False, force: bool = False,
                     delete_unused: bool = True) -> ApplyResult:
    """Make the database hold `definition`, inside the caller's write transaction.

    Nothing is written when a refusal is found first (EventSetupError): an activity with
    check-ins that the file drops (unless `archive_removed`), a category delegates still have,
    or another event's file over a database with check-ins (unless `force`). An activity the
    file drops that has no check-ins is deleted, or archived when not `delete_unused` (the hub:
    its change log has no deletions, so desks learn of a dropped activity by its archived flag).
    """
    new = normalised(definition)
    tz = ZoneInfo(new.event.timezone)
    event = session.scalar(select(m.Event).order_by(m.Event.id).limit(1))
    cats = {c.code: c for c in session.scalars(select(m.Category))}
    acts = {a.code: a for a in session.scalars(select(m.Activity))}
    problems: list[EventProblem] = []
    if event is not None and event.code != new.event.code and not force:
        n = int(session.scalar(select(func.count()).select_from(m.CheckIn)) or 0)
        if n:
            problems.append(refusal("other_event", code=event.code, count=n, other=new.event.code))
    wanted_cats = {c.code for c in new.categories}
    wanted_acts = {a.code for a in new.activities}
    to_archive: list[m.Activity] = []
    to_delete: list[m.Activity] = []
    for code, a in sorted(acts.items()):
        if code in wanted_acts:
            continue
        n = _count(session, m.CheckIn, m.CheckIn.activity_id, a.id)
        if not n and delete_unused:
            to_delete.append(a)
        elif a.archived:
            continue  # withdrawn before and kept for its records: nothing to do
        elif archive_removed or not n:
            to_archive.append(a)
        else:
            problems.append(refusal("activity_has_checkins", code=code, count=n))
    drop_cats: list[m.Category] = []
    for code, c in sorted(cats.items()):
        if code not in wanted_cats:
            n = _count(session, m.Delegate, m.Delegate.category_id, c.id)
            if n:
                problems.append(refusal("category_in_use", code=code, count=n))
            else:
                drop_cats.append(c)
    if problems:
        raise EventSetupError(problems)

    changes: list[Change] = []
    values = _event_columns(new.event)
    if event is None:
        session.add(m.Event(**values))
        changes.append(Change("event", new.event.code, "add", {}, {k: _show(v) for k, v in values.items()}))
    else:
        before, after = _diff(event, values)
        if after:
            for k, v in values.items():
                setattr(event, k, v)
            changes.append(Change("event", new.event.code, "update", before, after))
    for i, cd in enumerate(new.categories):
        values = _category_columns(cd, i)
        row = cats.get(cd.code)
        if row is None:
            row = m.Category(code=cd.code, **values)
            session.add(row)
            cats[cd.code] = row
            changes.append(Change("category", cd.code, "add", {}, dict(values)))
            continue
        before, after = _diff(row, values)
        if after:
            for k, v in values.items():
                setattr(row, k, v)
            changes.append(Change("category", cd.code, "update", before, after))
    for i, ad in enumerate(new.activities):
        values = _activity_columns(ad, i, tz)
        arow = acts.get(ad.code)
        if arow is None:
            arow = m.Activity(code=ad.code, **values)
            session.add(arow)
            acts[ad.code] = arow
            changes.append(Change("activity", ad.code, "add", {},
                                  {k: _show(v) for k, v in values.items()}))
            continue
        before, after = _diff(arow, values)
        if after:
            for k, v in values.items():
                setattr(arow, k, v)
            changes.append(Change("activity", ad.code, "update", before, after))
    for a in to_archive:
        a.archived = True
        changes.append(Change("activity", a.code, "archive", {"archived": False}, {"archived": True}))
    session.flush()
    delegates_changed = False
    for a in to_delete:
        for model in (m.ActivityCategory, m.DelegateAdmission, ImportAdmission):
            gone = session.execute(delete(model).where(model.activity_id == a.id))
            if model is m.DelegateAdmission and int(getattr(gone, "rowcount", 0) or 0):
                delegates_changed = True
        session.execute(delete(m.Presence).where(m.Presence.activity_id == a.id))
        session.delete(a)
        changes.append(Change("activity", a.code, "delete", {"name_en": a.name_en}, {}))
    for c in drop_cats:
        session.execute(delete(m.ActivityCategory).where(m.ActivityCategory.category_id == c.id))
        session.delete(c)
        changes.append(Change("category", c.code, "delete", {"name_en": c.name_en}, {}))
    session.flush()
    # The rules desks apply: which categories each activity admits.
    rules = admitted(new)
    current: dict[int, set[int]] = {}
    for a_id, c_id in session.execute(select(m.ActivityCategory.activity_id,
                                             m.ActivityCategory.category_id)):
        current.setdefault(a_id, set()).add(c_id)
    names = {c.id: code for code, c in cats.items()}
    for code, allowed in rules.items():
        a = acts[code]
        want = {cats[c].id for c in allowed}
        have = current.get(a.id, set())
        if want == have:
            continue
        if have - want:
            session.execute(delete(m.ActivityCategory).where(
                m.ActivityCategory.activity_id == a.id,
                m.ActivityCategory.category_id.in_(sorted(have - want))))
        for c_id in sorted(want - have):
            session.add(m.ActivityCategory(activity_id=a.id, category_id=c_id))
        before = {"admitted": sorted(names[i] for i in have)}
        after = {"admitted": sorted(names[i] for i in want)}
        merged = next((ch for ch in changes if ch.table == "activity" and ch.code == code), None)
        if merged is not None and merged.action == "add":
            merged.after["admitted"] = after["admitted"]
        elif merged is not None:
            merged.before.update(before)
            merged.after.update(after)
        else:
            changes.append(Change("activity", code, "update", before, after))
    session.flush()
    for ch in changes:
        audit.record(session, at=now, desk=desk or "-", operator=operator,
                     action=f"event.{ch.table}.{ch.action}", subject=ch.code,
                     before=ch.before or None, after=ch.after or None)
    return ApplyResult(tuple(changes), new.event.code, delegates_changed)


class EventSetupService:
    """Check, apply, read back and export the event definition of one database (desk or hub)."""

    def __init__(self, db: SessionSource, clock: Clock | None = None, *, delete_unused: bool = True
                 ) -> None:
        """`delete_unused=False` for the hub: dropped activities are archived, never deleted."""
        self.db = db
        self.clock = clock or SystemClock()
        self.delete_unused = delete_unused

    def check(self, path: Path) -> CheckReport:
        """Read and check a file against this installation's badge templates."""
        return check_file(path, templates=known_templates())

    def apply_file(self, path: Path, *, operator: str = "cli", desk: str = "",
                   archive_removed: bool = False, force: bool = False) -> ApplyResult:
        """Check a file and apply it; EventSetupError (with the report) when it has errors."""
        report = self.check(path)
        if report.definition is None:
            raise EventSetupError(report.errors or (refusal_unreadable(path),))
        return self.apply(report.definition, operator=operator, desk=desk,
                          archive_removed=archive_removed, force=force)

    def apply(self, definition: EventDefinition, *, operator: str = "cli", desk: str = "",
              archive_removed: bool = False, force: bool = False) -> ApplyResult:
        """Apply a checked definition in one transaction."""
        now = self.clock.now()
        with self.db.write() as session:
            return apply_in_session(session, definition, now=now, operator=operator, desk=desk,
                                    archive_removed=archive_removed, force=force,
                                    delete_unused=self.delete_unused)

    def change_activity(self, code: str, *, operator: str, desk: str = "",
                        **changes: Any) -> ApplyResult:
        """Change one activity's times, doors or capacity ("the opening starts 30 minutes late").

        `changes`: day, start, end, end_day, doors_before, doors_after, capacity. The changed
        event is checked as a whole (end after start, inside the event's dates) and applied like
        a file: audited, and nothing else moves. EventSetupError says what is wrong.
        """
        from checkin_app.domain.event_def import check_document
        from checkin_app.services.event_files import read_yaml, yaml_text

        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise ValueError(f"not changeable here: {sorted(unknown)}")
        current = self.current()
        act = current.activity(code.upper()) if current is not None else None
        if current is None or act is None:
            raise EventSetupError([_no_event() if current is None else _no_activity(code)])
        changed = replace(act, **changes)
        new = replace(current, activities=tuple(changed if a.code == act.code else a
                                                for a in current.activities))
        report = check_document(read_yaml(yaml_text(new)))
        if report.definition is None:
            raise EventSetupError(report.errors)
        return self.apply(report.definition, operator=operator, desk=desk,
                          archive_removed=False, force=False)

    def current(self) -> EventDefinition | None:
        """The event this database holds, as a definition."""
        with self.db.read() as session:
            return read_definition(session)

    def export(self, path: Path) -> EventDefinition:
        """Write the current event to a YAML or XLSX file (by its suffix)."""
        d = self.current()
        if d is None:
            raise EventSetupError([_no_event()])
        write_definition(d, path)
        return d

    def summary(self) -> EventSummary | None:
        """The definition with delegate counts per category and check-ins per activity."""
        with self.db.read() as session:
            d = read_definition(session)
            if d is None:
                return None
            delegates = dict(session.execute(
                select(m.Category.code, func.count(m.Delegate.id))
                .join(m.Delegate, m.Delegate.category_id == m.Category.id)
                .group_by(m.Category.code)).all())
            checkins = dict(session.execute(
                select(m.Activity.code, func.count(m.CheckIn.id))
                .join(m.CheckIn, m.CheckIn.activity_id == m.Activity.id)
                .group_by(m.Activity.code)).all())
        return EventSummary(d, admitted(d), {k: int(v) for k, v in delegates.items()},
                            {k: int(v) for k, v in checkins.items()})


CHANGEABLE = frozenset({"day", "start", "end", "end_day", "doors_before", "doors_after", "capacity"})


def _no_activity(code: str) -> EventProblem:
    return said_problem("unknown_activity", msg("event.setup.unknown_activity", code=code),
                        msg("event.setup.unknown_activity.hint"), value=code)


def _no_event() -> EventProblem:
    return said_problem("no_event", msg("event.setup.no_event"), msg("event.setup.no_event.hint"))


def refusal_unreadable(path: Path) -> EventProblem:
    """A file that gave no definition and no error line (should not happen; said plainly)."""
    return said_problem("syntax", msg("event.setup.unreadable"), msg("event.setup.unreadable.hint"),
                        loc=Loc(path.name))
