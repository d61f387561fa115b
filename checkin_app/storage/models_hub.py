"""Tables for the hub and sync: enrolled desks, the change log with hub sequence numbers, sync cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from checkin_app.storage.base import Base, UTCDateTime

__all__ = ["Base", "HubAudit", "HubChange", "HubCounter", "HubDesk", "SyncDeferred", "SyncState"]


class HubDesk(Base):
    """A desk the hub knows: its (hashed) tokens, whether it may sync, and its last reported health."""

    __tablename__ = "hub_desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # sha256 of the one-time enrolment token; "" once used (a used token can never match again).
    enrol_token_hash: Mapped[str] = mapped_column(String(64), default="")
    enrol_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # sha256 of the desk's API token; "" until the desk has enrolled.
    token_hash: Mapped[str] = mapped_column(String(64), default="")
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Desk key certificate handed over at enrolment (JSON, "" when no key service is present).
    certificate_json: Mapped[str] = mapped_column(Text, default="")
    # Health as reported with the desk's latest request.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    queue_length: Mapped[int] = mapped_column(Integer, default=0)
    app_version: Mapped[str] = mapped_column(String(40), default="")
    printer_state: Mapped[str] = mapped_column(String(200), default="")
    protocol: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    address: Mapped[str] = mapped_column(String(64), default="")


class HubChange(Base):
    """The newest snapshot of one synced row, under the hub sequence number of its last change.

    One row per (table, key): a newer change replaces the older row with a higher seq, so the log
    is also the complete current state that a new desk downloads.
    """

    __tablename__ = "hub_changes"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("table_name", "row_key", name="uq_hub_changes_key"),)


class HubCounter(Base):
    """Named counters; "seq" hands out hub sequence numbers inside the hub's write lock."""

    __tablename__ = "hub_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HubAudit(Base):
    """A desk's audit entry exactly as the desk wrote it (its own hash chain), kept by the hub."""

    __tablename__ = "hub_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    desk: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    before_json: Mapped[str] = mapped_column(Text, default="")
    after_json: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_hub_audit_desk_at", "desk", "at"),)


class SyncState(Base):
    """Key/value sync state: at a desk the hub address, pin, token and cursor; at the hub its settings."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class SyncDeferred(Base):
    """At a desk: a pulled change naming a row that has not arrived yet, kept until it does.

    The hub's log holds each row once, at the seq of its last change, so a delegate edited after
    its check-ins were logged comes later in the download than they do. Such a change waits here
    (with its seq, so a newer snapshot of the same row replaces it) and is applied in the same
    transaction as the row it waits for (sync.client). `applied`: the row itself went in and
    only a link is missing (an activity's category, a delegate's per-activity admission).
    """

    __tablename__ = "sync_deferred"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    # What it waits for: a table name and that row's sync key (delegate uid, activity code, ...).
    needs_table: Mapped[str] = mapped_column(String(40))
    needs_key: Mapped[str] = mapped_column(String(100))
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("table_name", "row_key", name="uq_sync_deferred_key"),
        Index("ix_sync_deferred_needs", "needs_table", "needs_key"),
    )
