"""The desk window on a 1366×768 laptop screen with a window manager's title bar (openbox)."""

from __future__ import annotations

import pytest

from tests.realwindow.conftest import DeskFactory
from tests.realwindow.desk import STATUS_BAR, Desk
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import SCREEN, poll, run

pytestmark = pytest.mark.realwindow


def net_wm_state(desk: Desk) -> str:
    return run(["xprop", "-id", str(desk.wid), "_NET_WM_STATE"], desk.session.env, check=False).stdout


def settled_frame(desk: Desk) -> tuple[int, int, int, int]:
    """The frame geometry once it stops changing (the desk may re-place itself after showing)."""
    last: list[tuple[int, int, int, int]] = []

    def stable() -> tuple[int, int, int, int] | None:
        g = desk.session.frame_geometry(desk.wid)
        last.append(g)
        return g if len(last) >= 4 and len(set(last[-4:])) == 1 else None

    return poll(stable, 10, interval=0.25, what="the window geometry to settle")


def assert_fits(desk: Desk, what: str) -> None:
    x, y, w, h = settled_frame(desk)
    cx, cy, cw, ch = desk.session.client_geometry(desk.wid)
    state = net_wm_state(desk)
    assert x >= 0 and y >= 0 and x + w <= SCREEN[0] and y + h <= SCREEN[1], (
        f"{what}: window frame {w}×{h} at ({x},{y}) does not fit the {SCREEN[0]}×{SCREEN[1]} screen "
        f"(client {cw}×{ch} at ({cx},{cy}); {state.strip()})")
    assert cy > y, f"{what}: no title bar above the client area (frame y {y}, client y {cy})"
    # The status bar (dark strip, bottom of the client area) is on screen.
    bar = desk.session.find_block(STATUS_BAR, min_w=200, min_h=10, region=(cx, cy + ch - 60, cw, 60))
    assert bar is not None and bar[3] < SCREEN[1], f"{what}: status bar not visible; {state.strip()}"


@pytest.mark.parametrize("ime", ["none"], indirect=True)
def test_window_fits_the_screen_unmaximised(new_desk: DeskFactory, ime: InputMethod) -> None:
    desk = new_desk("RW fits")
    if "MAXIMIZED" in net_wm_state(desk):
        # The question is the normal (unmaximised) window: take maximised away, as a double
        # click on the title bar would.
        run(["wmctrl", "-i", "-r", str(desk.wid), "-b", "remove,maximized_vert,maximized_horz"],
            desk.session.env)
        poll(lambda: "MAXIMIZED" not in net_wm_state(desk), 5, what="the window to unmaximise")
    assert_fits(desk, "as opened")
