"""The one pure function that decides whether a delegate may pass an activity's door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

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
    """A verdict with its reason in words."""

    verdict: Verdict
    admitted: bool
    reason_zh: str = ""
    reason_en: str = ""


def _hm(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


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
        return Decision(Verdict.CANCELLED, False, "报名名单中此人的状态为“已取消”",
                        "The registration list marks this person as cancelled")
    if activity.archived:
        return Decision(Verdict.CLOSED, False, "此活动已从日程中撤下",
                        f"{activity.name_en} was withdrawn from the programme")
    allowed = category in activity.admitted_categories
    if override is not None:
        allowed = override
    if not allowed:
        return Decision(
            Verdict.NOT_ADMITTED_HERE,
            False,
            f"类别 {category} 不在本场准入范围",
            f"Category {category} is not admitted to {activity.name_en}",
        )
    opens = activity.starts_at - timedelta(minutes=activity.doors_open_minutes)
    if now < opens:
        return Decision(
            Verdict.NOT_OPEN_YET,
            False,
            f"{_hm(opens, tz)} 开始入场（活动 {_hm(activity.starts_at, tz)} 开始）",
            f"Doors open {_hm(opens, tz)} (starts {_hm(activity.starts_at, tz)})",
        )
    closes = activity.ends_at + timedelta(minutes=activity.doors_after_minutes)
    if now > closes:
        return Decision(
            Verdict.CLOSED,
            False,
            f"活动已于 {_hm(activity.ends_at, tz)} 结束",
            f"Ended at {_hm(activity.ends_at, tz)}",
        )
    inside = presence is not None and presence.last_direction == "in"
    if presence is not None:
        # Once per day: the caller passes today's first entry only, so a new day admits afresh.
        today_zh, today_en = ("今日", " today") if activity.once_per_day else ("", "")
        words_zh = f"{today_zh}首次签到 {_hm(presence.first_in_at, tz)}，签到台 {presence.first_in_desk}"
        words_en = (f"First checked in{today_en} {_hm(presence.first_in_at, tz)} "
                    f"at desk {presence.first_in_desk}")
        if not activity.reentry:
            return Decision(Verdict.ALREADY_IN, False, words_zh + "（不可重复入场）",
                            words_en + " (single entry)")
        if inside or not activity.exits_scanned:
            return Decision(Verdict.ALREADY_IN, True, words_zh, words_en)
    if activity.capacity is not None and not inside and occupancy >= activity.capacity:
        return Decision(
            Verdict.FULL,
            False,
            f"已达容量 {activity.capacity} 人",
            f"Capacity of {activity.capacity} reached",
        )
    if category_attention or attention_note:
        return Decision(Verdict.ADMIT_WITH_ATTENTION, True, attention_note, attention_note)
    return Decision(Verdict.ADMIT, True)


def today_presence(presence: Presence | None, first_in_today: tuple[datetime, str] | None
                   ) -> Presence | None:
    """A once-per-day activity's presence as of today: today's first entry (at, desk), or None."""
    if presence is None or first_in_today is None:
        return None
    return Presence(first_in_today[0], first_in_today[1], presence.last_direction, presence.last_at,
                    presence.last_desk)
