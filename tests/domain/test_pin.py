"""PIN hashing, the lock-out policy with its growing delay, and the idle-timed manager session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkin_app.domain import pin
from checkin_app.domain.clock import FixedClock

T = datetime(2024, 11, 23, 1, 0, tzinfo=UTC)


def test_hash_is_salted_scrypt_and_never_the_pin() -> None:
    a, b = pin.hash_pin("2468", n=1 << 10), pin.hash_pin("2468", n=1 << 10)
    assert a != b and a.startswith("scrypt$") and "2468" not in a
    assert pin.pin_matches("2468", a) and pin.pin_matches("2468", b)
    assert not pin.pin_matches("2469", a)
    assert not pin.pin_matches("2468", "garbage") and not pin.pin_matches("2468", "md5$x$y$z$a$b")


def test_weak_or_malformed_pins_are_refused() -> None:
    for bad in ("", "12", "abcd", "1111", "1234", "9876", "１２３４５", "1" * 13):
        assert pin.pin_problem(bad) is not None, bad
    for good in ("2468", "7391", "00190283"):
        assert pin.pin_problem(good) is None, good


def test_five_wrong_tries_lock_with_a_growing_delay() -> None:
    state, now = pin.LockState(), T
    for i in range(4):
        state = pin.after_failure(state, now)
        assert not state.locked(now) and state.tries_left() == 4 - i
    state = pin.after_failure(state, now)
    assert state.locked(now) and state.locked_until == now + timedelta(seconds=30)
    assert not state.locked(now + timedelta(seconds=30))
    now += timedelta(seconds=31)
    for _ in range(5):
        state = pin.after_failure(state, now)
    assert state.locked_until == now + timedelta(seconds=60)  # second lock-out: twice as long
    assert pin.lock_seconds(3) == 120 and pin.lock_seconds(30) == pin.MAX_LOCK_S
    assert pin.after_success() == pin.LockState()


def test_manager_session_times_out_when_idle() -> None:
    clock = FixedClock(T)
    session = pin.ManagerSession(clock, idle_s=300)
    assert not session.active()
    session.start("Li Lei")
    clock.advance(seconds=299)
    assert session.active() and session.manager == "Li Lei"
    session.touch()
    clock.advance(seconds=299)
    assert session.active() and session.remaining_s() == 1
    clock.advance(seconds=1)
    assert not session.active() and session.manager == "" and session.remaining_s() == 0
