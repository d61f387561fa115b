"""Exit mode at the real window: the volunteer clicks "离场 Exit"; the next scan records an exit."""

from __future__ import annotations

import pytest

from tests.realwindow.conftest import DeskFactory
from tests.realwindow.desk import (
    EXIT_ORANGE,
    Template,
    expect_recorded,
    mode_buttons,
    scan,
    stored_setting,
)
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import poll

pytestmark = pytest.mark.realwindow


# The switch is a mouse click and the scan path is the one test_ime_scans covers under every
# input method; one desk with ibus (the usual Chinese Linux desk) is enough here.
@pytest.mark.parametrize("ime", ["ibus"], indirect=True)
def test_exit_mode_records_direction_out(new_desk: DeskFactory, template: Template,
                                         ime: InputMethod) -> None:
    desk = new_desk(f"RW exits {ime.name}")
    person, other = template.people[0], template.people[1]
    expect_recorded(desk, scan(desk, person.code), person, direction="in")

    buttons = mode_buttons(desk)
    assert buttons is not None, "cannot find the Entry/Exit switch on screen (no checked Entry button)"
    (_, _), (ex, ey) = buttons
    desk.session.click(ex, ey)  # the buttons take no focus: the scanner keeps the keyboard
    poll(lambda: stored_setting(desk.db, "direction") == "out", 5, what="exit mode to be saved")
    poll(lambda: desk.session.find_block(EXIT_ORANGE, region=(ex - 40, ey - 20, 80, 40)) is not None, 5,
         what="the Exit button to show checked (orange)")

    expect_recorded(desk, scan(desk, person.code), person, direction="out")
    # A scan right after the click, of someone not inside: still an exit, still recorded.
    expect_recorded(desk, scan(desk, other.token, delay_ms=0), other, direction="out")
