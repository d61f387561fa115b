"""The keyboard is in the search box when the scanner fires: the scanned person must be recorded.

Design §9: "a scanner's burst is a scan wherever the focus is". The volunteer types a name slowly
(pinyin, 80 ms a key), maybe arrows to a row, and the next badge is scanned at scanner speed:
the scanned person is checked in, never the highlighted one, and the search is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realwindow.desk import (
    Desk,
    Person,
    Template,
    desk_db,
    events_since,
    expect_recorded,
    hanzi_button,
    mark,
    scan,
    search_box_point,
    search_text,
)
from tests.realwindow.ime import CJK, InputMethod
from tests.realwindow.test_ime_scans import ScanDesk, code_as
from tests.realwindow.xsession import XSession, poll

pytestmark = pytest.mark.realwindow

# How long the desk may take to give the keyboard back to the scanner after the search box was
# left idle (issue 11 says 30 s; the desk does it after 15 s). With the trace hook the test ends
# as soon as the focus is back; without it, it waits this long and then scans.
SEARCH_IDLE_S = float(os.environ.get("CHECKIN_RW_SEARCH_IDLE_S", "30"))
PERSON_KEY_MS = 80  # a person typing pinyin
SCANNER_KEY_MS = 3


def unlike(person: Person, *texts: str) -> bool:
    """Nobody a search for `texts` could find (so a wrong check-in cannot pass by chance)."""
    names = f"{person.name_latin} {person.name_native}".lower()
    return not CJK.search(person.name_native) and not any(t in names for t in texts)


@pytest.fixture(scope="module")
def search_desk(xsession: XSession, ime: InputMethod, template: Template,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanDesk]:
    folder: Path = tmp_path_factory.mktemp(f"search-{ime.name}")
    name = f"RW search {ime.name}"
    desk = Desk(xsession, ime.env, desk_db(template, folder, name), folder, name).start()
    people = (p for p in template.people if unlike(p, "zhou", "li"))
    yield ScanDesk(desk, people)
    desk.stop()


def back_to_scanning(desk: Desk) -> None:
    """Empty the search box and leave it (Ctrl+F selects all, BackSpace, Esc)."""
    desk.session.key("ctrl+f")
    desk.session.key("BackSpace")
    desk.session.key("Escape")


def settle_search() -> None:
    # The search runs 150 ms after the last key, in the background; results are in well
    # within this (no trace event says so).
    time.sleep(0.8)


# Found by this layer: with an input method running (汉字 off), a scanner burst into the search box
# holding 'zhou' was sometimes (1 run in 4 with fcitx5, 1 in 10 with ibus) not taken whole: the
# input method handed the letters over as commits, not key events, and Return checked in the
# HIGHLIGHTED person, or the token was split. Fixed: commits of plain letters count as keys, and
# Enter right after a fast run that is no code checks in nobody.


def into_search_box(desk: Desk, how: str) -> None:
    if how == "click":
        point = search_box_point(desk)
        assert point is not None, "cannot find the search box on screen"
        desk.session.click(*point)
    else:
        desk.session.key(how)


@pytest.mark.parametrize(("how", "kind"), [("ctrl+f", "upper"), ("ctrl+f", "lower"), ("ctrl+f", "token"),
                                           ("click", "upper")])
def test_scan_while_search_box_holds_a_name(search_desk: ScanDesk, ime: InputMethod, how: str,
                                            kind: str) -> None:
    desk = search_desk.desk
    desk.focus()
    s = desk.session
    try:
        into_search_box(desk, how)
        s.type("zhou", PERSON_KEY_MS)
        settle_search()
        s.key("Down")  # a highlighted row the scan must not check in
        person = next(search_desk.people)
        m = scan(desk, code_as(person, kind), delay_ms=SCANNER_KEY_MS)
        expect_recorded(desk, m, person)
        assert search_text(desk) == "zhou", "the search box did not keep what the volunteer typed"
    finally:
        back_to_scanning(desk)


def test_code_into_empty_search_box_is_a_scan(search_desk: ScanDesk, ime: InputMethod) -> None:
    desk = search_desk.desk
    desk.focus()
    try:
        desk.session.key("ctrl+f")
        person = next(search_desk.people)
        m = scan(desk, person.code, delay_ms=SCANNER_KEY_MS)
        expect_recorded(desk, m, person)
    finally:
        back_to_scanning(desk)


@pytest.mark.parametrize("ime", ["ibus"], indirect=True)
def test_focus_returns_to_scanner_after_idle_search(search_desk: ScanDesk, ime: InputMethod) -> None:
    desk = search_desk.desk
    desk.focus()
    s = desk.session
    try:
        s.key("ctrl+f")
        start = mark(desk, "li")
        s.type("li", PERSON_KEY_MS)
        t0 = time.monotonic()
        if desk.trace_supported:
            def back() -> bool:
                return any(e.get("widget") == "scanField" for e in events_since(desk, start, "focus"))

            with contextlib.suppress(TimeoutError):
                poll(back, SEARCH_IDLE_S + 2, interval=0.25, what="")
        else:
            time.sleep(SEARCH_IDLE_S)
        waited = time.monotonic() - t0
        # No click, no Esc: the scanner simply fires.
        person = next(search_desk.people)
        m = scan(desk, person.code, delay_ms=SCANNER_KEY_MS)
        expect_recorded(desk, m, person)
        if desk.trace_supported:
            sources = [e.get("source") for e in events_since(desk, m, "scan")]
            assert sources == ["scan_field"], (
                f"after {waited:.1f} s idle in the search box the scan went to {sources}, "
                f"not the scan field; trace: {events_since(desk, start)}")
            assert waited <= SEARCH_IDLE_S + 1
    finally:
        back_to_scanning(desk)


@pytest.mark.parametrize("ime", ["ibus", "fcitx5"], indirect=True)
def test_scan_while_search_box_composes_chinese(search_desk: ScanDesk, ime: InputMethod) -> None:
    """The volunteer turned Chinese input on in the search box (汉字) and typed 周 with pinyin;
    the next badge is scanned there. The input method was let in on purpose, so it takes the
    scanner's first keys: the desk must say so in large words (never look up what it made of
    them, never check in anyone), put the search back, give the keyboard to the scan field with
    the input method off — and the scan done again is recorded (DESIGN §9, issue 11)."""
    desk = search_desk.desk
    desk.focus()
    s = desk.session
    try:
        button = hanzi_button(desk)
        assert button is not None, "cannot find the 汉字 button next to the search box"
        start = mark(desk)
        s.click(*button)
        s.type("zhou", PERSON_KEY_MS)
        s.key("space")  # the first candidate, 周
        settle_search()
        if desk.trace_supported:
            assert not events_since(desk, start, "ime_warning"), (
                f"typing pinyin at {PERSON_KEY_MS} ms a key was taken for a scanner eaten by the input "
                f"method; trace: {events_since(desk, start)}")
        typed = search_text(desk)
        assert CJK.search(typed), f"the search box holds {typed!r}, not the Chinese typed"
        person = next(search_desk.people)
        eaten = mark(desk)
        s.type(person.code, SCANNER_KEY_MS)
        s.key("Return")
        if desk.trace_supported:
            poll(lambda: bool(events_since(desk, eaten, "ime_warning")), 5,
                 what="the 'input method is on' warning")
        time.sleep(0.5)
        assert not desk.checkins_after(eaten.checkin_id), "a code the input method mangled was recorded"
        # Scanned again: the keyboard is the scan field's now, the input method kept out.
        m = scan(desk, person.code, delay_ms=SCANNER_KEY_MS)
        expect_recorded(desk, m, person)
        assert search_text(desk) == typed, "the search box did not keep what the volunteer typed"
    finally:
        back_to_scanning(desk)


# Found by this test at 8dc11e9..fa21b6a (burst timed by when the desk processed each key: the
# tail of the token was looked up alone, the head left in the box); fixed in dd62aaa.
@pytest.mark.parametrize("ime", ["none"], indirect=True)
def test_scan_into_search_box_survives_a_busy_moment(search_desk: ScanDesk, ime: InputMethod) -> None:
    """The desk's main thread is busy for 150 ms (a redraw, a write, another program) while a
    badge is scanned into the search box; the keys wait in the X queue with their times."""
    desk = search_desk.desk
    desk.focus()
    s = desk.session
    assert desk.proc is not None
    pid = desk.proc.pid

    def busy_moment() -> None:
        time.sleep(0.12)
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(0.15)
        finally:
            os.kill(pid, signal.SIGCONT)

    try:
        s.key("ctrl+f")
        s.type("zhou", PERSON_KEY_MS)
        settle_search()
        person = next(search_desk.people)
        stall = threading.Thread(target=busy_moment)
        stall.start()
        try:
            m = scan(desk, person.token, delay_ms=SCANNER_KEY_MS)
        finally:
            stall.join()
        expect_recorded(desk, m, person)
        assert search_text(desk) == "zhou", "the search box did not keep what the volunteer typed"
    finally:
        back_to_scanning(desk)
