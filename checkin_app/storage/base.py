"""The declarative base and column types every model module shares (imported by models*.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, TypeDecorator
from sqlalchemy.orm import DeclarativeBase


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC, so no local time ever leaks into the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# Delegate ids are 64-bit everywhere: walk-ins are numbered from 2**32 up (domain.tokens.WALKIN_BASE)
# and every desk files a person under the id the badge token carries. SQLite's INTEGER already is
# 64-bit (and only "INTEGER PRIMARY KEY" is the rowid), so the type stays INTEGER there.
DelegateId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base for all tables."""
