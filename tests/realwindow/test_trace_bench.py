"""The trace lines bench/bench_realwindow.py measures with are written, on the bench's own code path.

The benchmark times first key → verdict painted from two CHECKIN_TRACE lines ("key": the key
event's X timestamp and when Qt delivered it; "painted": when the verdict's repaint was flushed).
If either stopped being written, or stopped being on the X server's clock, the benchmark would
rot silently; here the bench's own Target.scan drives the real desk and its bare-QLineEdit floor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_realwindow import Target, start_floor
from tests.realwindow.conftest import DeskFactory
from tests.realwindow.desk import Template, expect_recorded, mark
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import XSession

pytestmark = pytest.mark.realwindow


def test_desk_traces_first_key_and_painted_verdict(new_desk: DeskFactory, template: Template,
                                                   xsession: XSession) -> None:
    desk = new_desk("RW trace bench")
    assert desk.proc is not None
    target = Target("desk", desk.proc, desk.trace_path, xsession)
    target.wid = desk.wid
    person, other = template.people[0], template.people[1]
    for who, code, delay in ((person, person.code, 2), (other, other.token, 5)):
        m = mark(desk, code)
        sample = target.scan(code, delay, "code")
        expect_recorded(desk, m, who)
        assert sample.verdict == "ADMIT"
        # Same clock: Qt gets the key a little after the X server stamped it, never before.
        assert 0 <= sample.x_to_delivered_ms < 1000, sample
        # The verdict is painted after the whole code was typed, and not seconds later.
        assert len(code) * delay * 0.5 < sample.key_to_paint_ms < 5000, sample
        painted = [e for e in desk.trace()[m.trace_len:] if e["ev"] == "painted"]
        assert [(e["state"], e["code"]) for e in painted] == [("result", code)]
        assert painted[0]["paint"] <= painted[0]["flushed"]
        keys = [e for e in desk.trace()[m.trace_len:] if e["ev"] == "key"]
        assert len(keys) == 1, keys  # one first key per burst, not one line per key


def test_floor_traces_the_same_lines(xsession: XSession, ime: InputMethod, tmp_path: Path) -> None:
    floor = start_floor(xsession, ime, tmp_path)
    try:
        sample = floor.scan("CQ24-FLOOR1", 2, "code")
        assert sample.verdict == "FLOOR"
        assert 0 <= sample.x_to_delivered_ms < 1000, sample
        assert 0 < sample.key_to_paint_ms < 5000, sample
        # The spans add up (the X time wraps at 2^32 ms; the bench takes it modulo that).
        assert abs(sample.key_to_paint_ms - sample.x_to_delivered_ms
                   - sample.delivered_to_paint_ms) < 1.0, sample
    finally:
        floor.proc.stop()
