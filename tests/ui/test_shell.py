"""Window parts work with any Shell: driven here by a small fake, not by MainWindow; ui/ stays clean."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget, QToolBar, QWidget
from pytestqt.qtbot import QtBot

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.types import ActivityInfo
from checkin_app.services.conflicts import ConflictItem, ConflictService
from checkin_app.ui.conflicts_ui import ConflictsDesk
from checkin_app.ui.conflicts_view import ConflictsPanel
from checkin_app.ui.controller import DeskController
from checkin_app.ui.recent_view import RecentPanel
from checkin_app.ui.shell import ManagerAction, MenuPlace, Shell
from checkin_app.ui.sync_status import SyncDesk
from tests.ui.conftest import Demo

UI = Path(__file__).resolve().parents[2] / "checkin_app" / "ui"


class FakeShell:
    """The least a part needs: a top widget, bars, tabs, and a record of what was asked."""

    def __init__(self, core: DeskCore) -> None:
        self.top = QWidget()
        self.controller = DeskController(core, self.top)
        self.toolbar = QToolBar(self.top)
        self.lower_tabs = QTabWidget(self.top)
        self.language = "en"
        self.activities: list[ActivityInfo] = []
        self.menu_bar = QMenuBar(self.top)
        self.status_bar = QStatusBar(self.top)
        self.desk_actions: list[tuple[MenuPlace, str]] = []
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.focus_calls = 0

    def window(self) -> QWidget:
        return self.top

    def menuBar(self) -> QMenuBar:
        return self.menu_bar

    def statusBar(self) -> QStatusBar:
        return self.status_bar

    def add_desk_actions(self, actions: list[QAction], place: MenuPlace) -> None:
        self.desk_actions.extend((place, a.text()) for a in actions)

    def require_manager(self, zh: str, en: str, action: ManagerAction) -> None:
        self.asked.append(en)
        action("Li Lei")  # as if the PIN had been typed

    def show_error(self, message: str) -> None:
        self.errors.append(message)

    def focus_scanner(self) -> None:
        self.focus_calls += 1


def _shell(qtbot: QtBot, core: DeskCore) -> FakeShell:
    shell = FakeShell(core)
    qtbot.addWidget(shell.top)
    return shell


def test_conflicts_part_loads_and_titles_its_tab_through_a_fake_shell(
        qtbot: QtBot, demo: Demo, clock: FixedClock) -> None:
    core = DeskCore(demo.db, clock)
    shell = _shell(qtbot, core)
    as_shell: Shell = shell  # the fake is a Shell as far as the type checker is concerned
    panel, recent = ConflictsPanel(), RecentPanel()
    shell.lower_tabs.addTab(panel, "")
    part = ConflictsDesk(as_shell, panel, core.conflicts, None, recent)
    with qtbot.waitSignal(part.loaded, timeout=5000) as seen:
        shell.controller.load_bootstrap()  # bootstrapped → the part reloads
    assert seen.args == [0, 0]
    assert shell.lower_tabs.tabText(0).startswith("Conflicts")
    assert shell.errors == []
    shell.controller.shutdown()


class _Broken(ConflictService):
    def conflicts(self) -> list[ConflictItem]:
        raise RuntimeError("disk unplugged")


def test_a_failing_part_reports_through_the_shell(qtbot: QtBot, demo: Demo,
                                                  clock: FixedClock) -> None:
    core = DeskCore(demo.db, clock, conflicts=_Broken(demo.db))
    shell = _shell(qtbot, core)
    panel = ConflictsPanel()
    shell.lower_tabs.addTab(panel, "")
    part = ConflictsDesk(shell, panel, core.conflicts, None, RecentPanel())
    part.reload()
    qtbot.waitUntil(lambda: bool(shell.errors), timeout=5000)
    assert "disk unplugged" in shell.errors[0] and "Operation failed" in shell.errors[0]
    shell.controller.shutdown()


def test_sync_part_puts_its_actions_in_the_shell_and_opens_bundles_behind_the_pin(
        qtbot: QtBot, demo: Demo, clock: FixedClock) -> None:
    core = DeskCore(demo.db, clock)
    shell = _shell(qtbot, core)
    counts = QWidget(shell.top)
    part = SyncDesk(shell, core, counts=counts)
    try:
        assert [place for place, _ in shell.desk_actions] == ["top", "top"]
        assert "Connect to hub" in shell.desk_actions[0][1]
        qtbot.waitUntil(lambda: part.label.status is not None, timeout=5000)
        assert core.sync is None and "No hub" in part.label.text()  # standalone, in English
        part.bundle_action.trigger()
        assert shell.asked == ["USB stick bundles"]
        dlg = part.bundle_dialog
        assert dlg is not None
        dlg.reject()
        assert part.bundle_dialog is None and shell.focus_calls == 1
    finally:
        part.stop()
        shell.controller.shutdown()


# What must never come back into ui/: the database, sessions, service constructors, and the
# window probed or patched at run time.
FORBIDDEN = [
    (re.compile(r"\bDatabase\b"), "names Database"),
    (re.compile(r"\bSession\b"), "names Session"),
    (re.compile(r"\b(?:CheckIn|Catalog|Search|Badge|Pin|Import|Conflict|Key|Audit)Service\("),
     "constructs a service"),
    (re.compile(r"\b(?:DeskSync|PrinterState|DeskCore)\("), "builds the core's parts"),
    (re.compile(r"\b(?:get|has|set)attr\((?:self\.)?window\b"), "probes the window"),
    (re.compile(r"\b(?:get|has)attr\(self,"), "probes itself"),
    (re.compile(r"type: ignore\[attr-defined\]"), "patches attributes in"),
    (re.compile(r"from checkin_app\.storage\b"), "imports storage"),
]


def offences(text: str) -> list[str]:
    """Every forbidden thing in one file's text, with its line number."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for pattern, what in FORBIDDEN:
            if pattern.search(line):
                found.append(f"{n}: {what}: {line.strip()}")
    return found


def test_the_checker_sees_each_forbidden_thing() -> None:
    bad = ("from checkin_app.storage.db import Database\n"
           "with Session(engine) as s: pass\n"
           "service = CheckInService(db, clock)\n"
           "sync = DeskSync(db)\n"
           "label = getattr(window, 'sync_label', None)\n"
           "if hasattr(self.window, 'manager'): pass\n"
           "failed = getattr(self, '_failed', 0)\n"
           "window.x = 1  # type: ignore[attr-defined]\n")
    assert len(offences(bad)) == 9  # the first line is two offences
    assert offences("self.session = ManagerSession(core.clock)\nQFontDatabase.addApplicationFont(p)\n"
                    "self.pins = core.pins\n") == []


def test_no_ui_file_touches_the_database_or_probes_the_window() -> None:
    found = {p.name: offences(p.read_text(encoding="utf-8")) for p in sorted(UI.glob("*.py"))}
    assert {name: lines for name, lines in found.items() if lines} == {}
