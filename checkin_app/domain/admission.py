"""The one pure function that decides whether a delegate may pass an activity's door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from checkin_app.domain.messages import Message, Words, msg, text
from checkin_app.domain.types import ActivityInfo
from checkin_app.domain.verdicts import Verdict


@dataclass(frozen=True, slots=True)
class Presence:
    """What the events say about one delegate at one activity so far."""

    first_in_at: datetime
    first_in_desk: str
    last_direction: str
    last_at: datetime
    last_desk: str


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict with its reason: a catalogue message (code and parameters), or None."""

    verdict: Verdict
    admitted: bool
    reason: Message | None = None

    @property
    def reason_zh(self) -> str:
        """The reason in Chinese ("" when there is none)."""
        return text(self.reason, "zh") if self.reason is not None else ""

    @property
    def reason_en(self) -> str:
        """The reason in English ("" when there is none)."""
        return text(self.reason, "en") if self.reason is not None else ""


def _hm(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def _named(activity: ActivityInfo, zh_code: str) -> Words:
    """The activity as a reason names it: Chinese says "this activity", English gives its name."""
    return Words(text(msg(zh_code), "zh"), activity.name_en)


def decide(
    *,
    status: str,
    category: str,
    category_attention: bool,
    attention_note: str,
    activity: ActivityInfo,
    now: datetime,
    tz: tzinfo,
    presence: Presence | None,
    occupancy: int,
    override: bool | None = None,
    direction: str = "in",
) -> Decision:
    """Apply the activity's rules.

    `override` is a per-delegate extra admission (True) or exclusion (False). For a once-per-day
    activity `presence` describes today's entries only (see today_presence): None on a new day.
    """
    if direction == "out":
        # Exits never fail for rules: the person is leaving whatever the badge says.
        # No reason: the exit's own title says it (verdicts.EXIT_WORDING).
        return Decision(Verdict.ADMIT, True)
    if status == "cancelled":
        # Not the title again ("报名已取消：报名已取消"): where the status comes from.
        return Decision(Verdict.CANCELLED, False, msg("admission.cancelled"))
    if activity.archived:
        return Decision(Verdict.CLOSED, False, msg(
            "admission.withdrawn", activity=_named(activity, "admission.this_activity")))
    allowed = category in activity.admitted_categories
    if override is not None:
        allowed = override
    if not allowed:
        return Decision(Verdict.NOT_ADMITTED_HERE, False, msg(
            "admission.category_not_admitted", category=category,
            activity=_named(activity, "admission.this_session")))
    opens = activity.starts_at - timedelta(minutes=activity.doors_open_minutes)
    if now < opens:
        return Decision(Verdict.NOT_OPEN_YET, False, msg(
            "admission.not_open", opens=_hm(opens, tz), starts=_hm(activity.starts_at, tz)))
    closes = activity.ends_at + timedelta(minutes=activity.doors_after_minutes)
    if now > closes:
        return Decision(Verdict.CLOSED, False,
                        msg("admission.ended", ended=_hm(activity.ends_at, tz)))
    inside = presence is not None and presence.last_direction == "in"
    if presence is not None:
        # Once per day: the caller passes today's first entry only, so a new day admits afresh.
        first = msg("admission.first_in_today" if activity.once_per_day else "admission.first_in",
                    at=_hm(presence.first_in_at, tz), desk=presence.first_in_desk)
        if not activity.reentry:
            return Decision(Verdict.ALREADY_IN, False, msg("admission.single_entry", first=first))
        if inside or not activity.exits_scanned:
            return Decision(Verdict.ALREADY_IN, True, first)
    if activity.capacity is not None and not inside and occupancy >= activity.capacity:
        return Decision(Verdict.FULL, False, msg("admission.full", capacity=activity.capacity))
    if category_attention or attention_note:
        return Decision(Verdict.ADMIT_WITH_ATTENTION, True,
                        msg("admission.note", note=attention_note) if attention_note else None)
    return Decision(Verdict.ADMIT, True)


def today_presence(presence: Presence | None, first_in_today: tuple[datetime, str] | None
                   ) -> Presence | None:
    """A once-per-day activity's presence as of today: today's first entry (at, desk), or None."""
    if presence is None or first_in_today is None:
        return None
    return Presence(first_in_today[0], first_in_today[1], presence.last_direction, presence.last_at,
                    presence.last_desk)
