"""The desk builds the name index a big import left pending: at start and after an import, off
the GUI thread, with its progress beside the search hint; scanning goes on meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing, search
from checkin_app.services.importing import ImportService
from tests.ui.conftest import Demo, Desk


def _deferred_import(db: object, clock: FixedClock, path: Path, rows: str) -> importing.ImportResult:
    path.write_text("报名编号,姓名,类别\n" + rows, encoding="utf-8")
    return ImportService(db, clock).apply(path)  # type: ignore[arg-type]


def test_keys_pending_at_start_are_built(configured: Demo, clock: FixedClock, tmp_path: Path,
                                         deferred_index: None, make_desk: Callable[..., Desk]) -> None:
    result = _deferred_import(configured.db, clock, tmp_path / "a.csv",
                              "N1,欧阳娜娜,参会者\nN2,司马光明,参会者\n")
    assert result.index_pending
    desk = make_desk()
    searcher = search.SearchService(configured.db)
    desk.qtbot.waitUntil(lambda: not searcher.index_pending(), timeout=10000)
    desk.qtbot.waitUntil(lambda: not desk.window.name_index.running, timeout=5000)
    assert not desk.window.search.note.isVisible()
    assert "欧阳娜娜" in [d.name_native for d in searcher.search("oynn")]
    # The label while it runs: the share done in the desk's language, everything in the tooltip.
    note = desk.window.search.note
    desk.window.name_index._on_progress(1, 4)
    assert note.text() == "新导入人员的姓名索引 25%：暂按原文查找" and note.isVisible()
    assert "check-in by code works" in note.toolTip() and "凭码签到不受影响" in note.toolTip()


def test_an_import_with_keys_pending_starts_a_build(configured: Demo, clock: FixedClock,
                                                    tmp_path: Path, deferred_index: None,
                                                    make_desk: Callable[..., Desk]) -> None:
    desk = make_desk()
    desk.qtbot.waitUntil(lambda: not desk.window.name_index.running, timeout=5000)
    result = _deferred_import(configured.db, clock, tmp_path / "b.csv",
                              "M1,上官婉儿,参会者\nM2,诸葛亮,参会者\n")
    assert result.index_pending
    desk.window._on_imported(result)  # what the wizard's `imported` signal calls
    assert desk.window.name_index.running
    # A scan is answered while the keys are built.
    assert desk.scan("M1").admitted
    searcher = search.SearchService(configured.db)
    desk.qtbot.waitUntil(lambda: not searcher.index_pending(), timeout=10000)
    assert "上官婉儿" in [d.name_native for d in searcher.search("sgwe")]
