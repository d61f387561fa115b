"""Who is inside and which admissions conflict: one order of events, evaluated alike on every replica.

Every replica (each desk's SQLite file and the hub) holds the same check-in events once sync
has caught up, but not in the same local order: local row ids differ from file to file, events
arrive in different orders, and the desks' clocks differ by seconds or minutes. So nothing here
reads a local id or an arrival order; the projection and the conflict rule are pure functions of
the set of events, and the order of a delegate's events at an activity is this rule:

**Order stamp.** Each event carries an order stamp (`Event.stamp`, the `order_at` column) set
once, by the desk that records it, and never changed: the desk's clock, or one microsecond after
the newest stamp this desk has already seen for the same delegate and activity if that is later
(`next_stamp`). It is a hybrid logical clock kept per (delegate, activity):

- An event recorded after another was seen (the desk recorded it itself, or pulled it from the
  hub) always sorts after it, whatever the two desks' clocks say. A desk whose clock is ten
  minutes fast records an entry at 09:10 (really 09:00); a desk with the right clock that has
  pulled it records the exit at 09:05: the exit's stamp becomes 09:10:00.000001 and the person
  is outside at every replica, not inside for ever.
- A desk's own events keep their order even when its clock is stepped back (NTP, a corrected
  time zone).
- Events recorded without seeing each other (desks offline) are ordered by their stamps, i.e.
  by the desks' clocks: no rule can know more than the clocks did. The hub warns about desks
  whose clock is off (sync.protocol.CLOCK_WARN_S), so such a case is visible.
- Ties (same stamp) are broken by the event's uuid, which every replica holds alike.

Events from a desk version without stamps, or an older hub, take their own time `at` as stamp
(migration 0014 does the same for rows already stored), so their order is the old (at, uuid).

The displayed times stay each event's own `at` (the desk's clock when it was recorded); the
stamp only orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

TICK = timedelta(microseconds=1)  # the smallest step every database keeps (SQLite text, timestamptz)
IN, OUT = "in", "out"


@dataclass(frozen=True, slots=True)
class Event:
    """One check-in event of one delegate at one activity, as the rules need it."""

    uuid: str
    direction: str
    desk: str
    at: datetime
    stamp: datetime
    undoes: str | None = None
    forced: bool = False


@dataclass(frozen=True, slots=True)
class PresenceRow:
    """The presence projection of one delegate at one activity (the `presence` table's row)."""

    first_in_uuid: str
    first_in_at: datetime
    first_in_desk: str
    last_direction: str
    last_at: datetime
    last_desk: str


def next_stamp(now: datetime, seen: datetime | None) -> datetime:
    """The stamp of an event recorded at `now` after events whose newest stamp is `seen`."""
    if seen is None or now > seen:
        return now
    return seen + TICK


def order_key(event: Event) -> tuple[datetime, str]:
    """The order of events on every replica: stamp, then uuid."""
    return (event.stamp, event.uuid)


_ORDER = attrgetter("stamp", "uuid")  # order_key, at C speed (the hub sorts every pushed pair)


def effective(events: Iterable[Event]) -> list[Event]:
    """The events that count (neither undos nor undone), in order."""
    evs = list(events)
    undone = {e.undoes for e in evs if e.undoes is not None}
    return sorted((e for e in evs if e.undoes is None and e.uuid not in undone), key=_ORDER)


def entries(events: Iterable[Event]) -> list[Event]:
    """The effective entries, in order: the first is the valid admission."""
    return [e for e in effective(events) if e.direction == IN]


def first_in(events: Iterable[Event]) -> Event | None:
    """The valid admission: the first effective entry."""
    ins = entries(events)
    return ins[0] if ins else None


def project(events: Iterable[Event]) -> PresenceRow | None:
    """Presence from one pair's events: its first effective entry and its last effective event.

    None when no effective entry is left (nobody checked in, or every entry undone). "Inside now"
    is `last_direction == "in"`.
    """
    ordered = effective(events)
    first = next((e for e in ordered if e.direction == IN), None)
    if first is None:
        return None
    last = ordered[-1]
    return PresenceRow(first.uuid, first.at, first.desk, last.direction, last.at, last.desk)


def advance(row: PresenceRow | None, event: Event) -> PresenceRow | None:
    """project(events + [event]) from `row` = project(events), for the scan path.

    Only for an event that is not an undo and sorts after every one of `events` — which a
    desk's own new event does, being stamped by next_stamp after everything the desk holds.
    """
    if row is None:
        if event.direction != IN:
            return None
        return PresenceRow(event.uuid, event.at, event.desk, event.direction, event.at, event.desk)
    return PresenceRow(row.first_in_uuid, row.first_in_at, row.first_in_desk, event.direction,
                       event.at, event.desk)


def conflicts(events: Iterable[Event], single_entry: bool) -> set[str]:
    """The uuids of admissions that collide with the valid one (single-entry activities only).

    Both events are kept; the first effective entry is valid, and every later effective entry
    recorded at a different desk without a manager's override (`forced`) is a conflict. An
    entry at the valid one's own desk is not: that desk knew and let the person in again.
    Undoing an entry takes it out, so undoing the valid one makes the next one valid.
    """
    if not single_entry:
        return set()
    ins = entries(events)
    if not ins:
        return set()
    valid = ins[0]
    return {e.uuid for e in ins[1:] if e.desk != valid.desk and not e.forced}
