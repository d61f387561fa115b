"""What a desk may claim in a push: one rule set, the same on SQLite and PostgreSQL.

The hub believes nothing a desk says about *who* it is (the desk of every pushed row comes from
its token) and checks every field it keeps against what a desk may claim. An item that fails
is refused alone, with its reason in both languages; the rest of the push goes in.

- Storable: every value fits its column as PostgreSQL would enforce it (string length, no NUL,
  valid UTF-8 without lone surrogates, 32/64-bit integers, booleans, ISO times), so SQLite
  takes exactly what PostgreSQL takes and nothing can fail later inside the batch.
- Check-ins: a known verdict code (domain.verdicts, plus UNDO for an undo row), direction in or
  out, a time within the window below, `forced` only with the manager's name and reason, an
  undo only of this desk's own event unless the undo itself is a manager action (forced, with
  the manager's name and a reason), of the same delegate and activity, never of an undo.
- Order stamp (`order_at`, domain.presence): at or after the event's own `at` (the rule never
  stamps earlier) and within the same window as `at`; absent from an older desk, it is `at`.
  A desk can still stamp its own events late within the window, as it could claim a late `at`:
  the stamp gives it no power over the order that its times did not already give it.
- Time window: `at` within ±AT_WINDOW (36 h) of the hub's clock, or within the event's own days
  (from the day before it starts to the day after it ends, in its time zone). A desk on a
  rehearsal clock (`--clock 2024-11-23T09:30`) records times on the event's days, which the
  second rule takes; a clock years off (2099) is refused either way. The desk's reported clock
  offset is not used: it is the desk's own claim, and a hostile desk would report whatever
  makes its times pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String, Table

from checkin_app.domain.clock import zone as event_zone
from checkin_app.domain.messages import Message, both, msg
from checkin_app.domain.verdicts import Verdict
from checkin_app.storage.models import UTCDateTime
from checkin_app.sync.protocol import parse_iso

AT_WINDOW = timedelta(hours=36)
UNDO_VERDICT = "UNDO"
# Derived from the enum, so a verdict code added there is accepted here without a change.
VERDICTS = frozenset(v.value for v in Verdict) | {UNDO_VERDICT}
DIRECTIONS = frozenset({"in", "out"})
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Text columns without a length (JSON before/after of an audit entry): still bounded per item.
MAX_TEXT = 64 * 1024


class Refused(Exception):
    """One pushed item the hub does not take; str() is the bilingual reason."""

    def __init__(self, reason: Message) -> None:
        super().__init__(both(reason))
        self.reason = reason


def _text_ok(value: str) -> str | None:
    if "\x00" in value:
        return "NUL"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None


def check_value(name: str, col_type: Any, value: Any) -> None:
    """Raise Refused unless `value` can be stored in a column of this type on every database."""
    if value is None:
        return
    if isinstance(col_type, UTCDateTime):
        if not isinstance(value, str):
            raise Refused(msg("hub.field.not_time", name=name))
        try:
            moment = parse_iso(value)
        except (ValueError, OverflowError):
            raise Refused(msg("hub.field.bad_time", name=name)) from None
        if moment is not None and not 2000 <= moment.year <= 2200:
            raise Refused(msg("hub.field.time_range", name=name))
        return
    if isinstance(col_type, Boolean):
        if not isinstance(value, bool):
            raise Refused(msg("hub.field.not_bool", name=name))
        return
    if isinstance(col_type, Integer):  # BigInteger is an Integer
        lo, hi = INT64 if isinstance(col_type, BigInteger) else INT32
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise Refused(msg("hub.field.not_int", name=name))
        return
    if isinstance(col_type, String):
        if not isinstance(value, str):
            raise Refused(msg("hub.field.not_text", name=name))
        limit = col_type.length or MAX_TEXT
        if len(value) > limit:
            raise Refused(msg("hub.field.too_long", name=name, limit=limit))
        bad = _text_ok(value)
        if bad:
            raise Refused(msg("hub.field.bad_chars", name=name, bad=bad))


def check_row(table: Table, payload: Mapping[str, Any], *, skip: Iterable[str] = ()) -> None:
    """Raise Refused unless every column value the payload carries is storable."""
    skipped = set(skip)
    for col in table.columns:
        if col.name in payload and col.name not in skipped:
            check_value(col.name, col.type, payload[col.name])


def check_text(name: str, value: Any, limit: int) -> None:
    """A natural key or reference (delegate uid, activity code) sent as text."""
    check_value(name, String(limit), value)
    if value is None or value == "":
        raise Refused(msg("hub.field.missing", name=name))


def payload_of(item: Any) -> dict[str, Any]:
    """The payload of a pushed item, or Refused when the item is not shaped as one."""
    if not isinstance(item, dict) or not isinstance(item.get("payload"), dict):
        raise Refused(msg("hub.item.no_payload"))
    return dict(item["payload"])


def item_key(item: Any) -> str:
    """The key an item names, for a refusal (whatever it is, as bounded text)."""
    key = item.get("key") if isinstance(item, dict) else None
    text = "" if key is None else str(key)
    return text[:100].encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The times a desk may claim for an event it records."""

    now: datetime
    event_from: datetime | None = None
    event_to: datetime | None = None

    @classmethod
    def for_event(cls, now: datetime, starts_on: str | None, ends_on: str | None,
                  timezone: str | None) -> TimeWindow:
        """The window around `now`, widened to the event's days (rehearsal clocks)."""
        try:
            zone = event_zone(timezone)
            first, last = date.fromisoformat(str(starts_on)), date.fromisoformat(str(ends_on))
        except (ValueError, KeyError):
            return cls(now)
        start = datetime.combine(first - timedelta(days=1), time(0), zone)
        end = datetime.combine(last + timedelta(days=2), time(0), zone)
        return cls(now, start, end)

    def admits(self, at: datetime) -> bool:
        """True when `at` is one a desk may claim."""
        if abs(at - self.now) <= AT_WINDOW:
            return True
        return self.event_from is not None and self.event_to is not None and \
            self.event_from <= at < self.event_to


