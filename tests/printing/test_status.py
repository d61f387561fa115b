"""The printer line a desk reports to the hub: read from the real print queue, short, bilingual."""

from __future__ import annotations

import threading

from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.printing.status import (
    MAX_CHARS,
    PrinterSnapshot,
    PrinterState,
    describe_state,
    printer_names,
    read_snapshot,
)
from checkin_app.services.badges import BadgeService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.protocol import header_text, read_header_text
from tests.factories import make_event


def test_the_queue_and_settings_become_one_line(db: Database, clock: FixedClock) -> None:
    make_event(db)
    state = PrinterState(db, max_age_s=0)
    assert state() == "打印机 系统默认 正常 · 队列 0 / Printer system default ok · 0 queued"

    service = BadgeService(db, clock)
    service.save_settings(desk="D", operator="lead", printer="folder:/srv/badges", auto_print=False)
    with db.read() as s:
        ids = list(s.scalars(select(m.Delegate.id).order_by(m.Delegate.id).limit(3)))
    jobs = [service.enqueue(d, printer="folder:/srv/badges", desk="D", operator="auto") for d in ids]
    assert all(j is not None for j in jobs)
    first = jobs[0]
    assert first is not None and service.start(first.uuid) is not None
    service.finish(first.uuid, ok=False, message="卡纸\npaper jam")
    assert read_snapshot(db) == PrinterSnapshot("folder:/srv/badges", False, 2, 1, True)
    assert state() == ("打印机 PDF 文件夹 badges 出错 · 队列 2 · 失败 1 · 自动打印关 / "
                       "Printer PDF folder badges error · 2 queued · 1 failed · auto-print off")

    second = jobs[1]
    assert second is not None and service.start(second.uuid) is not None
    service.finish(second.uuid, ok=True)  # printing works again; the failed job still waits
    assert state().startswith("打印机 PDF 文件夹 badges 正常 · 队列 1 · 失败 1")

    service.save_settings(desk="D", operator="lead", printer="")  # back to the system default
    assert state().startswith("打印机 系统默认 正常 · 队列 1 · 失败 1 · 自动打印关 / Printer system default")


def test_names_are_short_and_the_line_fits_the_hub_and_a_header() -> None:
    assert printer_names("lp:") == ("系统默认队列", "default spooler")
    assert printer_names("lp:Badges_Hall_2") == ("系统队列 Badges_Hall_2", "spooler Badges_Hall_2")
    assert printer_names("qt:Zebra ZD621") == ("Zebra ZD621", "Zebra ZD621")
    long = "qt:" + "打印机" * 40
    line = describe_state(PrinterSnapshot(long, True, 12345, 678, True))
    assert len(line) <= MAX_CHARS and "…" in line
    assert read_header_text(header_text(line)) == line
    assert header_text(line).isascii()


def test_it_reads_at_most_every_max_age_and_is_safe_from_several_threads(
        db: Database, clock: FixedClock) -> None:
    make_event(db)
    now = [0.0]
    state = PrinterState(db, max_age_s=2.0, monotonic=lambda: now[0])
    before = state()
    with db.read() as s:
        d = s.scalar(select(m.Delegate.id).limit(1))
    assert d is not None
    BadgeService(db, clock).enqueue(d, printer="lp:X", desk="D", operator="auto")
    assert state() == before  # within max_age: the remembered line
    now[0] = 2.0
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(state())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(seen) == 8 and set(seen) == {state()} and "队列 1" in seen[0]
