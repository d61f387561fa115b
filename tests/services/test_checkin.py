"""Check-in service on a real SQLite file: every verdict, recording, undo, projection, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInError, CheckInService, rebuild_all_presence
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, local, make_event


@pytest.fixture
def event(db: Database) -> MiniEvent:
    return make_event(db)


@pytest.fixture
def svc(db: Database, clock: FixedClock) -> CheckInService:
    return CheckInService(db, clock)


def _count(db: Database, model: type[m.Base]) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_admit_records_event_and_audit_in_one_go(db: Database, svc: CheckInService,
                                                 event: MiniEvent) -> None:
    r = svc.scan(event.attendee, desk="D1")
    assert r.verdict is Verdict.ADMIT and r.severity is Severity.GREEN and r.admitted
    assert r.delegate is not None and r.delegate.name_native == "张伟"
    assert r.event is not None and r.event.desk == "D1" and r.event.activity_code == "MAIN"
    assert _count(db, m.CheckIn) == 1
    with db.read() as s:
        actions = s.scalars(select(m.AuditEntry.action)).all()
    assert actions == ["checkin"]


def test_second_scan_is_already_in_with_time_and_desk(svc: CheckInService, event: MiniEvent,
                                                      clock: FixedClock) -> None:
    first = svc.scan(event.attendee, desk="D1")
    clock.advance(minutes=5)
    second = svc.scan(event.attendee, desk="D2")
    assert second.verdict is Verdict.ALREADY_IN
    assert second.admitted and second.severity is Severity.AMBER  # MAIN allows re-entry
    assert second.previous is not None and first.event is not None
    assert second.previous.uuid == first.event.uuid and second.previous.desk == "D1"
    assert "D1" in second.message_en and "09:30" in second.message_en
    assert "D1" in second.message_zh


def test_single_entry_hall_refuses_second_entry(svc: CheckInService, event: MiniEvent) -> None:
    assert svc.scan(event.attendee, activity_code="HALL", desk="H").verdict is Verdict.ADMIT
    again = svc.scan(event.attendee, activity_code="HALL", desk="H")
    assert again.verdict is Verdict.ALREADY_IN and not again.admitted
    assert again.severity is Severity.RED and again.event is None


def test_attention_for_vip_and_for_personal_note(svc: CheckInService, event: MiniEvent) -> None:
    vip = svc.scan(event.vip, desk="D1")
    assert vip.verdict is Verdict.ADMIT_WITH_ATTENTION and vip.severity is Severity.AMBER
    assert "protocol officer" in vip.message_en
    noted = svc.scan(event.noted, desk="D1")
    assert noted.verdict is Verdict.ADMIT_WITH_ATTENTION and "Wheelchair" in noted.message_en


def test_cancelled_is_refused_and_not_recorded(db: Database, svc: CheckInService,
                                               event: MiniEvent) -> None:
    r = svc.scan(event.cancelled, desk="D1")
    assert r.verdict is Verdict.CANCELLED and r.severity is Severity.RED and r.event is None
    assert _count(db, m.CheckIn) == 0
    with db.read() as s:
        assert s.scalars(select(m.AuditEntry.action)).all() == ["scan_refused"]
    # The words do not repeat the title ("报名已取消：报名已取消").
    assert r.title_zh == "报名已取消" and r.title_en == "Registration cancelled"
    assert r.message_zh.count("报名已取消") == 1 and r.message_en.count("Registration cancelled") == 1
    assert r.details["reason_zh"] and r.details["reason_zh"] != r.title_zh


def test_a_reason_that_repeats_the_title_is_dropped() -> None:
    from checkin_app.domain.admission import Decision
    from checkin_app.domain.messages import Words, msg
    from checkin_app.services.checkin import _result

    said = msg("admission.note", note=Words("报名已取消", "Registration cancelled."))
    r = _result(Decision(Verdict.CANCELLED, False, said),
                code="X", delegate=None, activity=None, event=None)
    assert (r.message_zh, r.message_en) == ("报名已取消", "Registration cancelled")
    assert r.details["reason_zh"] == "" and r.details["reason_en"] == ""


def test_category_not_admitted_and_overrides(svc: CheckInService, event: MiniEvent) -> None:
    assert svc.scan(event.media, activity_code="HALL", desk="H").verdict is Verdict.NOT_ADMITTED_HERE
    assert svc.scan(event.media_allowed, activity_code="HALL", desk="H").verdict is Verdict.ADMIT
    excluded = svc.scan(event.attendee_excluded, activity_code="HALL", desk="H")
    assert excluded.verdict is Verdict.NOT_ADMITTED_HERE


def test_not_open_yet_and_closed_say_the_times(svc: CheckInService, event: MiniEvent) -> None:
    early = svc.scan(event.attendee, activity_code="AFTERNOON", desk="A")
    assert early.verdict is Verdict.NOT_OPEN_YET and "13:30" in early.message_en
    late = svc.scan(event.attendee, activity_code="FINALS", desk="F")
    assert late.verdict is Verdict.CLOSED and "18:00" in late.message_zh


def test_doors_open_tolerance(db: Database, event: MiniEvent) -> None:
    clock = FixedClock(local(23, 13, 29))
    svc = CheckInService(db, clock)
    assert svc.scan(event.attendee, activity_code="AFTERNOON", desk="A").verdict is Verdict.NOT_OPEN_YET
    clock.advance(minutes=1)
    assert svc.scan(event.attendee, activity_code="AFTERNOON", desk="A").verdict is Verdict.ADMIT


def test_capacity_full(svc: CheckInService, event: MiniEvent) -> None:
    assert svc.scan(event.attendee, activity_code="HALL", desk="H").admitted
    assert svc.scan(event.vip, activity_code="HALL", desk="H").admitted
    full = svc.scan(event.noted, activity_code="HALL", desk="H")
    assert full.verdict is Verdict.FULL and "2" in full.message_en


def test_exits_free_a_place(svc: CheckInService, event: MiniEvent) -> None:
    assert svc.scan(event.attendee, activity_code="LOUNGE", desk="L").admitted
    assert svc.scan(event.vip, activity_code="LOUNGE", desk="L").verdict is Verdict.FULL
    out = svc.scan(event.attendee, activity_code="LOUNGE", desk="L", direction="out")
    assert out.admitted and out.event is not None and out.event.direction == "out"
    assert svc.scan(event.vip, activity_code="LOUNGE", desk="L").admitted


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "\r\n", "NO-SUCH-CODE", "x" * 513, "\x00\x01\x02", "张伟", "CQ24-ATT00"],
)
def test_unknown_codes(svc: CheckInService, event: MiniEvent, raw: str) -> None:
    r = svc.scan(raw, desk="D1")
    assert r.verdict is Verdict.UNKNOWN_CODE and r.severity is Severity.RED and r.delegate is None


@pytest.mark.parametrize(
    "raw",
    ["cq24-att001", "  CQ24-ATT001\r\n", "CQ24-ATT001\t", "\x02CQ24-ATT001\x03", "ＣＱ２４－ＡＴＴ００１"],
)
def test_messy_scanner_input_is_accepted(svc: CheckInService, event: MiniEvent, raw: str) -> None:
    assert svc.scan(raw, desk="D1").verdict is Verdict.ADMIT


def test_undo_reverses_without_touching_the_original(db: Database, svc: CheckInService,
                                                     event: MiniEvent) -> None:
    first = svc.scan(event.attendee, activity_code="HALL", desk="H")
    assert first.event is not None
    rev = svc.undo(first.event.uuid, desk="H", operator="lead", reason="wrong person")
    assert rev.undoes == first.event.uuid and rev.verdict == "UNDO"
    with db.read() as s:
        original = s.scalar(select(m.CheckIn).where(m.CheckIn.uuid == first.event.uuid))
        assert original is not None and original.verdict == "ADMIT"
        assert "undo" in s.scalars(select(m.AuditEntry.action)).all()
    # The person may enter the single-entry hall again, because the entry was undone.
    assert svc.scan(event.attendee, activity_code="HALL", desk="H").verdict is Verdict.ADMIT
    with pytest.raises(CheckInError):
        svc.undo(first.event.uuid, desk="H", operator="lead")
    with pytest.raises(CheckInError):
        svc.undo(rev.uuid, desk="H", operator="lead")
    with pytest.raises(CheckInError):
        svc.undo("no-such-uuid", desk="H", operator="lead")


def test_undo_of_another_desks_check_in_is_marked_as_a_managers_action(
        db: Database, svc: CheckInService, event: MiniEvent) -> None:
    # The hub takes an undo of another desk's event only marked as such, with a name and a reason.
    first = svc.scan(event.attendee, desk="North 1")
    assert first.event is not None
    own = svc.scan(event.media, desk="South 2")
    assert own.event is not None
    other = svc.undo(first.event.uuid, desk="South 2", operator="Li Lei")
    mine = svc.undo(own.event.uuid, desk="South 2", operator="Li Lei")
    with db.read() as s:
        rows = {c.uuid: c for c in s.scalars(select(m.CheckIn).where(m.CheckIn.verdict == "UNDO"))}
    assert rows[other.uuid].forced and "North 1" in rows[other.uuid].reason
    assert not rows[mine.uuid].forced


def test_counts_follow_events_and_projection_rebuilds_identically(
    db: Database, svc: CheckInService, event: MiniEvent, clock: FixedClock
) -> None:
    svc.scan(event.attendee, desk="D1")
    svc.scan(event.vip, desk="D1")
    r = svc.scan(event.noted, desk="D2")
    assert r.event is not None
    svc.undo(r.event.uuid, desk="D2", operator="lead")
    svc.scan(event.attendee, activity_code="LOUNGE", desk="L")
    svc.scan(event.attendee, activity_code="LOUNGE", desk="L", direction="out")
    cat = CatalogService(db, clock)
    main = cat.stats("MAIN")[0]
    assert (main.checked_in, main.inside_now) == (2, 2)
    assert main.registered == 6  # everyone but the cancelled person
    lounge = cat.stats("LOUNGE")[0]
    assert (lounge.checked_in, lounge.inside_now) == (1, 0)
    with db.read() as s:
        before = sorted(
            (p.delegate_id, p.activity_id, p.first_in_uuid, p.last_direction)
            for p in s.scalars(select(m.Presence))
        )
    with db.write() as s:
        rebuild_all_presence(s)
    with db.read() as s:
        after = sorted(
            (p.delegate_id, p.activity_id, p.first_in_uuid, p.last_direction)
            for p in s.scalars(select(m.Presence))
        )
    assert before == after


def test_check_in_from_search_uses_the_same_rules(db: Database, svc: CheckInService,
                                                  event: MiniEvent) -> None:
    with db.read() as s:
        did = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == event.cancelled))
    assert did is not None
    assert svc.check_in_delegate(did, desk="D1").verdict is Verdict.CANCELLED
    with pytest.raises(CheckInError):
        svc.check_in_delegate(999_999, desk="D1")


def test_unknown_activity_is_a_clear_error(svc: CheckInService, event: MiniEvent) -> None:
    with pytest.raises(CheckInError, match="No activity"):
        svc.scan(event.attendee, activity_code="NOPE", desk="D1")


def test_recent_lists_newest_first_and_marks_undone(svc: CheckInService, event: MiniEvent,
                                                    clock: FixedClock) -> None:
    a = svc.scan(event.attendee, desk="D1")
    clock.advance(seconds=10)
    svc.scan(event.vip, desk="D1")
    clock.advance(seconds=10)
    svc.scan(event.noted, desk="OTHER")
    assert a.event is not None
    svc.undo(a.event.uuid, desk="D1", operator="lead")
    items = svc.recent(desk="D1")
    assert [i.is_undo for i in items] == [True, False, False]
    assert items[1].name == "Đorđe Petrović"
    assert items[2].undone and not items[1].undone
    assert svc.last_event(desk="D1") is not None


def test_settings_are_remembered_and_audited(db: Database, event: MiniEvent,
                                             clock: FixedClock) -> None:
    cat = CatalogService(db, clock)
    assert not cat.settings().configured
    s = cat.save_settings(desk_name="Desk 3", activity_code="hall")
    assert s.configured and s.activity_code == "HALL"
    assert CatalogService(db, clock).settings().desk_name == "Desk 3"
    with pytest.raises(CheckInError):
        cat.save_settings(activity_code="NOPE")
    with db.read() as s2:
        assert "settings" in s2.scalars(select(m.AuditEntry.action)).all()


def test_an_exit_at_the_main_entrance_has_its_own_words_and_the_counts_follow_it(
        db: Database, svc: CheckInService, event: MiniEvent, clock: FixedClock) -> None:
    cat = CatalogService(db, clock)
    entry = svc.scan(event.attendee, desk="D1")
    assert entry.direction == "in" and entry.title_zh == "准许入场"
    assert (cat.stats("MAIN")[0].checked_in, cat.stats("MAIN")[0].inside_now) == (1, 1)
    clock.advance(minutes=30)
    out = svc.scan(event.attendee, desk="D1", direction="out")
    # Not "准许入场 / Admit — hand over the badge": the exit's own words, and it says it is one.
    assert out.direction == "out" and out.admitted and out.verdict is Verdict.ADMIT
    assert (out.title_zh, out.title_en) == ("已离场", "Exit recorded")
    assert (out.next_zh, out.next_en) == ("请放行离场。", "Let them out.")
    assert out.message_zh == "已离场" and out.message_en == "Exit recorded"
    assert out.event is not None and out.event.direction == "out"
    main = cat.stats("MAIN")[0]
    assert (main.checked_in, main.inside_now) == (1, 0)  # MAIN does not scan exits by rule
    clock.advance(minutes=30)
    back = svc.scan(event.attendee, desk="D1")
    assert back.admitted and back.direction == "in" and back.title_zh != "已离场"
    assert cat.stats("MAIN")[0].inside_now == 1
    assert [i.direction for i in svc.recent(desk="D1")] == ["in", "out", "in"]


def test_a_refused_exit_scan_keeps_its_verdict_words(svc: CheckInService, event: MiniEvent) -> None:
    r = svc.scan("NO-SUCH-CODE", desk="D1", direction="out")
    assert r.verdict is Verdict.UNKNOWN_CODE and r.direction == "out" and not r.admitted
    assert r.title_en == "Unknown code"


def test_exit_wording_helper() -> None:
    from checkin_app.domain.verdicts import EXIT_WORDING, WORDING, wording

    assert wording("ADMIT", "out") is EXIT_WORDING and wording("ALREADY_IN", "out") is EXIT_WORDING
    assert wording("ADMIT") is WORDING[Verdict.ADMIT]
    assert wording("UNDO", "out").title_en == "UNDO"  # an undo row is not an exit
    assert wording("SOMETHING_NEWER").title_zh == "SOMETHING_NEWER"


def test_recent_of_a_desk_under_either_of_its_names(svc: CheckInService, event: MiniEvent) -> None:
    """A desk renamed after enrolment lists its rows under its own and its enrolled name."""
    svc.scan(event.attendee, desk="Desk 3")
    svc.scan(event.vip, desk="hall-A-1")
    svc.scan(event.noted, desk="elsewhere")
    codes = {r.registration_code for r in svc.recent(desk=("Desk 3", "hall-A-1"))}
    assert codes == {event.attendee, event.vip}
    assert {r.registration_code for r in svc.recent(desk="Desk 3")} == {event.attendee}
