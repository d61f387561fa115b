"""Tables for signed badge codes: signing keys, desk certificates, revocations, manager PINs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from checkin_app.storage.base import Base, DelegateId, UTCDateTime


class EventKey(Base):
    """An event public key (the private half lives in a key file, never in a desk database)."""

    __tablename__ = "event_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # 32 raw bytes, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Retired keys stop vouching for desk keys: badges under them scan as REVOKED.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_reason: Mapped[str] = mapped_column(String(300), default="")


class DeskKey(Base):
    """A desk signing key and its certificate; `private_key` is set only for this desk's own keys."""

    __tablename__ = "desk_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The 16-bit id tokens carry; assigned (unique in the registry) when the key is certified.
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    desk_name: Mapped[str] = mapped_column(String(100), default="")
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    private_key: Mapped[str | None] = mapped_column(Text, nullable=True)  # PKCS#8 PEM
    event_key: Mapped[str] = mapped_column(String(16), default="")  # certifying key's fingerprint
    certificate: Mapped[str] = mapped_column(String(128), default="")  # signature, hex
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_desk_keys_key_id", "key_id"),)


class KeyRevocation(Base):
    """A desk key that must no longer be trusted (stolen laptop): its tokens scan as REVOKED."""

    __tablename__ = "key_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(300), default="")
    desk: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(100), default="")


class BadgeRevocation(Base):
    """A badge serial that was replaced (reprint): that badge scans as REVOKED.

    Synced through the hub keyed by (delegate uid, serial), which means the same in every
    database; `delegate_id` is this database's id for that delegate.
    """

    __tablename__ = "badge_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: a revocation may arrive before (or without) the delegate it concerns.
    delegate_id: Mapped[int] = mapped_column(DelegateId)
    serial: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(300), default="")
    desk: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(100), default="")
    # Local bookkeeping, never on the wire: the hub has this row (pulled rows arrive as synced).
    synced: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("delegate_id", "serial", name="uq_badge_revocation"),)


class ManagerPin(Base):
    """A manager of this desk and the scrypt hash of their PIN (never the PIN)."""

    __tablename__ = "manager_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PinLockout(Base):
    """The desk's wrong-PIN counter (one row), kept in the database so a restart does not reset it."""

    __tablename__ = "pin_lockout"

    id: Mapped[int] = mapped_column(primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
