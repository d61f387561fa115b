"""The real desk process under test: its database, its trace file, and what it recorded.

The desk is started as `python -m checkin_app gui --db DB --clock CLOCK` (what the
`checkin-app` script runs) from the source tree named by CHECKIN_RW_SRC (default: this
checkout), so the same tests can be pointed at an older commit exported with `git archive`.

Assertions come from the SQLite file (table `checkins`); the trace file (CHECKIN_TRACE, one JSON
object a line) is used where the database cannot tell: readiness, the source of a scan, refusals,
focus. A desk without the trace hook is still driven, with the database as the only witness.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.realwindow.xsession import SCREEN, Proc, SessionError, XSession, poll, run, spawn

REPO = Path(__file__).resolve().parents[2]
SRC = Path(os.environ.get("CHECKIN_RW_SRC") or REPO).resolve()
CLOCK = "2024-11-23T09:20"  # rehearsal clock inside opening hours of the main day
DEMO_SIZE, DEMO_SEED = 300, 1

# Run inside the source tree under test: the delegates a MAIN desk admits at CLOCK, with the
# signed badge token of each (what the demo desk's own key signs), on a throw-away copy.
_PICK_SNIPPET = r"""
import json, shutil, sys, tempfile
from pathlib import Path
from sqlalchemy import select
from checkin_app.cli.common import parse_clock
from checkin_app.services.badge_codes import badge_code
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

