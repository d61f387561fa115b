"""Vocabulary columns as platforms write them: answer letters, ┋ lists, platform statuses, short
activity names and competition tracks, grouped and counted in the dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


def _admitted(db: Database, code: str) -> set[str]:
    with db.read() as s:
        return set(s.scalars(
            select(m.Activity.code).join(m.DelegateAdmission,
                                         m.DelegateAdmission.activity_id == m.Activity.id)
            .join(m.Delegate, m.Delegate.id == m.DelegateAdmission.delegate_id)
            .where(m.Delegate.registration_code == code)))


def test_survey_answers_statuses_and_short_activity_names(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "wjx.csv"
    p.write_text(
        "序号,1、您的姓名,2、参会身份,3、参加活动,审核状态\n"
        "1,张伟,A.嘉宾,高峰论坛┋签约仪式,审核通过\n"
        "2,李娜,B.普通参会人员,开幕式┋高峰论坛,审核未通过\n"
        "3,王芳,B.普通参会人员,高峰论坛,待审核\n"
        "4,赵敏,B.普通参会人员,高峰论坛,待审核\n", encoding="utf-8")
    dry = svc.dry_run(p)
    grouped = {(u.kind, u.value): u.count for u in dry.unknown_values}
    assert grouped == {("category", "B.普通参会人员"): 3, ("status", "待审核"): 2}
    r = svc.apply(p, ImportOptions(value_map={"category": {"普通参会人员": "ATTENDEE"},
                                              "status": {"待审核": "approved"}}))
    assert (r.counts.new, r.counts.cancelled, r.counts.rejected) == (3, 1, 0)
    with svc.db.read() as s:
        rows = dict(s.execute(select(m.Delegate.name_native, m.Delegate.status)
                              .where(m.Delegate.source == "wjx")).all())
    assert rows == {"张伟": "approved", "李娜": "cancelled", "王芳": "approved", "赵敏": "approved"}


def test_eventbrite_statuses_keep_checked_in_attendees(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "eb.csv"
    p.write_text("Attendee #,First Name,Last Name,Ticket Type,Attendee Status\n"
                 "1001,Anna,Berg,Delegate,Attending\n1002,Bo,Lund,Delegate,Checked In\n"
                 "1003,Cy,Moss,Delegate,Not Attending\n", encoding="utf-8")
    r = svc.apply(p, ImportOptions(value_map={"category": {"Delegate": "ATTENDEE"}}))
    assert (r.counts.new, r.counts.cancelled, r.counts.rejected) == (2, 1, 0)


def test_competition_tracks_admit_to_their_track(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "teams.csv"
    p.write_text("报名编号,姓名,团队名称,赛道,类别\n"
                 "T-1,周杰,星火队,智能制造赛道,参赛选手\nT-2,吴磊,启明队,星渝杯·数字经济,参赛选手\n"
                 "T-3,郑爽,天工队,火星赛道,参赛选手\n", encoding="utf-8")
    r = svc.apply(p)
    assert r.counts.new == 3
    assert _admitted(svc.db, "T-1") == {"XY_A"} and _admitted(svc.db, "T-2") == {"XY_B"}
    assert [(u.kind, u.value) for u in r.unknown_values] == [("track", "火星赛道")]
    assert svc.apply(p).counts.unchanged == 3


def test_suggestions_come_from_the_values_own_kind(demo_db: Database) -> None:
    """A track is suggested only a track activity, a category only a category, a status only
    approved or cancelled, an activity any activity."""
    from checkin_app.importers.report import UnknownValue
    from checkin_app.services.importing import ImportService

    svc = ImportService(demo_db)

    def u(kind: str, value: str) -> UnknownValue:
        return UnknownValue(kind, "", value, 1, (2,), "error")

    got = svc.suggestions([
        u("track", "智能制造赛道"), u("track", "数字经济组"), u("track", "高峰论坛"),
        u("activity", "高峰论坛"), u("category", "高峰论坛"), u("category", "媒体记者"),
        u("status", "审核已通过"), u("status", "已经取消"), u("country", "塞尔维亚共和国联邦"),
    ])
    assert got[("track", "智能制造赛道")] == "XY_A"
    assert got[("track", "数字经济组")] == "XY_B"
    # The summit is an activity but no competition's track: nothing is suggested for the track.
    assert ("track", "高峰论坛") not in got
    assert got[("activity", "高峰论坛")] == "SUMMIT"
    assert ("category", "高峰论坛") not in got  # an activity's name is no category
    assert got[("category", "媒体记者")] == "MEDIA"
    assert got[("status", "审核已通过")] == "approved"
    assert got[("status", "已经取消")] == "cancelled"
    assert not any(k[0] == "country" for k in got)
    track_codes = set(svc.catalog().track_activities)
    assert {v for (k, _), v in got.items() if k == "track"} <= track_codes
    assert "SUMMIT" not in track_codes and "MAIN" not in track_codes
