"""An import pauses the garbage collector (and keeps the objects there before it out of its passes)
while it runs, and resumes it when it ends, whether it finished, failed or was cancelled."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.services import importing
from checkin_app.services.importing import ImportCancelled, ImportOptions, ImportService
from checkin_app.storage.db import Database


def _file(tmp_path: Path, n: int) -> Path:
    lines = ["报名编号,姓名,单位,类别"] + [f"B{i:04d},张伟{i},重庆大学,参会者" for i in range(n)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("nothing_frozen")
def test_frozen_while_importing_and_thawed_after(demo_db: Database, clock: FixedClock,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "CHUNK", 20)
    assert gc.get_freeze_count() == 0
    frozen_during: list[int] = []
    svc = ImportService(demo_db, clock)

    enabled_during: list[bool] = []

    def progress(_stage: str, _done: int, _total: int) -> None:
        frozen_during.append(gc.get_freeze_count())
        enabled_during.append(gc.isenabled())

    result = svc.apply(_file(tmp_path, 5000), ImportOptions(source="people"), progress=progress)
    assert result.counts.new == 5000
    assert max(frozen_during) > 0  # the objects before the import were out of the passes
    assert not all(enabled_during)  # and the collector paused
    assert gc.get_freeze_count() == 0 and gc.isenabled()

    calls = iter(range(10**6))
    with pytest.raises(ImportCancelled):
        svc.apply(_file(tmp_path, 200), ImportOptions(source="people"),
                  cancelled=lambda: next(calls) > 100)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
