"""First start of a desk: the set-up dialog, then the desk window, in the same process.

`make run` on a fresh clone builds the demo event (which holds no desk settings) and starts the
desk on it: the set-up dialog comes first. Naming the desk and pressing Return must lead to the
desk window, ready to scan, not to the end of the program.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realwindow.conftest import DeskFactory
from tests.realwindow.desk import Desk, Template, expect_recorded, scan, stored_setting
from tests.realwindow.ime import CJK, InputMethod
from tests.realwindow.xsession import SessionError, poll

pytestmark = pytest.mark.realwindow


def setup_dialog(desk: Desk) -> int:
    assert desk.proc is not None
    wid = poll(lambda: desk.session.windows(pid=desk.proc.pid) if desk.alive() else ["gone"], 40,
               what="the set-up dialog")[0]
    assert wid != "gone", f"the desk exited before showing set-up:\n{desk.proc.tail()}"
    desk.session.activate(int(wid))
    return int(wid)


def desk_window_after_setup(desk: Desk, title: str, dialog: int) -> int:
    """The desk window that must follow the dialog (fails if the process ends instead)."""
    assert desk.proc is not None

    def find() -> int:
        if not desk.alive():
            raise SessionError(f"exit code {desk.proc.popen.returncode}")
        for wid in desk.session.windows(pid=desk.proc.pid):
            if wid != dialog and title in desk.session.window_name(wid):
                return wid
        return 0

    try:
        return poll(find, 20, interval=0.1, what="the desk window after set-up")
    except SessionError as exc:
        pytest.fail(f"the desk process quit after the set-up dialog was accepted ({exc}) instead "
                    f"of showing the desk window; log:\n{desk.proc.tail()}", pytrace=False)


def test_first_start_setup_then_scan(new_desk: DeskFactory, template: Template, ime: InputMethod) -> None:
    desk = new_desk("RW first start", configured=False, start=False)
    assert stored_setting(desk.db, "desk_name") is None  # the demo as `make run` builds it
    dialog = setup_dialog(desk)
    s = desk.session
    if ime.active:
        # A Chinese volunteer names the desk in Chinese: pinyin, Space takes the first candidate.
        # (This also proves the desk process itself is connected to the input method.)
        s.type("dating", 80)
        s.key("space")
        title = "签到台 — "
    else:
        s.type("RW first desk", 30)
        title = "RW first desk"
    s.key("Return")
    desk.wid = desk_window_after_setup(desk, title, dialog)
    desk.wait_ready()
    desk.focus()
    name = stored_setting(desk.db, "desk_name") or ""
    if ime.active:
        assert CJK.search(name), f"desk name {name!r}: the input method did not compose in the dialog"
    else:
        assert name == "RW first desk"
    assert name in s.window_name(desk.wid)
    person = template.people[0]
    expect_recorded(desk, scan(desk, person.code), person)


@pytest.mark.parametrize("ime", ["none"], indirect=True)
def test_first_start_without_event_data_waits_for_data(new_desk: DeskFactory, tmp_path: Path,
                                                       ime: InputMethod) -> None:
    """A new laptop with an empty data folder: set-up says there is no event data yet; Return
    cannot accept it (no activity to choose) and the desk keeps running."""
    db = tmp_path / "empty" / "checkin.sqlite3"
    db.parent.mkdir()
    desk = new_desk("RW empty", db=db, start=False)
    dialog = setup_dialog(desk)
    desk.session.type("RW empty desk", 30)
    desk.session.key("Return")
    with pytest.raises(TimeoutError):
        poll(lambda: not desk.alive(), 2.0, what="")
    assert desk.proc is not None
    assert dialog in desk.session.windows(pid=desk.proc.pid), "the set-up dialog went away"
