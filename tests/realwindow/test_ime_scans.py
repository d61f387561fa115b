"""Scans at the real window with a Chinese input method on: every code must be recorded, every time.

One desk process per input method; each scan checks in a person not scanned before at that
desk, so every scan must add exactly one MAIN check-in of exactly that person.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.realwindow.desk import Desk, Person, Template, desk_db, expect_recorded, scan
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import XSession

pytestmark = pytest.mark.realwindow

REPEATS = 2  # "every time": each kind of code at each speed, more than once


@dataclass
class ScanDesk:
    desk: Desk
    people: Iterator[Person]


@pytest.fixture(scope="module")
def scan_desk(xsession: XSession, ime: InputMethod, template: Template,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanDesk]:
    folder: Path = tmp_path_factory.mktemp(f"scans-{ime.name}")
    name = f"RW scans {ime.name}"
    desk = Desk(xsession, ime.env, desk_db(template, folder, name), folder, name).start()
    yield ScanDesk(desk, iter(template.people))
    desk.stop()


def code_as(person: Person, kind: str) -> str:
    return {"upper": person.code, "lower": person.code.lower(), "token": person.token}[kind]


@pytest.mark.parametrize("delay", [0, 3, 10])
@pytest.mark.parametrize("kind", ["upper", "lower", "token"])
def test_scan_with_input_method(scan_desk: ScanDesk, ime: InputMethod, kind: str, delay: int) -> None:
    desk = scan_desk.desk
    assert desk.alive(), "the desk process is gone"
    desk.focus()
    for _ in range(REPEATS):
        person = next(scan_desk.people)
        m = scan(desk, code_as(person, kind), delay_ms=delay)
        expect_recorded(desk, m, person)
