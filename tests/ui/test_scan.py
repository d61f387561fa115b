"""Scanning into the real scan field: every verdict's colour and words, and how a code ends."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import Clock
from checkin_app.domain.types import ActivityInfo, ScanResult
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.ui import style

if TYPE_CHECKING:
    from tests.ui.conftest import Desk


def test_admit_attendee_fills_panel_green(desk: Desk) -> None:
    r = desk.scan(desk.samples["attendee"])
    panel = desk.window.result
    assert r.verdict is Verdict.ADMIT
    assert panel.state == "result"
    assert panel.background_colour() == style.GREEN.background
    assert panel.title_primary.text() == "准许入场"
    assert panel.title_secondary.text() == "Admit"
    assert r.delegate is not None
    assert panel.name_native.text() == (r.delegate.name_native or r.delegate.display_name)
    assert "请放行" in panel.next_step.text()
    assert "Let them in" in panel.next_step.text()
    assert panel.category_chip.text()
    assert desk.window.scan_field.text() == ""


def test_vip_is_amber_with_attention_note(desk: Desk) -> None:
    r = desk.scan(desk.samples["VIP"])
    panel = desk.window.result
    assert r.verdict is Verdict.ADMIT_WITH_ATTENTION
    assert panel.background_colour() == style.AMBER.background
    assert panel.title_primary.text() == "准许入场·请注意"
    assert panel.attention.isVisibleTo(panel)
    assert panel.attention.text()


def test_second_scan_is_already_in_with_time_and_desk(desk: Desk) -> None:
    code = desk.samples["attendee"]
    desk.scan(code)
    desk.clock.advance(minutes=7)
    r = desk.scan(code)
    panel = desk.window.result
    assert r.verdict is Verdict.ALREADY_IN
    assert panel.title_secondary.text() == "Already checked in"
    assert panel.background_colour() in (style.AMBER.background, style.RED.background)
    # First check-in at 09:30 Chongqing time at this desk.
    assert "09:30" in panel.previous.text()
    assert desk.window.controller.desk_name in panel.previous.text()
    assert "首次签到" in panel.previous.text()


def test_cancelled_is_red(desk: Desk) -> None:
    r = desk.scan(desk.samples["cancelled"])
    panel = desk.window.result
    assert r.verdict is Verdict.CANCELLED
    assert panel.background_colour() == style.RED.background
    assert panel.title_primary.text() == "报名已取消"
    assert "请勿放行" in panel.next_step.text()


def test_garbage_is_unknown_code(desk: Desk) -> None:
    r = desk.scan("NOT-A-REAL-CODE-42")
    panel = desk.window.result
    assert r.verdict is Verdict.UNKNOWN_CODE
    assert panel.background_colour() == style.RED.background
    assert panel.title_secondary.text() == "Unknown code"
    assert "NOT-A-REAL-CODE-42" in panel.code.text()


def _category_of(desk: Desk, code: str) -> str:
    with desk.db.read() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == code))
        assert d is not None
        return d.category.code


def _find_case(desk: Desk, verdict: Verdict) -> tuple[str, ActivityInfo]:
    """A (sample code, activity) pair that must give `verdict` at the fixture's clock."""
    now = desk.clock.now()
    acts = [a for a in CatalogService(desk.db, desk.clock).activities() if not a.is_main]
    for label, code in desk.samples.items():
        if label in ("cancelled", "VIP", "attention_note"):
            continue
        cat = _category_of(desk, code)
        for a in acts:
            admitted = cat in a.admitted_categories
            opens = a.starts_at - timedelta(minutes=a.doors_open_minutes)
            if verdict is Verdict.NOT_ADMITTED_HERE and not admitted:
                return code, a
            if verdict is Verdict.NOT_OPEN_YET and admitted and opens > now:
                return code, a
            if verdict is Verdict.CLOSED and admitted and a.ends_at < now:
                return code, a
    raise AssertionError(f"the demo has no case for {verdict}")