src, want = Path(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    copy = Path(tmp) / "pick.sqlite3"
    shutil.copy(src, copy)
    db = Database(copy)
    svc = CheckInService(db, parse_clock(sys.argv[3]))
    with db.read() as s:
        rows = s.execute(select(m.Delegate.id, m.Delegate.registration_code, m.Delegate.name_latin,
                                m.Delegate.name_native).order_by(m.Delegate.id)).all()
    picked = []
    for did, code, latin, native in rows:
        r = svc.scan(code, activity_code="MAIN", desk="pick", operator="pick", direction="in")
        if r.verdict.value == "ADMIT" and r.event is not None:
            picked.append({"id": did, "code": code, "name_latin": latin, "name_native": native})
        if len(picked) >= want:
            break
    db.close()
db = Database(src)
with db.read() as s:
    for p in picked:
        p["token"] = badge_code(s, p["id"])
db.close()
print(json.dumps(picked, ensure_ascii=False))
"""


@dataclass(frozen=True)
class Person:
    """A delegate the MAIN desk admits at CLOCK."""

    id: int
    code: str
    token: str
    name_latin: str
    name_native: str


@dataclass
class Template:
    """The demo event database every desk in the session starts from (copied per desk)."""

    path: Path
    people: list[Person]


def python_env(base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def build_template(folder: Path, env: dict[str, str], want: int = 80) -> Template:
    """`checkin-app demo --size 300 --seed 1`, then the admissible delegates and their tokens."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.sqlite3"
    penv = python_env(env)
    run([sys.executable, "-m", "checkin_app", "demo", "--db", str(db), "--size", str(DEMO_SIZE),
         "--seed", str(DEMO_SEED), "--if-missing"], penv, timeout=120, cwd=SRC)
    out = run([sys.executable, "-c", _PICK_SNIPPET, str(db), str(want), CLOCK], penv, timeout=120,
              cwd=SRC).stdout
    people = [Person(**p) for p in json.loads(out)]
    if len(people) < 40:
        raise SessionError(f"the demo gave only {len(people)} admissible delegates")
    return Template(db, people)


def sql(db: Path, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """A read-only query on a database the desk may be writing (WAL: readers never block)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
        return c.execute(query, args).fetchall()


def write_settings(db: Path, **settings: str) -> None:
    """Desk settings as the set-up dialog stores them (table desk_settings, key → value)."""
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as c, c:
        for key, value in settings.items():
            c.execute("INSERT OR REPLACE INTO desk_settings(key, value) VALUES (?, ?)", (key, value))


def desk_db(template: Template, folder: Path, name: str, *, direction: str = "in",
            configured: bool = True) -> Path:
    """A copy of the demo event; with `configured`, desk settings as the set-up dialog saves them."""
    db = folder / f"{name.replace(' ', '_')}.sqlite3"
    shutil.copy(template.path, db)
    if configured:
        write_settings(db, desk_name=name, activity_code="MAIN", direction=direction, language="zh")
    return db


@dataclass
class CheckInRow:
    id: int
    delegate_id: int
    activity: str
    direction: str
    verdict: str
    desk: str


@dataclass
class Desk:
    """One running desk window."""

    session: XSession
    env: dict[str, str]
    db: Path
    workdir: Path
    name: str
    proc: Proc | None = None
    trace_path: Path = field(init=False)
    wid: int = 0
    trace_supported: bool = False
    launched: float = 0.0

    def __post_init__(self) -> None:
        self.trace_path = self.workdir / f"trace-{self.name.replace(' ', '_')}.jsonl"

    # -- life cycle ------------------------------------------------------------------------
    def launch(self) -> Desk:
        """Start the process (no waiting)."""
        env = python_env(self.env)
        env["CHECKIN_TRACE"] = str(self.trace_path)
        # A new laptop: no remembered window geometry from an earlier desk in this session.
        geometry = Path(env["XDG_CONFIG_HOME"]) / "checkin-desk"
        shutil.rmtree(geometry, ignore_errors=True)
        self.proc = spawn(f"desk-{self.name.replace(' ', '_')}",
                          [sys.executable, "-m", "checkin_app", "gui", "--db", str(self.db),
                           "--clock", CLOCK], env, self.session.logdir, cwd=SRC)
        self.launched = time.monotonic()
        return self

    def start(self, timeout: float = 40.0) -> Desk:
        """Start and wait until the window is shown and ready to scan, with keyboard focus."""
        self.launch()
        self.wid = self.wait_window(self.name, timeout)
        self.wait_ready(timeout)
        self.focus()
        return self

    def wait_window(self, title: str, timeout: float = 40.0) -> int:
        """The visible window of this process whose title contains `title`."""
        assert self.proc is not None

        def find() -> int:
            if not self.proc or not self.proc.alive():
                raise SessionError(f"desk exited with {self.proc.popen.returncode if self.proc else '?'}:"
                                   f"\n{self.proc.tail() if self.proc else ''}")
            for wid in self.session.windows(pid=self.proc.pid):
                if title in self.session.window_name(wid):
                    return wid
            return 0

        return poll(find, timeout, interval=0.1, what=f"a desk window titled {title!r}")

    def wait_ready(self, timeout: float = 40.0) -> None:
        """Until the trace says ready; a desk without the trace hook gets a short grace instead."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if any(e["ev"] == "ready" for e in self.trace()):
                self.trace_supported = True
                return
            if not self.trace_path.exists() and time.monotonic() - self.launched > 8:
                time.sleep(1.0)  # no trace at all 8 s after start: an app from before the hook
                return
            if self.proc and not self.proc.alive():
                raise SessionError(f"desk exited:\n{self.proc.tail()}")
            time.sleep(0.05)
        raise TimeoutError(f"desk {self.name} not ready after {timeout} s:\n"
                           f"{self.proc.tail() if self.proc else ''}")

    def focus(self) -> None:
        """Give the desk window the X keyboard focus, as clicking its title bar would."""
        if self.wid:
            self.session.activate(self.wid)
            poll(lambda: self.session.active_window() == self.wid, 5,
                 what="the desk window to be the active window")

    def alive(self) -> bool:
        return bool(self.proc and self.proc.alive())

    def stop(self) -> int | None:
        return self.proc.stop() if self.proc else None

    # -- what it did -----------------------------------------------------------------------
    def trace(self) -> list[dict[str, Any]]:
        try:
            text = self.trace_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                out.append(json.loads(line))
        return out

    def last_checkin_id(self) -> int:
        return int(sql(self.db, "SELECT COALESCE(MAX(id), 0) FROM checkins")[0][0])

    def checkins_after(self, after_id: int) -> list[CheckInRow]:
        rows = sql(self.db, "SELECT c.id, c.delegate_id, a.code, c.direction, c.verdict, c.desk "
                            "FROM checkins c JOIN activities a ON a.id = c.activity_id "
                            "WHERE c.id > ? ORDER BY c.id", after_id)
        return [CheckInRow(*r) for r in rows]

    def snapshot(self, path: Path) -> Path | None:
        return self.session.screenshot(path)


def delegate_id_for(db: Path, code: str) -> int:
    rows = sql(db, "SELECT id FROM delegates WHERE registration_code = ?", code.upper())
    if not rows:
        raise KeyError(code)
    return int(rows[0][0])


@dataclass(frozen=True)
class Mark:
    """Where the database and the trace stood before an action."""

    checkin_id: int
    trace_len: int
    typed: str = ""


def mark(desk: Desk, typed: str = "") -> Mark:
    return Mark(desk.last_checkin_id(), len(desk.trace()), typed)


def events_since(desk: Desk, m: Mark, ev: str | None = None) -> list[dict[str, Any]]:
    return [e for e in desk.trace()[m.trace_len:] if ev is None or e["ev"] == ev]


def scan(desk: Desk, text: str, delay_ms: int = 3, end: str | None = "Return") -> Mark:
    """A keyboard-wedge scanner: the code at `delay_ms` per key, then the terminator key."""
    m = mark(desk, text)
    desk.session.type(text, delay_ms)
    if end:
        desk.session.key(end)
    return m


def expect_recorded(desk: Desk, m: Mark, person: Person, direction: str = "in",
                    activity: str = "MAIN", timeout: float = 8.0) -> CheckInRow:
    """Exactly one new check-in, of `person`, at `activity`, in `direction`."""

    def seen() -> str:
        return (f"typed {m.typed!r}; new check-ins: {desk.checkins_after(m.checkin_id)}; "
                f"trace since: {events_since(desk, m)}")

    def answered() -> bool:
        if desk.checkins_after(m.checkin_id):
            return True
        # The desk already said no (a refusal, or the input method warning): no use waiting.
        return any(e["ev"] == "ime_warning" or (e["ev"] == "verdict" and not e.get("recorded"))
                   for e in events_since(desk, m))

    with contextlib.suppress(TimeoutError):
        poll(answered, timeout, what="a recorded check-in")
    if not desk.checkins_after(m.checkin_id):
        raise AssertionError(f"nothing recorded for {person.code} (id {person.id}) "
                             f"(waited up to {timeout} s); {seen()}") from None
    # A code split in two would record a second event (or a refusal) right after the first.
    if desk.trace_supported:
        with contextlib.suppress(TimeoutError):
            poll(lambda: len(events_since(desk, m, "verdict")) >= len(events_since(desk, m, "scan")),
                 3, what="")
    time.sleep(0.1 if desk.trace_supported else 0.3)
    rows = desk.checkins_after(m.checkin_id)
    assert len(rows) == 1, f"expected one check-in of {person.code}; {seen()}"
    assert not events_since(desk, m, "ime_warning"), f"the desk warned of an input method; {seen()}"
    row = rows[0]
    assert (row.delegate_id, row.activity, row.direction) == (person.id, activity, direction), (
        f"wrong check-in recorded for {person.code} (id {person.id}, {direction}): {seen()}")
    if desk.trace_supported:
        scans = events_since(desk, m, "scan")
        assert len(scans) == 1, f"expected one scan in the trace; {seen()}"
        verdicts = events_since(desk, m, "verdict")
        assert [v.get("delegate_id") for v in verdicts] == [person.id], seen()
    return row


# Colours of the desk's own style (ui/mode_switch.py, ui/style.py), to find things on screen.
ENTRY_BLUE = (0x15, 0x65, 0xC0)  # the checked "入场 Entry" button
EXIT_ORANGE = (0xE6, 0x51, 0x00)  # the checked "离场 Exit" button
STATUS_BAR = (0x26, 0x32, 0x38)


def mode_buttons(desk: Desk) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Centres of the Entry and Exit buttons (the checked one is a filled block of its colour;
    the two are the same size, side by side), from a screenshot of the desk window."""
    x, y, w, h = desk.session.client_geometry(desk.wid)
    region = (x, y, w * 2 // 3, h // 2)  # the scan card's header, upper left of the window
    entry = desk.session.find_block(ENTRY_BLUE, region=region)
    if entry is not None:
        x0, y0, x1, y1 = entry
        cy = (y0 + y1) // 2
        return ((x0 + x1) // 2, cy), (x1 + (x1 - x0) // 2 + 2, cy)
    exit_ = desk.session.find_block(EXIT_ORANGE, region=region)
    if exit_ is not None:
        x0, y0, x1, y1 = exit_
        cy = (y0 + y1) // 2
        return (x0 - (x1 - x0) // 2 - 2, cy), ((x0 + x1) // 2, cy)
    return None


def stored_setting(db: Path, key: str) -> str | None:
    rows = sql(db, "SELECT value FROM desk_settings WHERE key = ?", key)
    return str(rows[0][0]) if rows else None


def search_text(desk: Desk) -> str:
    """What the search box holds, read the way a person would: Ctrl+F (selects it), Ctrl+C.
    Leaves the focus in the search box."""
    s = desk.session
    sentinel = f"<nothing copied {time.monotonic()}>"
    holder = spawn("xclip-sentinel", ["xclip", "-selection", "clipboard", "-i", "-quiet"],
                   s.env, s.logdir, stdin_text=sentinel)
    try:
        poll(lambda: s.clipboard() == sentinel, 5, what="the clipboard sentinel")
        s.key("ctrl+f")
        s.key("ctrl+c")
        try:
            poll(lambda: s.clipboard() != sentinel, 1.5, what="")
        except TimeoutError:
            return ""
        return s.clipboard()
    finally:
        holder.stop()


BUTTON_BORDER = (0x90, 0xA4, 0xAE)  # QPushButton border; also the fill of a disabled primary button


def hanzi_button(desk: Desk) -> tuple[int, int] | None:
    """Centre of the search box's "汉字" toggle: the plain button just left of the disabled
    "签到" (check-in) button, found by its two vertical border lines on the middle row."""
    found = _find_search_row(desk)
    return found[0] if found else None


def search_box_point(desk: Desk) -> tuple[int, int] | None:
    """A point inside the search box (just left of the 汉字 button), to click into it."""
    found = _find_search_row(desk)
    return found[1] if found else None


def _find_search_row(desk: Desk) -> tuple[tuple[int, int], tuple[int, int]] | None:
    # The check-in button is grey (disabled) once the results of an earlier search are gone.
    try:
        return poll(lambda: _search_row(desk), 3, interval=0.2, what="")
    except TimeoutError:
        return None


def _search_row(desk: Desk) -> tuple[tuple[int, int], tuple[int, int]] | None:
    s = desk.session
    x, y, w, h = s.client_geometry(desk.wid)
    data = s.screen_rgb()
    checkin = s.find_block(BUTTON_BORDER, min_w=30, min_h=15, region=(x + w // 2, y, w // 2, h // 2),
                           data=data)
    if checkin is None:
        return None
    x0, y0, _x1, y1 = checkin
    cy = (y0 + y1) // 2
    width = SCREEN[0]
    borders: list[int] = []
    for px in range(x0 - 1, max(x, x0 - 200), -1):
        i = (cy * width + px) * 3
        if tuple(data[i:i + 3]) == BUTTON_BORDER and (not borders or borders[-1] - px > 1):
            borders.append(px)
            if len(borders) == 2:
                break
    if len(borders) < 2 or borders[0] - borders[1] < 20:
        return None
    return ((borders[0] + borders[1]) // 2, cy), (borders[1] - 60, cy)
