"""Event, activities, desk settings and attendance counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select, text
from sqlalchemy.orm import Session, selectinload

from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.messages import msg
from checkin_app.domain.types import ActivityInfo, ActivityStats, CategoryInfo
from checkin_app.services import audit
from checkin_app.services.checkin import CheckInError
from checkin_app.services.views import activity_info, category_info
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models import MERGED


@dataclass(frozen=True, slots=True)
class EventInfo:
    """The event as the desk shows it in its title."""

    code: str
    name_zh: str
    name_en: str
    venue_zh: str
    venue_en: str
    timezone: str
    starts_on: str
    ends_on: str


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """This desk's remembered choices."""

    desk_name: str
    activity_code: str
    language: str
    direction: str
    # Scanners beyond the keyboard wedge (ui/serial_scanner.py, ui/hid_scanner.py): a serial
    # port name or path and its speed, and a Linux input device path; "" is none.
    serial_port: str = ""
    serial_baud: str = "9600"
    scanner_device: str = ""

    @property
    def configured(self) -> bool:
        """Whether a desk name has been chosen at least once."""
        return bool(self.desk_name)


_DEFAULTS = {"desk_name": "", "activity_code": "MAIN", "language": "zh", "direction": "in",
             "serial_port": "", "serial_baud": "9600", "scanner_device": ""}
# The rehearsal clock of this database: the --clock start and the real instant it began.
SETTING_REHEARSAL = "clock.rehearsal"