def test_refusals_after_switching_activity(desk: Desk) -> None:
    for verdict in (Verdict.NOT_ADMITTED_HERE, Verdict.NOT_OPEN_YET, Verdict.CLOSED):
        code, activity = _find_case(desk, verdict)
        desk.switch_activity(activity.code)
        assert desk.window.controller.activity_code == activity.code
        assert activity.code in desk.window.status_activity.text()
        r = desk.scan(code)
        assert r.verdict is verdict, (verdict, activity.code)
        panel = desk.window.result
        assert panel.background_colour() == style.RED.background
        assert panel.title_primary.text() == r.title_zh
        assert panel.title_secondary.text() == r.title_en
        # The reason (times, category) is on the panel, not only the headline.
        assert panel.reason.text()
        assert r.details["reason_zh"] in panel.reason.text()


def test_pause_after_fast_burst_ends_code(desk: Desk) -> None:
    r = desk.scan(desk.samples["attendee"], end=None)
    assert r.verdict is Verdict.ADMIT
    assert desk.window.scan_field.text() == ""


def test_slow_typing_is_not_cut_by_the_pause(desk: Desk) -> None:
    field = desk.window.scan_field
    for ch in "ABC":
        desk.qtbot.keyClick(field, ch)
        desk.qtbot.wait(80)
    desk.qtbot.wait(450)
    assert field.text() == "ABC"
    assert desk.window.result.state == "idle"


def test_tab_ends_code_and_keeps_focus(desk: Desk) -> None:
    w = desk.window
    w.focus_scanner()
    r = desk.scan(desk.samples["attendee"], end=Qt.Key.Key_Tab)
    assert r.verdict is Verdict.ADMIT
    assert w.focusWidget() is w.scan_field


def test_empty_input_is_ignored(desk: Desk) -> None:
    w = desk.window
    with desk.qtbot.assertNotEmitted(w.controller.scanQueued, wait=100):
        desk.qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
        desk.qtbot.keyClicks(w.scan_field, "   ")
        desk.qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
    assert w.result.state == "idle"


def test_input_method_cannot_swallow_or_pollute_a_scan(desk: Desk) -> None:
    field = desk.window.scan_field
    assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert field.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
    preedit = QInputMethodEvent("zhong", [])
    QApplication.sendEvent(field, preedit)
    commit = QInputMethodEvent()
    commit.setCommitString("中国")
    QApplication.sendEvent(field, commit)
    assert field.text() == ""
    # The scan done again (the input method's keys were the first try): not polluted.
    desk.qtbot.wait(400)
    code = desk.samples["attendee"]
    r = desk.scan(code)
    assert r.verdict is Verdict.ADMIT
    assert r.code == code.upper()
    assert desk.window.result.code.text().endswith(r.code)


def test_result_returns_to_idle_after_timeout(make_desk: Callable[..., Desk]) -> None:
    d = make_desk(idle_timeout_ms=200)
    d.scan(d.samples["attendee"])
    assert d.window.result.state == "result"
    d.qtbot.waitUntil(lambda: d.window.result.state == "idle", timeout=3000)
    assert d.window.result.title_primary.text() == "请扫描"
    assert d.window.result.background_colour() == style.IDLE.background


class _SlowCheckIn(CheckInService):
    """Takes a while per scan, like a database on a slow disk."""

    delay = 0.3
    threads: list[str]

    def scan(self, raw: str, **kwargs: object) -> ScanResult:  # type: ignore[override]
        self.threads.append(threading.current_thread().name)
        time.sleep(self.delay)
        return super().scan(raw, **kwargs)  # type: ignore[arg-type]


def _slow(db: Database, clock: Clock) -> DeskCore:
    slow = _SlowCheckIn(db, clock)
    slow.threads = []
    return DeskCore(db, clock, checkin=slow)


