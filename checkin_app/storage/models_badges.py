"""Tables for badges and printing: the print queue (jobs and their states) and the print log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from checkin_app.storage.base import Base, DelegateId, UTCDateTime

__all__ = ["BadgePrint", "Base", "PrintJob"]


class PrintJob(Base):
    """One badge waiting for, going through, or done with a printer (queued → printing → done/failed).

    Kept in the database so that a desk that crashes or is closed with jobs queued picks them up
    again, and a manager can retry, cancel or redirect them.
    """

    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id"))
    badge_serial: Mapped[int] = mapped_column(Integer)
    # Template name; "" means the category's default template.
    template: Mapped[str] = mapped_column(String(100), default="")
    # Printer spec: "folder:/path", "lp:QUEUE" or "qt:Printer name".
    printer: Mapped[str] = mapped_column(String(300))
    # queued, printing, done, failed, cancelled
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # first, lost, damaged, data_changed, manual
    reason: Mapped[str] = mapped_column(String(20), default="first")
    desk: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_print_jobs_state", "state", "id"),
        Index("ix_print_jobs_delegate", "delegate_id"),
    )


class BadgePrint(Base):
    """Append-only print log (DESIGN §4 BadgePrint): every attempt, with who, where and the outcome.

    Synced: a desk pushes its own attempts to the hub, and pulls every other desk's, so
    "already printed" (auto-print) holds across desks. Print jobs stay local.
    """

    __tablename__ = "badge_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    job_uuid: Mapped[str] = mapped_column(String(36), default="")
    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id"))
    badge_serial: Mapped[int] = mapped_column(Integer)
    template: Mapped[str] = mapped_column(String(100), default="")
    desk: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(100), default="")
    printer: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(20), default="first")
    # done, failed, cancelled
    outcome: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Local bookkeeping, never on the wire: the hub has this row (pulled rows arrive as synced).
    synced: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_badge_prints_delegate_serial", "delegate_id", "badge_serial"),
        Index("ix_badge_prints_synced", "synced", "id"),
    )
