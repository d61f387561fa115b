"""Once per day: the main entrance of a multi-day event admits each delegate afresh every day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services import event_files as ef
from checkin_app.services.checkin import CheckInService
from checkin_app.services.event_setup import EventSetupService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def event_db(db: Database) -> Database:
    EventSetupService(db, FixedClock(datetime(2024, 11, 1, tzinfo=SH))).apply(ef.chongqing())
    with db.write() as s:
        attendee = s.query(m.Category).filter_by(code="ATTENDEE").one()
        s.add(m.Delegate(uid="u1", registration_code="CQ24-TEST01", name_native="张伟",
                         name_latin="ZHANG Wei", category_id=attendee.id,
                         updated_at=datetime(2024, 11, 1, tzinfo=SH)))
    return db


def test_two_rehearsal_days_at_the_main_entrance(event_db: Database) -> None:
    clock = FixedClock(datetime(2024, 11, 22, 8, 15, tzinfo=SH))
    svc = CheckInService(event_db, clock)
    day1 = svc.scan("CQ24-TEST01", desk="D1")
    assert day1.verdict is Verdict.ADMIT and day1.event is not None
    clock.advance(hours=3)
    again = svc.scan("CQ24-TEST01", desk="D2")
    assert again.verdict is Verdict.ALREADY_IN and again.admitted  # back from lunch: let in
    assert "today 11-22 08:15" in again.message_en and "D1" in again.message_en
    assert again.previous is not None and again.previous.uuid == day1.event.uuid
    clock.at = datetime(2024, 11, 23, 8, 5, tzinfo=SH)
    day2 = svc.scan("CQ24-TEST01", desk="D3")
    assert day2.verdict is Verdict.ADMIT and day2.event is not None  # a new day: a new arrival
    clock.advance(minutes=30)
    second = svc.scan("CQ24-TEST01", desk="D1")
    assert second.verdict is Verdict.ALREADY_IN
    assert "today 11-23 08:05" in second.message_en and "D3" in second.message_en
    # An undone arrival does not count: the next scan that day is the day's first again.
    svc.undo(day2.event.uuid, desk="D3", operator="lead")
    if second.event is not None:
        svc.undo(second.event.uuid, desk="D1", operator="lead")
    clock.advance(minutes=5)
    assert svc.scan("CQ24-TEST01", desk="D1").verdict is Verdict.ADMIT


def test_midnight_is_the_events_midnight_not_utc(event_db: Database) -> None:
    # 07:30 in Chongqing is 23:30 UTC the day before: still the same event day as 20:00 local.
    clock = FixedClock(datetime(2024, 11, 23, 7, 30, tzinfo=SH))
    svc = CheckInService(event_db, clock)
    assert svc.scan("CQ24-TEST01", desk="D1").verdict is Verdict.ADMIT
    clock.at = datetime(2024, 11, 23, 19, 59, tzinfo=SH)
    assert svc.scan("CQ24-TEST01", desk="D1").verdict is Verdict.ALREADY_IN


def test_plain_reentry_still_remembers_the_first_day(event_db: Database) -> None:
    d = ef.chongqing()
    from dataclasses import replace

    main = replace(d.activities[0], mode="reentry")
    EventSetupService(event_db).apply(replace(d, activities=(main, *d.activities[1:])))
    clock = FixedClock(datetime(2024, 11, 22, 9, 0, tzinfo=SH))
    svc = CheckInService(event_db, clock)
    assert svc.scan("CQ24-TEST01", desk="D1").verdict is Verdict.ADMIT
    clock.advance(days=1)
    r = svc.scan("CQ24-TEST01", desk="D1")
    assert r.verdict is Verdict.ALREADY_IN and "today" not in r.message_en


def test_doors_after_the_end_still_admit(event_db: Database) -> None:
    d = ef.chongqing()
    from dataclasses import replace

    summit = d.activity("SUMMIT")
    assert summit is not None
    late = replace(summit, doors_after=15, admits_all=True, admits=())
    acts = tuple(late if a.code == "SUMMIT" else a for a in d.activities)
    EventSetupService(event_db).apply(replace(d, activities=acts))
    end = datetime(2024, 11, 23, 12, 30, tzinfo=SH)
    svc = CheckInService(event_db, FixedClock(end + timedelta(minutes=10)))
    assert svc.scan("CQ24-TEST01", activity_code="SUMMIT", desk="D1").verdict is Verdict.ADMIT
    late_svc = CheckInService(event_db, FixedClock(end + timedelta(minutes=16)))
    assert late_svc.scan("CQ24-TEST01", activity_code="SUMMIT", desk="D2").verdict is Verdict.CLOSED
