"""Desk printing: first admissions print by themselves, scans never wait for the printer, manager actions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from checkin_app.badges.templates import SHEETS
from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import Verdict
from checkin_app.printing.backends import PrintRequest, register_backend
from checkin_app.services.badges import CANCELLED, DONE, FAILED, PRINTING, BadgeService, Selection
from checkin_app.ui.main_window import MainWindow
from tests.ui.conftest import DESK, Demo, Desk


def _use_printer(demo: Demo, spec: str) -> None:
    BadgeService(demo.db).save_settings(desk=DESK, operator="test", printer=spec)


def _ready(desk: Desk) -> MainWindow:
    w = desk.window
    desk.qtbot.waitUntil(lambda: w.controller.printing.settings is not None, timeout=5000)
    return w


def _states(w: MainWindow) -> list[str]:
    return [j.state for j in w.print_panel.jobs]


def test_first_admission_prints_the_badge_by_itself(configured: Demo, make_desk: Callable[..., Desk],
                                                    tmp_path: Path) -> None:
    out = tmp_path / "badges"
    _use_printer(configured, f"folder:{out}")
    desk = make_desk()
    w = _ready(desk)
    r = desk.scan(desk.samples["korean"])
    assert r.admitted
    desk.qtbot.waitUntil(lambda: _states(w) == [DONE], timeout=15000)
    files = list(out.glob("*.pdf"))
    assert len(files) == 1 and desk.samples["korean"] in files[0].name
    # The desk shows the badge it printed.
    desk.qtbot.waitUntil(lambda: w.print_panel.preview.pixmap() is not None
                         and not w.print_panel.preview.pixmap().isNull(), timeout=5000)
    assert desk.samples["korean"] in w.print_panel.preview_caption.text()
    # Scanning the same person again (ALREADY_IN at the main entrance) prints nothing more.
    desk.scan(desk.samples["korean"])
    desk.qtbot.wait(500)
    assert len(list(out.glob("*.pdf"))) == 1 and _states(w) == [DONE]
    assert w.scan_field.hasFocus()


def test_refusals_and_other_activities_print_nothing(configured: Demo, make_desk: Callable[..., Desk],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "badges"
    _use_printer(configured, f"folder:{out}")
    desk = make_desk()
    _ready(desk)
    assert not desk.scan(desk.samples["cancelled"]).admitted
    desk.qtbot.wait(400)
    assert not out.exists()


def test_scanning_goes_on_while_the_printer_is_stuck(configured: Demo,
                                                     make_desk: Callable[..., Desk]) -> None:
    release = threading.Event()
    printed: list[str] = []

    class StuckPrinter:
        spec = "stuck:"

        def print_pdf(self, request: PrintRequest) -> str:
            release.wait(20)
            printed.append(request.file_stem)
            return "ok"

    register_backend("stuck", lambda _rest: StuckPrinter())
    _use_printer(configured, "stuck:")
    desk = make_desk()
    w = _ready(desk)
    try:
        desk.scan(desk.samples["vietnamese"])
        desk.qtbot.waitUntil(lambda: PRINTING in _states(w), timeout=10000)
        # The printer holds the first badge; the next people are scanned without waiting.
        for key in ("russian", "french", "japanese"):
            assert desk.scan(desk.samples[key], timeout=2000).admitted
        assert printed == []
    finally:
        release.set()
    desk.qtbot.waitUntil(lambda: _states(w).count(DONE) == 4, timeout=20000)
    assert [s.split("-s")[0] for s in printed] == [
        desk.samples[k] for k in ("vietnamese", "russian", "french", "japanese")]


def test_manager_reprint_cancel_retry_and_redirect(configured: Demo, make_desk: Callable[..., Desk],
                                                   tmp_path: Path) -> None:
    _use_printer(configured, "lp:No-Such-Queue-For-Tests")
    desk = make_desk()
    w = _ready(desk)
    p = w.controller.printing
    desk.scan(desk.samples["serbian_cyrillic"])
    desk.qtbot.waitUntil(lambda: _states(w) == [FAILED], timeout=15000)
    job = w.print_panel.jobs[0]
    assert job.error  # the failure is visible with its message
    # Send the failed job to a working printer: it prints there.
    out = tmp_path / "elsewhere"
    w.print_panel.table.selectRow(0)
    assert w.print_panel.buttons["redirect"].isEnabled()
    p.redirect(job.uuid, f"folder:{out}")
    desk.qtbot.waitUntil(lambda: _states(w) == [DONE], timeout=15000)
    assert len(list(out.glob("*.pdf"))) == 1
    # Reprint (lost badge): new serial, printed on the desk's printer (which fails), then cancelled.
    with desk.qtbot.waitSignal(p.reprintQueued, timeout=5000) as blocker:
        p.reprint(job.delegate_id, "lost")
    assert blocker.args[0].new_serial == 2
    desk.qtbot.waitUntil(lambda: _states(w)[:1] == [FAILED], timeout=15000)
    new_job = w.print_panel.jobs[0]
    assert new_job.badge_serial == 2 and new_job.reason == "lost"
    p.cancel(new_job.uuid)
    desk.qtbot.waitUntil(lambda: _states(w)[:1] == [CANCELLED], timeout=5000)
    p.retry(new_job.uuid)
    desk.qtbot.waitUntil(lambda: _states(w)[:1] == [FAILED], timeout=15000)
    assert w.scan_field.hasFocus()


def test_a_failed_print_is_queued_once_not_on_every_later_scan(
        configured: Demo, make_desk: Callable[..., Desk]) -> None:
    _use_printer(configured, "lp:No-Such-Queue-For-Tests")
    desk = make_desk()
    w = _ready(desk)
    code = desk.samples["korean"]
    assert desk.scan(code).admitted
    desk.qtbot.waitUntil(lambda: _states(w) == [FAILED], timeout=15000)
    # The same person again (ALREADY_IN), leaving, coming back: the failed job stays the one job.
    assert desk.scan(code).verdict is Verdict.ALREADY_IN
    w.controller.direction = "out"
    exit_scan = desk.scan(code)
    assert exit_scan.admitted and exit_scan.direction == "out"
    w.controller.direction = "in"
    assert desk.scan(code).admitted
    desk.qtbot.wait(600)
    w.controller.printing.load_jobs()
    desk.qtbot.wait(300)
    assert _states(w) == [FAILED]
    assert len(BadgeService(configured.db).jobs()) == 1


def test_only_a_first_recorded_entry_prints() -> None:
    from dataclasses import replace

    from checkin_app.services.badges import PrintSettings
    from checkin_app.ui.print_controller import should_auto_print

    first = _main_entry_result()
    on = PrintSettings(True, "qt:", "")
    assert should_auto_print(first, on)
    assert not should_auto_print(first, PrintSettings(False, "qt:", ""))
    assert first.event is not None
    leaving = replace(first, direction="out", event=replace(first.event, direction="out"))
    assert not should_auto_print(leaving, on)
    assert not should_auto_print(replace(first, previous=first.event), on)  # been in before
    assert not should_auto_print(replace(first, verdict=Verdict.ALREADY_IN), on)
    assert not should_auto_print(replace(first, event=None), on)


def _main_entry_result() -> ScanResult:
    from datetime import UTC, datetime

    from checkin_app.domain.types import ActivityInfo, CategoryInfo, CheckInRecord, DelegateView
    from checkin_app.domain.verdicts import Severity

    at = datetime(2024, 11, 23, 1, 0, tzinfo=UTC)
    cat = CategoryInfo("ATTENDEE", "参会者", "Attendee", "#888888")
    person = DelegateView(1, "C1", "张伟", "ZHANG Wei", "张伟", "", "", "", "", "CN", "中国", "China",
                          cat, "approved", "", "")
    main = ActivityInfo(1, "MAIN", "主入口", "Main", "", "", at, at, 0, None, frozenset(), True,
                        False, True)
    event = CheckInRecord("u1", 1, "MAIN", "in", "D", "v", at, "ADMIT")
    return ScanResult(Verdict.ADMIT, Severity.GREEN, True, "", "", "", "", "", "", "C1", person,
                      main, event)


def test_batch_in_the_background_with_progress(configured: Demo, make_desk: Callable[..., Desk],
                                               tmp_path: Path) -> None:
    desk = make_desk()
    w = _ready(desk)
    p = w.controller.printing
    out = tmp_path / "vip.pdf"
    progress: list[int] = []
    p.batchProgress.connect(lambda done, _total: progress.append(done))
    with desk.qtbot.waitSignal(p.batchFinished, timeout=60000) as blocker:
        p.start_batch(Selection(categories=("VIP", "GUEST")), out, sheet=SHEETS["a4-4up"])
        # The desk still scans while the batch runs.
        assert desk.scan(desk.samples["attendee"]).admitted
    n, path = blocker.args
    assert n > 0 and Path(path) == out and out.exists() and progress[-1] == n
