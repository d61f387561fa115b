"""The admission rule table: every verdict the pure function can give, with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkin_app.domain.admission import Decision, Presence, decide
from checkin_app.domain.types import ActivityInfo
from checkin_app.domain.verdicts import WORDING, Severity, Verdict, severity

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 11, 23, 9, 0, tzinfo=SH)


def act(**kw: object) -> ActivityInfo:
    base: dict[str, object] = dict(
        id=1, code="HALL", name_zh="会场", name_en="Hall", hall_zh="", hall_en="",
        starts_at=START, ends_at=START + timedelta(hours=2), doors_open_minutes=30,
        capacity=None, admitted_categories=frozenset({"ATTENDEE", "VIP"}), reentry=False,
        exits_scanned=False, is_main=False,
    )
    base.update(kw)
    return ActivityInfo(**base)  # type: ignore[arg-type]


def run(at: datetime = START, *, activity: ActivityInfo | None = None, **kw: object) -> Decision:
    args: dict[str, object] = dict(
        status="approved", category="ATTENDEE", category_attention=False, attention_note="",
        activity=activity or act(), now=at, tz=SH, presence=None, occupancy=0,
    )
    args.update(kw)
    return decide(**args)  # type: ignore[arg-type]


PRES_IN = Presence(START, "D1", "in", START, "D1")
PRES_OUT = Presence(START, "D1", "out", START, "D1")


@pytest.mark.parametrize(
    ("kwargs", "verdict", "admitted"),
    [
        ({}, Verdict.ADMIT, True),
        ({"category_attention": True, "attention_note": "Notify"}, Verdict.ADMIT_WITH_ATTENTION, True),
        ({"attention_note": "Wheelchair"}, Verdict.ADMIT_WITH_ATTENTION, True),
        ({"status": "cancelled"}, Verdict.CANCELLED, False),
        ({"category": "MEDIA"}, Verdict.NOT_ADMITTED_HERE, False),
        ({"category": "MEDIA", "override": True}, Verdict.ADMIT, True),
        ({"override": False}, Verdict.NOT_ADMITTED_HERE, False),
        ({"at": START - timedelta(minutes=31)}, Verdict.NOT_OPEN_YET, False),
        ({"at": START - timedelta(minutes=30)}, Verdict.ADMIT, True),
        ({"at": START + timedelta(hours=2, seconds=1)}, Verdict.CLOSED, False),
        ({"presence": PRES_IN}, Verdict.ALREADY_IN, False),
        ({"activity": act(reentry=True), "presence": PRES_IN}, Verdict.ALREADY_IN, True),
        ({"activity": act(capacity=10), "occupancy": 10}, Verdict.FULL, False),
        ({"activity": act(capacity=10), "occupancy": 9}, Verdict.ADMIT, True),
        ({"activity": act(reentry=True, exits_scanned=True, capacity=5), "presence": PRES_OUT,
          "occupancy": 5}, Verdict.FULL, False),
        ({"activity": act(reentry=True, exits_scanned=True), "presence": PRES_OUT},
         Verdict.ADMIT, True),
        ({"status": "cancelled", "direction": "out"}, Verdict.ADMIT, True),
    ],
)
def test_rule_table(kwargs: dict[str, object], verdict: Verdict, admitted: bool) -> None:
    at = kwargs.pop("at", START)
    d = run(at, **kwargs)  # type: ignore[arg-type]
    assert (d.verdict, d.admitted) == (verdict, admitted)
    if not admitted:
        assert d.reason_zh and d.reason_en


def test_reasons_name_the_times_in_local_time() -> None:
    d = run(START - timedelta(hours=3))
    assert "08:30" in d.reason_en and "09:00" in d.reason_en
    d = run(START + timedelta(hours=5))
    assert "11:00" in d.reason_zh


def test_every_verdict_has_words_and_a_colour() -> None:
    for v in Verdict:
        w = WORDING[v]
        assert w.title_zh and w.title_en and w.next_zh and w.next_en
        # The next step is not always under what it refers to: no text points up or down.
        for text in (w.next_zh, w.next_en):
            assert not any(word in text for word in ("下方", "上方", "below", "above")), text
    assert severity(Verdict.ADMIT, True) is Severity.GREEN
    assert severity(Verdict.ALREADY_IN, True) is Severity.AMBER
    assert severity(Verdict.ALREADY_IN, False) is Severity.RED
    assert severity(Verdict.FORGED, False) is Severity.RED
