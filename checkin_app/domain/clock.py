"""Clocks: the real one, and an offset one for rehearsals and tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime:
        """Aware UTC datetime."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """Aware UTC now."""
        return datetime.now(UTC)


class OffsetClock:
    """Runs in real time from a chosen start, so a rehearsal on another day behaves like the event."""

    def __init__(self, start: datetime, base: Callable[[], datetime] | None = None) -> None:
        self._base = base or (lambda: datetime.now(UTC))
        self._offset: timedelta = start.astimezone(UTC) - self._base()

    def now(self) -> datetime:
        """Aware UTC now, shifted."""
        return self._base() + self._offset


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        """The fixed time."""
        return self.at

    def advance(self, **kwargs: float) -> None:
        """Move forward by timedelta keyword arguments."""
        self.at += timedelta(**kwargs)
