"""Desk-window fixtures: bundled fonts once, a demo event with its sample codes, a ready window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.types import ScanResult
from checkin_app.services.catalog import CatalogService
from checkin_app.storage.db import Database
from checkin_app.ui.app import apply_app_font, load_fonts
from checkin_app.ui.main_window import MainWindow
from checkin_app.ui.sync_status import SyncDesk
from tests.audio import AudioServer, private_pulse

DESK = "Test desk 1"


@pytest.fixture(scope="session", autouse=True)
def audio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AudioServer]:
    """A private PulseAudio null sink before Qt first looks for audio, and the user's settings (sound,
    geometry) in a temporary folder: desk windows play their sounds as on a real desk, unheard."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("settings")))
    with private_pulse(tmp_path_factory.mktemp("pulse")) as server:
        yield server


@pytest.fixture(scope="session")
def app_fonts(qapp: QApplication) -> list[str]:
    """Register the bundled fonts once, as run_gui does."""
    families = load_fonts()
    apply_app_font(qapp, families)
    return families


@dataclass
class Demo:
    """A demo database and the labelled sample codes build_demo reports."""

    db: Database
    samples: dict[str, str]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The 300-delegate demo event, with its samples (the shared demo_db fixture hides them)."""
    from checkin_app.demo.build import build_demo

    database = Database(tmp_path / "demo.sqlite3")
    summary = build_demo(database, size=300, seed=7)
    yield Demo(database, dict(summary.samples))
    database.close()


@dataclass
class Desk:
    """A ready desk window and what tests need around it."""

    window: MainWindow
    samples: dict[str, str]
    clock: FixedClock
    db: Database
    qtbot: QtBot

    def scan(self, code: str, end: Qt.Key | None = Qt.Key.Key_Return,
             timeout: int = 5000) -> ScanResult:
        """Type `code` into the real scan field, end it, and wait for the verdict."""
        w = self.window
        with self.qtbot.waitSignal(w.controller.scanFinished, timeout=timeout) as blocker:
            self.qtbot.keyClicks(w.scan_field, code)
            if end is not None:
                self.qtbot.keyClick(w.scan_field, end)
        result = blocker.args[0] if blocker.args else None
        assert isinstance(result, ScanResult)
        return result

    def switch_activity(self, code: str) -> None:
        """Switch the desk's activity and wait until it is stored."""
        with self.qtbot.waitSignal(self.window.controller.settingsSaved, timeout=5000):
            self.window.switch_activity(code)


def sync_of(window: MainWindow) -> SyncDesk:
    """The window's sync part (a desk core that talks to a hub has one)."""
    assert window.sync is not None
    return window.sync


def make_window(qtbot: QtBot, core: DeskCore, **kwargs: Any) -> MainWindow:
    """A started desk window, registered with qtbot; waits until it is ready to scan."""
    window = MainWindow(core, **kwargs)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.readyToScan, timeout=10000):
        window.start()
    return window


@pytest.fixture
def configured(demo: Demo, clock: FixedClock) -> Demo:
    """The demo with a desk name and the main entrance chosen."""
    CatalogService(demo.db, clock).save_settings(desk_name=DESK, activity_code="MAIN",
                                                 language="zh")
    return demo


@pytest.fixture
def make_desk(qtbot: QtBot, configured: Demo, clock: FixedClock, app_fonts: list[str]
              ) -> Iterator[Callable[..., Desk]]:
    """Build a desk; `core(db, clock)` builds its core with replaced services (slow or failing
    fakes passed to DeskCore)."""
    windows: list[MainWindow] = []

    def build(core: Callable[[Database, FixedClock], DeskCore] | None = None, **kwargs: Any
              ) -> Desk:
        made = core(configured.db, clock) if core is not None else DeskCore(configured.db, clock)
        window = make_window(qtbot, made, **kwargs)
        windows.append(window)
        return Desk(window, configured.samples, clock, configured.db, qtbot)

    yield build
    # Finish queued writes before the database closes (the demo fixture tears down after us).
    for w in windows:
        w.shutdown()
        w.close()


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    """A ready desk at the main entrance with the real services."""
    return make_desk()
