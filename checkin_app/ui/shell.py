"""The window shell: what a part of the desk window (badges, manager, sync, conflicts) may use of it.

Parts take a Shell, never the MainWindow, so none of them imports the window (no import circle) and a
test can drive one with a small fake. MainWindow implements it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget, QToolBar, QWidget

from checkin_app.domain.types import ActivityInfo
from checkin_app.ui.controller import DeskController

# Where a part's actions go in the desk menu: with the hub and search entries at the top, or
# with the manager's entries just above Quit.
MenuPlace = Literal["top", "bottom"]
ManagerAction = Callable[[str], None]


class Shell(Protocol):
    """The desk window as its parts see it."""

    @property
    def controller(self) -> DeskController:
        """The desk's use cases and their signals (scans, settings, counts…)."""
        ...

    @property
    def toolbar(self) -> QToolBar:
        """The top bar: the event's name, then actions and state labels."""
        ...

    @property
    def lower_tabs(self) -> QTabWidget:
        """Recent scans, badge printing and conflicts share these tabs."""
        ...

    @property
    def language(self) -> str:
        """The UI language now: "zh" or "en"."""
        ...

    @property
    def activities(self) -> list[ActivityInfo]:
        """The event's activities as last loaded."""
        ...

    def window(self) -> QWidget:
        """The top-level widget: the parent of a part's dialogs and actions."""
        ...

    def menuBar(self) -> QMenuBar:
        """The window's menu bar (a part may add its own menu)."""
        ...

    def statusBar(self) -> QStatusBar:
        """The window's status bar (a part may add a permanent label)."""
        ...

    def add_desk_actions(self, actions: list[QAction], place: MenuPlace) -> None:
        """Put a part's actions into the desk menu."""
        ...

    def require_manager(self, zh: str, en: str, action: ManagerAction) -> None:
        """Run `action(manager)` behind the manager PIN (`zh`/`en` say what it is for)."""
        ...

    def show_error(self, message: str) -> None:
        """A bilingual message in the status bar ("" clears it)."""
        ...

    def focus_scanner(self) -> None:
        """Give the keyboard back to the scan field."""
        ...
