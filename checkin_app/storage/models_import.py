"""Tables for registration import: mapping presets, import runs, private contact data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from checkin_app.storage.base import Base, DelegateId, UTCDateTime

__all__ = [
    "Base", "DelegatePrivate", "ImportAdmission", "ImportIdentity", "ImportKey", "ImportPreset",
    "ImportRun", "ImportSamePerson", "ImportSource",
]


class ImportPreset(Base):
    """A named column mapping and reading options, saved for the next import of the same export."""

    __tablename__ = "import_presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # JSON: {"columns": {folded header: field or ""}, "encoding": ..., "delimiter": ..., ...}
    config_json: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportRun(Base):
    """One applied import: which file, by whom, and what it changed."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String(100), default="")
    desk: Mapped[str] = mapped_column(String(100), default="")
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str] = mapped_column(String(100), default="")
    # The registration list imported (ImportSource.name).
    source: Mapped[str] = mapped_column(String(100), default="")
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON: counts of new, changed, unchanged, cancelled, rejected, missing rows.
    counts_json: Mapped[str] = mapped_column(Text, default="{}")


class DelegatePrivate(Base):
    """Personal data the desks do not show (phone, email, ID number …), kept only when configured."""

    __tablename__ = "delegate_private"

    delegate_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))


class ImportKey(Base):
    """Matches a person by a key other than the registration number; only a hash of it is stored."""

    __tablename__ = "import_keys"

    key_field: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    delegate_id: Mapped[int] = mapped_column(DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_import_keys_delegate", "delegate_id"),)


class ImportAdmission(Base):
    """An individual admission the import granted (so a re-import can take back only its own)."""

    __tablename__ = "import_admissions"

    delegate_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(Integer, default=0)


class ImportSource(Base):
    """A registration list imports come from (a survey export, a ministry's guest list, a sheet):
    its numbers are unique within it, and it keeps how they are written (the width all-digit
    numbers are padded to), so every import of the source normalises them the same way."""

    __tablename__ = "import_sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    # All-digit numbers are padded to this width (0: written as the file writes them).
    code_width: Mapped[int] = mapped_column(Integer, default=0)
    # Put before a number another source already holds as a registration number ("WJX-5").
    prefix: Mapped[str] = mapped_column(String(24), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportIdentity(Base):
    """What identifies an imported person (hashes of the ID number, e-mail, phone, name +
    organisation): how the same person in two sources is found and shown to the organiser."""

    __tablename__ = "import_identities"

    delegate_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # 32 hex digits (0016)

    __table_args__ = (Index("ix_import_identities_hash", "hash"),)


class ImportSamePerson(Base):
    """The organiser's decision on two delegates of different sources that look like one person
    (same ID number, e-mail, phone, or name and organisation): merged (one person, both records
    kept and linked, `kept_id` the one that stands for both) or kept apart (two people). Stored
    once per pair, lower id first, so a re-import does not ask again."""

    __tablename__ = "import_same_person"

    delegate_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        DelegateId, ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[str] = mapped_column(String(8))  # "merge" or "apart"
    kept_id: Mapped[int] = mapped_column(DelegateId, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String(100), default="")
    desk: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (Index("ix_import_same_person_other", "other_id"),)
