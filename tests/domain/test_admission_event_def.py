"""The admission rule and the event definition's new rules: archived, doors open after, once per day."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from checkin_app.domain.admission import Presence, decide, today_presence
from checkin_app.domain.types import ActivityInfo
from checkin_app.domain.verdicts import Verdict

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 11, 23, 9, 0, tzinfo=SH)
HALL = ActivityInfo(1, "HALL", "厅", "Hall", "", "", START, START + timedelta(hours=2), 30, None,
                    frozenset({"ATTENDEE"}), True, False, False)


def _decide(activity: ActivityInfo, now: datetime, presence: Presence | None = None) -> Verdict:
    return decide(status="approved", category="ATTENDEE", category_attention=False, attention_note="",
                  activity=activity, now=now, tz=SH, presence=presence, occupancy=0).verdict


def test_an_archived_activity_is_closed_whatever_the_time() -> None:
    d = decide(status="approved", category="ATTENDEE", category_attention=False, attention_note="",
               activity=replace(HALL, archived=True), now=START, tz=SH, presence=None, occupancy=0)
    assert d.verdict is Verdict.CLOSED and "withdrawn" in d.reason_en and d.reason_zh


def test_doors_open_after_the_end() -> None:
    late = START + timedelta(hours=2, minutes=10)
    assert _decide(HALL, late) is Verdict.CLOSED
    assert _decide(replace(HALL, doors_after_minutes=15), late) is Verdict.ADMIT


def test_once_per_day_presence_and_words() -> None:
    yesterday = Presence(START - timedelta(days=1), "D1", "in", START - timedelta(days=1), "D1")
    assert today_presence(yesterday, None) is None
    today = today_presence(yesterday, (START, "D2"))
    assert today is not None and today.first_in_desk == "D2" and today.last_desk == "D1"
    d = decide(status="approved", category="ATTENDEE", category_attention=False, attention_note="",
               activity=replace(HALL, once_per_day=True), now=START + timedelta(minutes=5), tz=SH,
               presence=today, occupancy=0)
    assert d.verdict is Verdict.ALREADY_IN and d.admitted and "today" in d.reason_en and "今日" in d.reason_zh
