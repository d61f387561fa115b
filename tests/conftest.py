"""Shared fixtures: offscreen Qt, a fresh database per test, a small seeded demo event."""

from __future__ import annotations

import os

# Must be set before any Qt import so no test ever needs a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite file."""
    database = Database(tmp_path / "desk.sqlite3")
    yield database
    database.close()


@pytest.fixture
def clock() -> FixedClock:
    """Main conference day, 09:30 Chongqing time: the main entrance and morning sessions are open."""
    return FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=SHANGHAI))


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding a small deterministic demo event (300 delegates)."""
    from checkin_app.services.demo import build_demo

    database = Database(tmp_path / "demo.sqlite3")
    build_demo(database, size=300, seed=7)
    yield database
    database.close()
