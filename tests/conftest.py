"""Shared fixtures: offscreen Qt, a fresh database per test, a small seeded demo event."""

from __future__ import annotations

import os

# Must be set before any Qt import so no test ever needs a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import CodeType
from zoneinfo import ZoneInfo

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Tests that start processes of their own are marked `slow` here, in one place, so no test file needs
# a marker: `make test-fast` (-m "not slow") leaves them out, `make test` and CI run them all.
# - everything under tests/realwindow (the real desk under Xvfb with an input method);
# - the organiser's guide, run as written with its own hub process, and the wheel built and installed by pip;
SLOW_MODULES = {"test_organiser_guide.py"}
SLOW_TESTS = {"test_wheel_contains_resources_and_finds_them_when_installed"}
# - every test that starts a hub process (tests.hub.support.HubProcess), itself or through a fixture,
#   also one asked for by name (`request.getfixturevalue("make_rig")`, tests/sync/conftest.py).
SLOW_NAMES = {"HubProcess", "make_rig"}


def _names(code: CodeType) -> set[str]:
    """The names and strings a function's code uses, its nested functions' (a fixture's `build`) too."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
        elif isinstance(const, str):
            names.add(const)
    return names


def _starts_processes(item: pytest.Item) -> bool:
    path = Path(str(item.path))
    function = getattr(item, "function", None)
    if "realwindow" in path.parts or path.name in SLOW_MODULES:
        return True
    if getattr(function, "__name__", "") in SLOW_TESTS:
        return True
    functions: list[object] = [function]
    if isinstance(item, pytest.Function):
        # Every fixture the test uses, with the fixtures those use: pytest keeps their definitions
        # here (no public API lists them). Read directly, so a pytest that moves it fails loudly.
        for defs in item._fixtureinfo.name2fixturedefs.values():
            functions += [d.func for d in defs]
    codes = [getattr(f, "__code__", None) for f in functions]
    return any(SLOW_NAMES & _names(c) for c in codes if isinstance(c, CodeType))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that start processes of their own as `slow`."""
    slow = pytest.mark.slow
    for item in items:
        if _starts_processes(item):
            item.add_marker(slow)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite file."""
    database = Database(tmp_path / "desk.sqlite3")
    yield database
    database.close()


@pytest.fixture
def deferred_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 'big' import from a few rows: checked on the big-file path, its search keys deferred
    (search.defer_index, from 2 people on), built later in this process."""
    from checkin_app.services import importing, search

    monkeypatch.setattr(importing, "BULK_BYTES", 0)
    monkeypatch.setattr(search, "DEFER_INDEX", 2)
    monkeypatch.setattr(search, "BULK_WORKERS", 0)


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    """The garbage collector on with nothing frozen for the test (an in-process hub of an earlier
    test froze what it had loaded: hub/app.py), and as it was again after."""
    import gc

    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    if frozen:
        gc.freeze()
    if not enabled:
        gc.disable()


@pytest.fixture
def clock() -> FixedClock:
    """Main conference day, 09:30 Chongqing time: the main entrance and morning sessions are open."""
    return FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=SHANGHAI))


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding a small deterministic demo event (300 delegates)."""
    from checkin_app.demo.build import build_demo

    database = Database(tmp_path / "demo.sqlite3")
    build_demo(database, size=300, seed=7)
    yield database
    database.close()