class CatalogService:
    """Read the event set-up and this desk's settings; compute counts from events."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    def event(self) -> EventInfo | None:
        """The event in this database, or None for an empty database."""
        with self.db.read() as s:
            e = s.scalar(select(m.Event).limit(1))
            if e is None:
                return None
            return EventInfo(e.code, e.name_zh, e.name_en, e.venue_zh, e.venue_en, e.timezone,
                             e.starts_on, e.ends_on)

    def activities(self, *, archived: bool = False) -> list[ActivityInfo]:
        """Main entrance first, then activities in programme order (withdrawn ones only if asked)."""
        with self.db.read() as s:
            q = select(m.Activity).options(selectinload(m.Activity.categories))
            if not archived:
                q = q.where(m.Activity.archived.is_(False))
            rows = s.scalars(
                q.order_by(m.Activity.is_main.desc(), m.Activity.sort_order, m.Activity.starts_at)
            ).all()
            return [activity_info(a) for a in rows]

    def categories(self) -> list[CategoryInfo]:
        """Every category in programme order (names and colours for the rules view)."""
        with self.db.read() as s:
            rows = s.scalars(select(m.Category).order_by(m.Category.sort_order, m.Category.code)).all()
            return [category_info(c) for c in rows]

    def settings(self) -> DeskSettings:
        """Stored desk settings with defaults filled in."""
        with self.db.read() as s:
            stored = {k: v for k, v in s.execute(select(m.DeskSetting.key, m.DeskSetting.value))}
        vals = {**_DEFAULTS, **{k: v for k, v in stored.items() if k in _DEFAULTS}}
        return DeskSettings(**vals)

    def save_settings(self, *, operator: str = "volunteer", **changes: str) -> DeskSettings:
        """Store changed settings with an audit entry naming before and after."""
        unknown = set(changes) - set(_DEFAULTS)
        if unknown:
            raise CheckInError(msg("settings.unknown", keys=sorted(unknown)))
        if "activity_code" in changes:
            changes["activity_code"] = changes["activity_code"].upper()
        before = self.settings()
        now = self.clock.now()
        with self.db.write() as s:
            if "activity_code" in changes and s.scalar(
                select(m.Activity.id).where(m.Activity.code == changes["activity_code"])
            ) is None:
                code = changes["activity_code"]
                raise CheckInError(msg("activity.unknown", code=code))
            for k, v in changes.items():
                s.merge(m.DeskSetting(key=k, value=v))
            audit.record(
                s, at=now, desk=changes.get("desk_name", before.desk_name) or "-",
                operator=operator, action="settings",
                before={k: getattr(before, k) for k in changes},
                after=dict(changes),
            )
        return self.settings()

    def rehearsal_since(self, start: datetime, real_now: datetime) -> datetime:
        """The real instant a rehearsal clock starting at `start` began on this database.

        The first launch with a start stores (start, real_now) and audits it; later launches with
        the same start get the stored instant, so the rehearsal clock continues from where it
        was (scan times never run backwards after a restart). Another start begins anew.
        """
        start_iso = start.astimezone(UTC).isoformat()
        with self.db.write() as s:
            row = s.get(m.DeskSetting, SETTING_REHEARSAL)
            if row is not None:
                try:
                    stored = json.loads(row.value)
                    if stored.get("start") == start_iso:
                        since = datetime.fromisoformat(str(stored["since"]))
                        if since.tzinfo is not None:
                            return since
                except (ValueError, KeyError, TypeError, AttributeError):
                    pass  # unreadable: start anew
            s.merge(m.DeskSetting(key=SETTING_REHEARSAL, value=json.dumps(
                {"start": start_iso, "since": real_now.astimezone(UTC).isoformat()})))
            desk = s.get(m.DeskSetting, "desk_name")
            audit.record(s, at=real_now, desk=(desk.value if desk else "") or "-",
                         operator="rehearsal", action="rehearsal_clock",
                         after={"start": start_iso, "real_start": real_now.astimezone(UTC).isoformat()})
        return real_now

    def stats(self, activity_code: str | None = None) -> list[ActivityStats]:
        """Registered, checked-in and inside-now counts per activity (or one activity)."""
        with self.db.read() as s:
            q = select(m.Activity).options(selectinload(m.Activity.categories))
            if activity_code:
                q = q.where(m.Activity.code == activity_code.upper())
            acts = s.scalars(
                q.order_by(m.Activity.is_main.desc(), m.Activity.sort_order, m.Activity.starts_at)
            ).all()
            result = []
            # The few merged records, read once for every count below.
            merged = dict(s.execute(select(m.Delegate.id, m.Delegate.merged_into)
                                    .where(text(f"delegates.{MERGED}"))).all())
            for a in acts:
                result.append(
                    ActivityStats(
                        activity_code=a.code,
                        name_zh=a.name_zh,
                        name_en=a.name_en,
                        registered=self._registered(s, a),
                        checked_in=self._people(s, merged, m.Presence.activity_id == a.id),
                        inside_now=self._inside(s, a, merged),
                        capacity=a.capacity,
                    )
                )
            return result

    @staticmethod
    def _inside(s: Session, a: m.Activity, merged: dict[int, str]) -> int:
        """Inside now: people whose last (not undone) event here is 'in' (DESIGN §4).

        Where exits are not scanned nobody's last event is an exit, so that is everyone checked
        in; an exit scanned there anyway (a door desk switched to exits at the main entrance)
        counts too, instead of being ignored.
        """
        return CatalogService._people(s, merged, m.Presence.activity_id == a.id,
                                      m.Presence.last_direction == "in")

    @staticmethod
    def _people(s: Session, merged: dict[int, str], *where: Any) -> int:
        """People with a presence row matching `where`: a record the organiser merged ({id:
        kept uid}) counts as the record that stands for it (a check-in on both before the merge
        is one person).

        The rows are counted as they are, then corrected for the few merged records (read by
        their partial index): joining every presence row to its delegate was 3.5 times slower.
        """
        rows = int(s.scalar(select(func.count()).select_from(m.Presence).where(*where)) or 0)
        if not rows or not merged:
            return rows
        hit = set(s.scalars(select(m.Presence.delegate_id)
                            .where(m.Presence.delegate_id.in_(list(merged)), *where)))
        if not hit:
            return rows
        kept = dict(s.execute(select(m.Delegate.uid, m.Delegate.id)
                              .where(m.Delegate.uid.in_({merged[d] for d in hit}))).all())
        kept_hit = set(s.scalars(select(m.Presence.delegate_id)
                                 .where(m.Presence.delegate_id.in_(list(kept.values())), *where)))
        # Each of those rows is one person: the kept record's (or the merged one's own, when
        # this database does not hold the kept record).
        people = {kept.get(merged[d], d) for d in hit} | kept_hit
        return rows - len(hit) - len(kept_hit - hit) + len(people)

    @staticmethod
    def _registered(s: Session, a: m.Activity) -> int:
        """Non-cancelled delegates this activity admits, counting per-delegate exceptions."""
        cat_ids = [c.id for c in a.categories]
        override = m.DelegateAdmission
        allowed_by_override = exists().where(
            override.delegate_id == m.Delegate.id,
            override.activity_id == a.id,
            override.allow.is_(True),
        )
        denied_by_override = exists().where(
            override.delegate_id == m.Delegate.id,
            override.activity_id == a.id,
            override.allow.is_(False),
        )
        cond = or_(
            and_(m.Delegate.category_id.in_(cat_ids), not_(denied_by_override)),
            allowed_by_override,
        )
        # A merged record is the same person as the record that stands for it: counted there.
        q = select(func.count()).select_from(m.Delegate).where(
            m.Delegate.status != "cancelled", m.Delegate.merged_into == "", cond)
        return int(s.scalar(q) or 0)
