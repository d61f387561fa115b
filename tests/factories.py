"""A tiny hand-made event for precise rule tests (independent of the demo generator)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from checkin_app.storage import models as m
from checkin_app.storage.db import Database

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 11, 1, tzinfo=SH)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2024, Chongqing time."""
    return datetime(2024, 11, day, hour, minute, tzinfo=SH)


@dataclass(frozen=True)
class MiniEvent:
    """Codes of the people in the mini event."""

    attendee: str = "CQ24-ATT001"
    vip: str = "CQ24-VIP001"
    noted: str = "CQ24-NOTE01"
    cancelled: str = "CQ24-CAN001"
    media: str = "CQ24-MED001"
    media_allowed: str = "CQ24-MED002"
    attendee_excluded: str = "CQ24-ATT002"


def make_event(db: Database, *, hall_capacity: int | None = 2) -> MiniEvent:
    """MAIN (re-entry, all categories), HALL (single entry, capacity), LOUNGE (re-entry, exits scanned),
    AFTERNOON (not open at 09:30), FINALS (closed on 23 Nov)."""
    codes = MiniEvent()
    with db.write() as s:
        s.add(m.Event(code="TEST", name_zh="测试大会", name_en="Test Conference",
                      starts_on="2024-11-22", ends_on="2024-11-24"))
        cats = {
            "ATTENDEE": m.Category(code="ATTENDEE", name_zh="参会者", name_en="Attendee"),
            "VIP": m.Category(code="VIP", name_zh="贵宾", name_en="VIP", colour="#B8860B",
                              attention=True, attention_zh="请通知礼宾官",
                              attention_en="Notify the protocol officer"),
            "MEDIA": m.Category(code="MEDIA", name_zh="媒体", name_en="Media"),
        }
        s.add_all(cats.values())
        everyone = list(cats.values())
        acts = {
            "MAIN": m.Activity(code="MAIN", name_zh="主入口", name_en="Main entrance",
                               starts_at=local(22, 7), ends_at=local(24, 20), doors_open_minutes=0,
                               reentry=True, is_main=True, categories=everyone),
            "HALL": m.Activity(code="HALL", name_zh="开幕式", name_en="Opening ceremony",
                               starts_at=local(23, 9), ends_at=local(23, 11), doors_open_minutes=60,
                               capacity=hall_capacity, reentry=False,
                               categories=[cats["ATTENDEE"], cats["VIP"]]),
            "LOUNGE": m.Activity(code="LOUNGE", name_zh="休息厅", name_en="Lounge",
                                 starts_at=local(23, 8), ends_at=local(23, 18),
                                 capacity=1, reentry=True, exits_scanned=True,
                                 categories=everyone),
            "AFTERNOON": m.Activity(code="AFTERNOON", name_zh="下午论坛", name_en="Afternoon forum",
                                    starts_at=local(23, 14), ends_at=local(23, 17),
                                    doors_open_minutes=30, categories=everyone),
            "FINALS": m.Activity(code="FINALS", name_zh="决赛", name_en="Finals",
                                 starts_at=local(22, 9), ends_at=local(22, 18), categories=everyone),
        }
        s.add_all(acts.values())
        s.flush()

        def person(code: str, native: str, latin: str, cat: str, **kw: object) -> m.Delegate:
            d = m.Delegate(uid=code, registration_code=code, name_native=native, name_latin=latin,
                           category_id=cats[cat].id, updated_at=T0, country="CN", **kw)
            s.add(d)
            return d

        person(codes.attendee, "张伟", "ZHANG Wei", "ATTENDEE", organisation_zh="重庆大学")
        person(codes.vip, "Đorđe Petrović", "Đorđe PETROVIĆ", "VIP", honorific="H.E.")
        person(codes.noted, "李娜", "LI Na", "ATTENDEE", attention_note="轮椅通道 / Wheelchair access")
        person(codes.cancelled, "王芳", "WANG Fang", "ATTENDEE", status="cancelled")
        person(codes.media, "Marie Lefèvre", "Marie LEFÈVRE", "MEDIA")
        allowed = person(codes.media_allowed, "陈静", "CHEN Jing", "MEDIA")
        excluded = person(codes.attendee_excluded, "刘洋", "LIU Yang", "ATTENDEE")
        s.flush()
        s.add(m.DelegateAdmission(delegate_id=allowed.id, activity_id=acts["HALL"].id, allow=True))
        s.add(m.DelegateAdmission(delegate_id=excluded.id, activity_id=acts["HALL"].id, allow=False))
    return codes
