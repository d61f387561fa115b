"""The order rule, the presence projection and the conflict rule (domain.presence) as pure functions."""

from __future__ import annotations

import random
import uuid as uuidlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as hs

from checkin_app.domain import presence as p

T0 = datetime(2024, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Chongqing
DESKS = ("A", "B", "C")


def ev(direction: str, desk: str, at: datetime, stamp: datetime | None = None, *,
       undoes: str | None = None, forced: bool = False, uuid: str | None = None) -> p.Event:
    return p.Event(uuid or str(uuidlib.uuid4()), direction, desk, at, stamp or at, undoes, forced)


def test_an_exit_recorded_after_seeing_a_fast_desks_entry_sorts_after_it() -> None:
    # Desk F's clock is 10 minutes fast: the entry at real 09:00 says 09:10. Desk S (right clock)
    # has pulled it and records the exit at real 09:05.
    entry = ev("in", "F", T0 + timedelta(minutes=10))
    out_at = T0 + timedelta(minutes=5)
    exit_ = ev("out", "S", out_at, p.next_stamp(out_at, entry.stamp))
    row = p.project([exit_, entry])
    assert row is not None and row.last_direction == "out" and row.last_desk == "S"
    assert row.last_at == out_at  # the time shown is still the desk's own
    assert exit_.stamp == entry.stamp + p.TICK
    # Ordered by time alone (what every replica did before), the person was inside for ever.
    by_time = sorted([exit_, entry], key=lambda e: e.at)
    assert by_time[-1].direction == "in"


def test_a_desks_own_events_keep_their_order_when_its_clock_steps_back() -> None:
    first = ev("in", "A", T0)
    back = T0 - timedelta(minutes=3)  # NTP corrected the clock
    second = ev("out", "A", back, p.next_stamp(back, first.stamp))
    assert p.order_key(second) > p.order_key(first)
    row = p.project([second, first])
    assert row is not None and row.last_direction == "out"


def test_next_stamp_is_the_clock_when_the_clock_is_later() -> None:
    assert p.next_stamp(T0, None) == T0
    assert p.next_stamp(T0, T0 - timedelta(seconds=1)) == T0
    assert p.next_stamp(T0, T0) == T0 + p.TICK


def test_ties_are_broken_by_uuid_not_by_arrival() -> None:
    a = ev("in", "A", T0, uuid="00000000-0000-0000-0000-00000000000a")
    b = ev("out", "B", T0, uuid="00000000-0000-0000-0000-00000000000b")
    for events in ([a, b], [b, a]):
        row = p.project(events)
        assert row is not None and row.last_direction == "out" and row.first_in_uuid == a.uuid


def test_projection_counts_only_effective_events() -> None:
    assert p.project([]) is None
    entry = ev("in", "A", T0)
    undo = ev("in", "A", T0 + timedelta(minutes=1), undoes=entry.uuid)
    assert p.project([entry, undo]) is None  # the only entry undone
    assert p.project([ev("out", "A", T0)]) is None  # an exit alone: never checked in
    again = ev("in", "B", T0 + timedelta(minutes=2))
    row = p.project([entry, undo, again])
    assert row == p.PresenceRow(again.uuid, again.at, "B", "in", again.at, "B")


def test_conflict_rule() -> None:
    valid = ev("in", "A", T0)
    other = ev("in", "B", T0 + timedelta(minutes=1))
    same_desk = ev("in", "A", T0 + timedelta(minutes=2))
    forced = ev("in", "C", T0 + timedelta(minutes=3), forced=True)
    events = [forced, same_desk, other, valid]
    assert p.conflicts(events, single_entry=True) == {other.uuid}
    assert p.conflicts(events, single_entry=False) == set()
    # Undoing the valid admission makes the next one valid: its flag clears, and the entry at
    # desk A is now the one from another desk.
    undo = ev("in", "A", T0 + timedelta(minutes=4), undoes=valid.uuid)
    assert p.conflicts([*events, undo], single_entry=True) == {same_desk.uuid}
    assert p.first_in([*events, undo]) == other
    # Exits are never conflicts.
    assert p.conflicts([valid, ev("out", "B", T0 + timedelta(minutes=5))], True) == set()


# -- properties on random histories -----------------------------------------------------------
@hs.composite
def histories(draw: hs.DrawFn) -> list[p.Event]:
    """One pair's events recorded by desks whose clocks are off by up to ±30 minutes, each desk
    stamping after what it has seen (its own events, and others' it pulled), with undos and
    forced entries."""
    offsets = {d: timedelta(seconds=draw(hs.integers(-1800, 1800))) for d in DESKS}
    n = draw(hs.integers(0, 14))
    seen: dict[str, list[p.Event]] = {d: [] for d in DESKS}
    out: list[p.Event] = []
    real = T0
    for _ in range(n):
        real += timedelta(seconds=draw(hs.integers(0, 120)))
        desk = draw(hs.sampled_from(DESKS))
        if out and draw(hs.booleans()):  # a sync: this desk now holds some other events
            seen[desk].extend(draw(hs.lists(hs.sampled_from(out), max_size=len(out))))
        at = real + offsets[desk]
        newest = max((e.stamp for e in seen[desk]), default=None)
        stamp = p.next_stamp(at, newest)
        targets = [e for e in seen[desk] if e.undoes is None]
        if targets and draw(hs.integers(0, 4)) == 0:
            target = draw(hs.sampled_from(targets))
            e = ev(target.direction, desk, at, stamp, undoes=target.uuid)
        else:
            e = ev(draw(hs.sampled_from(["in", "in", "out"])), desk, at, stamp,
                   forced=draw(hs.integers(0, 5)) == 0)
        seen[desk].append(e)
        out.append(e)
    return out


@settings(max_examples=300)
@given(histories(), hs.randoms(use_true_random=False))
def test_every_replica_projects_the_same_whatever_order_events_arrived_in(
        events: list[p.Event], rng: random.Random) -> None:
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert p.project(shuffled) == p.project(events)
    assert p.conflicts(shuffled, True) == p.conflicts(events, True)
    assert p.first_in(shuffled) == p.first_in(events)


@settings(max_examples=300)
@given(histories(), hs.integers(-1800, 1800), hs.sampled_from(["in", "out"]), hs.booleans())
def test_an_event_stamped_after_what_a_desk_holds_moves_the_projection_forward(
        events: list[p.Event], clock_s: int, direction: str, forced: bool) -> None:
    at = T0 + timedelta(seconds=clock_s)  # whatever this desk's clock says
    new = ev(direction, "A", at, p.next_stamp(at, max((e.stamp for e in events), default=None)),
             forced=forced)
    assert all(p.order_key(new) > p.order_key(e) for e in events)
    assert p.advance(p.project(events), new) == p.project([*events, new])
    # Inside now is what the newest event says, once there is an entry.
    row = p.project([*events, new])
    assert row is None or row.last_direction == direction


@settings(max_examples=200)
@given(histories())
def test_conflicts_are_later_entries_from_other_desks_only(events: list[p.Event]) -> None:
    flagged = p.conflicts(events, True)
    entries = p.entries(events)
    if not entries:
        assert flagged == set()
        return
    assert entries[0].uuid not in flagged
    by_uuid = {e.uuid: e for e in events}
    for u in flagged:
        e = by_uuid[u]
        assert e.direction == "in" and not e.forced and e.desk != entries[0].desk
        assert p.order_key(e) > p.order_key(entries[0])