def vet_checkin(p: dict[str, Any], window: TimeWindow) -> None:
    """Raise Refused unless a check-in payload says only what a desk may say (undo target aside)."""
    check_text("uuid", p.get("uuid"), 36)
    check_text("delegate", p.get("delegate"), 36)
    check_text("activity", p.get("activity"), 40)
    verdict, direction = p.get("verdict"), p.get("direction", "in")
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise Refused(msg("hub.checkin.bad_verdict", verdict=repr(str(verdict)[:40])))
    if direction not in DIRECTIONS:
        raise Refused(msg("hub.checkin.bad_direction", direction=repr(str(direction)[:10])))
    at = p.get("at")
    if not isinstance(at, str):
        raise Refused(msg("hub.checkin.no_time"))
    moment = parse_iso(at)
    if moment is None or not window.admits(moment):
        raise Refused(msg("hub.checkin.time_far", at=at[:40]))
    _vet_stamp(p.get("order_at"), moment, window)
    undoes = p.get("undoes")
    if (verdict == UNDO_VERDICT) != (undoes is not None):
        raise Refused(msg("hub.checkin.undo_shape"))
    if p.get("forced") and not manager_marked(p):
        raise Refused(msg("hub.checkin.forced_unmarked"))


def _vet_stamp(stamp: Any, at: datetime, window: TimeWindow) -> None:
    """The order stamp (domain.presence) may be absent (an older desk: `at` orders), else it is
    never before the event's own time and within the same window as that time."""
    if stamp is None:
        return
    moment = parse_iso(stamp) if isinstance(stamp, str) else None
    if moment is None or moment < at or not window.admits(moment):
        shown = str(stamp)[:40]
        raise Refused(msg("hub.checkin.stamp_far", stamp=shown))


def manager_marked(p: Mapping[str, Any]) -> bool:
    """The row says it is a manager's action: forced, with an operator and a reason."""
    return (p.get("forced") is True and bool(str(p.get("operator") or "").strip())
            and bool(str(p.get("reason") or "").strip()))
