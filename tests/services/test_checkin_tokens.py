"""The scan path with signed tokens: every token verdict, rules from the token, and overrides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from checkin_app.domain import tokens
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.services import audit
from checkin_app.services.checkin import CheckInError, CheckInService
from checkin_app.services.keys import KeyService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, make_event
from tests.security_helpers import enrol, second_desk, token_for


@pytest.fixture
def event(db: Database, tmp_path: Path, clock: FixedClock) -> MiniEvent:
    codes = make_event(db)
    enrol(db, tmp_path / "event.pem", clock)
    return codes


@pytest.fixture
def svc(db: Database, clock: FixedClock) -> CheckInService:
    return CheckInService(db, clock)


def _checkins(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.CheckIn)) or 0)


def test_forged_token_is_red_with_next_step(svc: CheckInService, event: MiniEvent, db: Database) -> None:
    genuine = token_for(db, event.attendee)
    parts = tokens.split_token(genuine)
    assert parts is not None
    forged = tokens.sign_token(parts[2], Ed25519PrivateKey.generate())  # same claims, no key
    r = svc.scan(forged, desk="D1")
    assert r.verdict is Verdict.FORGED and r.severity is Severity.RED and not r.admitted
    assert r.delegate is None and r.event is None  # an unverified claim shows nobody
    assert "security" in r.next_en and "安保" in r.next_zh
    assert _checkins(db) == 0


def test_wrong_event_and_garbage_after_the_prefix(svc: CheckInService, event: MiniEvent,
                                                  db: Database) -> None:
    parts = tokens.split_token(token_for(db, event.attendee))
    assert parts is not None
    from dataclasses import replace

    other = replace(parts[2], event_tag=tokens.event_tag("SOME-OTHER-EXPO"))
    r = svc.scan(tokens.sign_token(other, Ed25519PrivateKey.generate()), desk="D1")
    assert r.verdict is Verdict.WRONG_EVENT and r.severity is Severity.RED
    assert svc.scan("ck-hello", desk="D1").verdict is Verdict.INCOMPLETE_CODE


def test_a_cut_short_or_mangled_token_says_scan_again(svc: CheckInService, event: MiniEvent,
                                                      db: Database) -> None:
    genuine = token_for(db, event.attendee)
    mangled = [
        genuine[:-1], genuine[:60], genuine[: len(genuine) // 2] + genuine[len(genuine) // 2 + 3:],
        genuine[:40] + "测试" + genuine[40:],  # an input method's candidates in the middle
        "\x02" + genuine[:90] + "\r\n",
    ]
    for code in mangled:
        r = svc.scan(code, desk="D1")
        assert r.verdict is Verdict.INCOMPLETE_CODE, code
        assert r.severity is Severity.RED and not r.admitted and r.delegate is None
        assert r.title_zh == "扫描不完整，请重新扫描" and r.title_en == "Incomplete scan: scan again"
        assert "重新扫描" in r.next_zh and "scan it again" in r.next_en
        assert "security" not in r.next_en
    assert _checkins(db) == 0
    assert svc.scan(genuine, desk="D1").verdict is Verdict.ADMIT  # the next, whole read admits


def test_token_of_a_person_unknown_here_is_signature_only_then_already_in(
        db: Database, tmp_path: Path, clock: FixedClock, event: MiniEvent) -> None:
    token = token_for(db, event.vip)
    KeyService(db, clock).export_public(tmp_path / "p.json", desk="A", operator="t")
    desk_b = second_desk(tmp_path)
    try:
        KeyService(desk_b, clock).import_public(tmp_path / "p.json", desk="B", operator="t")
        svc_b = CheckInService(desk_b, clock)
        r = svc_b.scan(token, desk="B")
        assert r.verdict is Verdict.SIGNATURE_ONLY and r.severity is Severity.AMBER and r.admitted
        assert r.delegate is not None and r.delegate.category.code == "VIP"
        assert r.details["token_desk"] == "Desk A" and r.details["token_serial"] == "1"
        assert _checkins(desk_b) == 1
        # The rules apply to what the token says: the single-entry hall admits VIPs once.
        assert svc_b.scan(token, activity_code="HALL", desk="B").verdict is Verdict.SIGNATURE_ONLY
        assert svc_b.scan(token, activity_code="HALL", desk="B").verdict is Verdict.ALREADY_IN
        # Not yet open: the token's category gets the same time rules.
        closed = svc_b.scan(token, activity_code="AFTERNOON", desk="B")
        assert closed.verdict is Verdict.NOT_OPEN_YET
    finally:
        desk_b.close()


def test_token_category_rules_refuse_where_the_category_is_not_admitted(
        db: Database, tmp_path: Path, clock: FixedClock, event: MiniEvent) -> None:
    token = token_for(db, event.media)
    KeyService(db, clock).export_public(tmp_path / "p.json", desk="A", operator="t")
    desk_b = second_desk(tmp_path)
    try:
        KeyService(desk_b, clock).import_public(tmp_path / "p.json", desk="B", operator="t")
        r = CheckInService(desk_b, clock).scan(token, activity_code="HALL", desk="B")
        assert r.verdict is Verdict.NOT_ADMITTED_HERE and "MEDIA" in r.message_en
    finally:
        desk_b.close()


def test_manager_override_records_a_forced_check_in_with_reason(
        svc: CheckInService, event: MiniEvent, db: Database) -> None:
    refused = svc.scan(event.cancelled, desk="D1")
    assert refused.verdict is Verdict.CANCELLED and refused.delegate is not None
    with pytest.raises(CheckInError, match="reason"):
        svc.override(refused.delegate.id, desk="D1", operator="Li Lei", reason="  ",
                     overridden="CANCELLED")
    r = svc.override(refused.delegate.id, desk="D1", operator="Li Lei",
                     reason="Registration restored by phone", overridden="CANCELLED")
    assert r.admitted and r.event is not None and r.event.forced
    assert r.verdict is Verdict.ADMIT_WITH_ATTENTION and "Li Lei" in r.message_en
    # The note names the verdict set aside in words, in both languages (not "CANCELLED").
    assert "原结果：报名已取消" in r.details["reason_zh"] and "CANCELLED" not in r.message_zh
    assert "was: Registration cancelled" in r.details["reason_en"]
    assert r.details["reason_en"].endswith("Registration restored by phone")
    assert (r.details["overridden"], r.details["operator"], r.details["override_reason"]) == (
        "CANCELLED", "Li Lei", "Registration restored by phone")
    with db.read() as s:
        ev = s.scalar(select(m.CheckIn).where(m.CheckIn.uuid == r.event.uuid))
        assert ev is not None and ev.forced and ev.reason == "Registration restored by phone"
        assert ev.verdict == "CANCELLED" and ev.operator == "Li Lei"
        entry = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "override")).one()
        assert "CANCELLED" in entry.before_json and "restored" in entry.after_json
    assert audit.verify_chain(db).ok
    recent = svc.recent(desk="D1")
    assert recent[0].forced
    # The forced admission counts: the next scan sees them inside.
    assert svc.scan(event.cancelled, desk="D1").verdict is Verdict.CANCELLED


@pytest.fixture
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CheckInService, str]]:
    """One enrolled database for the property test below (hypothesis reuses fixtures)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tmp = tmp_path_factory.mktemp("fuzz")
    db = Database(tmp / "fuzz.sqlite3")
    codes = make_event(db)
    clock = FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    enrol(db, tmp / "event.pem", clock)
    yield CheckInService(db, clock), token_for(db, codes.attendee)
    db.close()


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_tokens_are_never_admitted_through_the_service(
        shared: tuple[CheckInService, str], data: st.DataObject) -> None:
    svc, token = shared
    i = data.draw(st.integers(min_value=3, max_value=len(token) - 1))
    how = data.draw(st.sampled_from(["flip", "cut", "extend", "noise"]))
    if how == "flip":
        ch = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
        mutated = token[:i] + ch + token[i + 1:]
    elif how == "cut":
        mutated = token[:i]
    elif how == "extend":
        mutated = token + data.draw(st.text(alphabet="ABCXYZ234567", min_size=1, max_size=8))
    else:
        mutated = data.draw(st.text(max_size=150))
    r = svc.scan(mutated, desk="FUZZ")
    if mutated.strip().upper() != token:
        assert not r.admitted and r.event is None
