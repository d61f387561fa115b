"""Clocks: the real one, and an offset one for rehearsals and tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# The event's time zone when none is set yet (the first customer's; an event file names its own).
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def zone(name: str | None = None) -> ZoneInfo:
    """The event's time zone by name, or the default one."""
    return ZoneInfo(name or DEFAULT_TIME_ZONE)


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
    """Runs in real time from a chosen start, so a rehearsal on another day behaves like the event.

    `since` is the real instant at which the rehearsal time was `start` (default: now). A desk
    that restarts passes the instant it first started with that start (kept in its database),
    so its clock continues from where it was instead of running backwards.
    """

    def __init__(self, start: datetime, base: Callable[[], datetime] | None = None, *,
                 since: datetime | None = None) -> None:
        self._base = base or (lambda: datetime.now(UTC))
        self.start = start.astimezone(UTC)
        self.since = (since or self._base()).astimezone(UTC)
        self._offset: timedelta = self.start - self.since

    @property
    def offset(self) -> timedelta:
        """Rehearsal time minus real time."""
        return self._offset

    def now(self) -> datetime:
        """Aware UTC now, shifted."""
        return self._base() + self._offset


def on_clock(clock: Clock, real: datetime) -> datetime:
    """A real moment (a sync time, say) as the desk's clock shows it: shifted on a rehearsal clock."""
    return real + clock.offset if isinstance(clock, OffsetClock) else real


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
