"""SQLAlchemy 2 models for the desk's local replica (DESIGN §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The base and shared column types live in base.py so the feature modules below can use them
# without importing this module (which imports them): no import circle.
from checkin_app.domain.clock import DEFAULT_TIME_ZONE
from checkin_app.storage.base import Base as Base
from checkin_app.storage.base import DelegateId as DelegateId
from checkin_app.storage.base import UTCDateTime as UTCDateTime


class Event(Base):
    """The conference itself."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    venue_zh: Mapped[str] = mapped_column(String(200), default="")
    venue_en: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    starts_on: Mapped[str] = mapped_column(String(10))
    ends_on: Mapped[str] = mapped_column(String(10))


class Category(Base):
    """A delegate category: colour, names, attention instruction."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(9), default="#607D8B")
    attention: Mapped[bool] = mapped_column(Boolean, default=False)
    attention_zh: Mapped[str] = mapped_column(String(200), default="")
    attention_en: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # From the event definition (0011): "" = the template that lists the category, else the default.
    badge_template: Mapped[str] = mapped_column(String(64), default="")
    # JSON lists: what registration exports call this category, and the activities it is admitted
    # to by default (activity_categories holds the resulting rules either way).
    aliases: Mapped[str] = mapped_column(Text, default="[]")
    default_activities: Mapped[str] = mapped_column(Text, default="[]")


class ActivityCategory(Base):
    """Which categories an activity admits by default."""

    __tablename__ = "activity_categories"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )


class Activity(Base):
    """An activity or the main entrance (code MAIN), with its admission rules."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    hall_zh: Mapped[str] = mapped_column(String(200), default="")
    hall_en: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    doors_open_minutes: Mapped[int] = mapped_column(Integer, default=30)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reentry: Mapped[bool] = mapped_column(Boolean, default=True)
    exits_scanned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # From the event definition (0011). Minutes after the end the door still admits.
    doors_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Re-entry that starts afresh each day (the main entrance of a multi-day event); `reentry`
    # stays true with it, so a desk or hub that predates it treats the activity as re-entry.
    once_per_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the definition said who is admitted: every category, minus these (JSON list of codes).
    admits_all: Mapped[bool] = mapped_column(Boolean, default=False)
    except_categories: Mapped[str] = mapped_column(Text, default="[]")
    # Withdrawn from the programme but kept, because check-ins name it; desks refuse entry.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    categories: Mapped[list[Category]] = relationship(secondary="activity_categories")


# The condition of a merged record as SQL text: a partial index is used only for a query that
# says the same with a literal, never with a bound parameter.
MERGED = "merged_into != ''"