def test_gui_thread_is_not_blocked_and_scans_stay_in_order(
        make_desk: Callable[..., Desk]) -> None:
    d = make_desk(_slow)
    w = d.window
    codes = [d.samples["attendee"], d.samples["VIP"], "GARBAGE-000001"]
    results: list[ScanResult] = []
    w.controller.scanFinished.connect(results.append)
    started = time.monotonic()
    for code in codes:
        d.qtbot.keyClicks(w.scan_field, code)
        d.qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
    # All three were typed without waiting for the database: the GUI thread never blocked.
    assert time.monotonic() - started < _SlowCheckIn.delay
    assert w.result.state == "pending"
    assert w.scan_field.text() == ""
    d.qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    assert [r.verdict for r in results] == [
        Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION, Verdict.UNKNOWN_CODE]
    assert w.result.result is results[-1]
    checkin = w.core.checkin
    assert isinstance(checkin, _SlowCheckIn)
    assert threading.main_thread().name not in checkin.threads


class _BrokenCheckIn(CheckInService):
    def scan(self, raw: str, **kwargs: object) -> ScanResult:  # type: ignore[override]
        raise RuntimeError("disk unplugged")


def test_worker_exception_shows_error_and_keeps_code(make_desk: Callable[..., Desk]) -> None:
    d = make_desk(lambda db, clock: DeskCore(db, clock, checkin=_BrokenCheckIn(db, clock)))
    w = d.window
    with d.qtbot.waitSignal(w.controller.scanFailed, timeout=5000):
        d.qtbot.keyClicks(w.scan_field, "CODE-123456")
        d.qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
    assert w.result.state == "error"
    assert w.result.background_colour() == style.ERROR.background
    assert "CODE-123456" in w.result.code.text()
    assert "disk unplugged" in w.result.reason.text()
    assert "Operation failed" in w.result.reason.text()
    assert "disk unplugged" in w.status_error.text()
    # The code is back in the field, selected, so Enter retries and a new scan types over it.
    assert w.scan_field.text() == "CODE-123456"
    assert w.scan_field.selectedText() == "CODE-123456"


def test_scan_field_keeps_every_input_method_out(desk: Desk) -> None:
    # QLineEdit answers ImEnabled itself; the attribute alone did not reach ibus (FINDINGS).
    field = desk.window.scan_field
    assert field.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is False
    assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)


def test_input_method_that_still_composes_in_the_scan_field_is_said_in_large_words(
        desk: Desk) -> None:
    w = desk.window
    ev = QInputMethodEvent("从", [])
    QApplication.sendEvent(w.scan_field, ev)
    assert w.result.state == "error"
    assert "输入法已开启" in w.status_error.toolTip()
    assert "Input method is on" in w.status_error.toolTip()
    assert w.scan_field.text() == ""


def test_input_method_passing_plain_letters_through_still_scans(desk: Desk) -> None:
    # Some input methods hand ASCII over as commits rather than key events.
    w = desk.window
    code = desk.samples["attendee"]
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        ev = QInputMethodEvent()
        ev.setCommitString(code)
        QApplication.sendEvent(w.scan_field, ev)
        desk.qtbot.keyClick(w.scan_field, Qt.Key.Key_Return)
    assert blocker.args[0].code == code.upper()


def test_trace_file_records_scans_and_verdicts(make_desk: Callable[..., Desk], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv("CHECKIN_TRACE", str(trace))
    desk = make_desk()
    desk.scan(desk.samples["attendee"])
    lines = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    kinds = [line["ev"] for line in lines]
    assert "ready" in kinds
    scan = next(line for line in lines if line["ev"] == "scan")
    assert scan["code"] == desk.samples["attendee"] and scan["source"] == "scan_field"
    verdict = next(line for line in lines if line["ev"] == "verdict")
    assert verdict["verdict"] == "ADMIT" and verdict["direction"] == "in"
    assert verdict["registration_code"] == desk.samples["attendee"]
