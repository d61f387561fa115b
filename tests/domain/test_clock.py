"""Clocks: the rehearsal clock runs from a start, continues from a kept real start, shows real moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkin_app.domain.clock import FixedClock, OffsetClock, SystemClock, on_clock

REAL = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
START = datetime(2024, 11, 23, 1, 20, tzinfo=UTC)  # 09:20 in Chongqing


def test_offset_clock_starts_at_its_start_and_runs_in_real_time() -> None:
    real = FixedClock(REAL)
    clock = OffsetClock(START, real.now)
    assert clock.now() == START and clock.since == REAL
    real.advance(minutes=5)
    assert clock.now() == START + timedelta(minutes=5)


def test_a_restart_with_the_kept_real_start_continues_instead_of_running_backwards() -> None:
    real = FixedClock(REAL)
    first = OffsetClock(START, real.now)
    real.advance(minutes=40)
    before_restart = first.now()
    restarted = OffsetClock(START, real.now, since=first.since)
    assert restarted.now() == before_restart == START + timedelta(minutes=40)


def test_real_moments_are_shown_on_the_desk_clock() -> None:
    real = FixedClock(REAL)
    clock = OffsetClock(START, real.now)
    synced = REAL - timedelta(seconds=30)
    assert on_clock(clock, synced) == START - timedelta(seconds=30)
    assert clock.offset == START - REAL
    assert on_clock(SystemClock(), synced) == synced