class Delegate(Base):
    """A registered person. Personal data beyond what the desk shows stays at the hub."""

    __tablename__ = "delegates"

    id: Mapped[int] = mapped_column(DelegateId, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    registration_code: Mapped[str] = mapped_column(String(64), unique=True)
    # The registration list the person came from (an import's source name; "" for walk-ins and
    # people imported before sources had names) and their number in it: unique within the source.
    source: Mapped[str] = mapped_column(String(100), default="")
    source_code: Mapped[str] = mapped_column(String(64), default="")
    family_name: Mapped[str] = mapped_column(String(120), default="")
    given_name: Mapped[str] = mapped_column(String(120), default="")
    name_native: Mapped[str] = mapped_column(String(200), default="")
    name_latin: Mapped[str] = mapped_column(String(200), default="")
    # 'eastern' = family name first without space (Chinese, Japanese, Korean); 'western' = Given FAMILY.
    name_order: Mapped[str] = mapped_column(String(8), default="western")
    honorific: Mapped[str] = mapped_column(String(60), default="")
    organisation_zh: Mapped[str] = mapped_column(String(300), default="")
    organisation_en: Mapped[str] = mapped_column(String(300), default="")
    position_zh: Mapped[str] = mapped_column(String(200), default="")
    position_en: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[str] = mapped_column(String(16), default="approved")
    team: Mapped[str] = mapped_column(String(200), default="")
    track: Mapped[str] = mapped_column(String(100), default="")
    attention_note: Mapped[str] = mapped_column(String(500), default="")
    badge_serial: Mapped[int] = mapped_column(Integer, default=1)
    # Set when registration data changed after a badge was printed; cleared by a reprint.
    badge_outdated: Mapped[bool] = mapped_column(Boolean, default=False)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # The desk that registered a walk-in ("" for people who came from the registration export).
    registered_by_desk: Mapped[str] = mapped_column(String(100), default="")
    photo_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The organiser merged this record into another (the same person in two lists): the uid of
    # the record that stands for both ("" = not merged). A uid because ids differ between
    # databases; the server default lets bulk inserts that name no such column leave it out.
    merged_into: Mapped[str] = mapped_column(String(36), default="", server_default="")

    category: Mapped[Category] = relationship()

    __table_args__ = (
        Index("uq_delegates_source_code", "source", "source_code", unique=True,
              sqlite_where=text("source_code != ''"), postgresql_where=text("source_code != ''")),
        # The few merged records, found without reading every delegate (counts, 0015).
        Index("ix_delegates_merged", "merged_into", sqlite_where=text(MERGED),
              postgresql_where=text(MERGED)),
    )


class DelegateAdmission(Base):
    """A per-delegate exception: extra admission (allow) or exclusion (deny) for one activity."""

    __tablename__ = "delegate_admissions"

    delegate_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    allow: Mapped[bool] = mapped_column(Boolean)


class SearchKey(Base):
    """Normalised search keys (name, pinyin, initials, folded Latin, code, organisation)."""

    __tablename__ = "search_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))
    # Lower is better: 0 full name, 1 name part, 2 initials, 3 code, 4 organisation.
    kind: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_search_keys_key", "key"),
        Index("ix_search_keys_delegate", "delegate_id"),
    )


def _stamp_default(context: Any) -> datetime | None:
    """An event stored without an order stamp (older desks and tests) is ordered by its own time."""
    return cast("datetime | None", context.get_current_parameters().get("at"))


class CheckIn(Base):
    """Append-only check-in event. Undo is a new row whose `undoes` names the reversed UUID.

    `order_at` is the order stamp (domain.presence: the desk's clock, or just after the newest
    stamp it had seen for the same delegate and activity); `at` is the time shown.
    """

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    direction: Mapped[str] = mapped_column(String(3), default="in")
    desk: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_stamp_default)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verdict: Mapped[str] = mapped_column(String(32))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(500), default="")
    undoes: Mapped[str | None] = mapped_column(String(36), nullable=True)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    synced: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_checkins_delegate_activity", "delegate_id", "activity_id", "at"),
        Index("ix_checkins_activity_at", "activity_id", "at"),
        Index("ix_checkins_desk_at", "desk", "at"),
        Index("ix_checkins_undoes", "undoes"),
    )


class Presence(Base):
    """Projection of check-in events per delegate and activity; rebuilt from events on demand."""

    __tablename__ = "presence"

    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    first_in_uuid: Mapped[str] = mapped_column(String(36))
    first_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_in_desk: Mapped[str] = mapped_column(String(100))
    last_direction: Mapped[str] = mapped_column(String(3))
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_desk: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("ix_presence_activity_direction", "activity_id", "last_direction"),)


class AuditEntry(Base):
    """Append-only record of who did what, when, with before/after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    desk: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    before_json: Mapped[str] = mapped_column(Text, default="")
    after_json: Mapped[str] = mapped_column(Text, default="")
    # Hash chain (tamper evidence): hash = sha256(prev_hash + canonical entry); "" before 0002.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_audit_at", "at"),)


class DeskSetting(Base):
    """Key/value settings of this desk (desk name, activity, language, ...)."""

    __tablename__ = "desk_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


# Feature tables live in their own modules; importing them here registers them on Base.metadata
# wherever the models are used (the app, the migrations, the tests).
from checkin_app.storage import (  # noqa: E402,F401
    models_badges,
    models_hub,
    models_import,
    models_security,
)
