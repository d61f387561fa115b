"""Row checks on two cores give every row the outcome one validator gives it, in line order; a
checker process that dies fails the import with a bilingual message instead of hanging."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.importers import parallel
from checkin_app.importers.parallel import ParallelChecker
from checkin_app.importers.readers import ReadError, iter_csv
from checkin_app.importers.rows import RowOptions, RowValidator
from checkin_app.services import importing
from checkin_app.services.importing import ImportOptions, ImportService
from checkin_app.storage.db import Database

_NAMES = ["张伟", "欧阳娜娜", "Đorđe Petrović", "정지민", "测试", "#N/A", "刘?", "", "李雷"]
_COUNTRIES = ["中国", "CN", "Serbia", "大韩民国", "Korea, Republic of", "火星", ""]
_CATEGORIES = ["参会者", "A.嘉宾", "媒体", "Delegate", "不存在", ""]


def _file(tmp_path: Path, n: int, seed: int = 3) -> Path:
    rng = random.Random(seed)
    lines = ["报名编号,姓名,单位,国家/地区,类别,邮箱"]
    for i in range(n):
        if i % 97 == 50:
            lines.append("一、院士专家,,,,,")  # a section row
        elif i % 89 == 40:
            lines.append(",,,,,")
        else:
            code = f"B{rng.randrange(n // 2):05d}"  # some duplicates
            lines.append(f"{code},{rng.choice(_NAMES)},重庆大学,{rng.choice(_COUNTRIES)},"
                         f"{rng.choice(_CATEGORIES)},u{i}@{'x' if i % 7 else '@'}example.cn")
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _validator(db: Database, path: Path) -> tuple[RowValidator, tuple[object, ...]]:
    svc = ImportService(db)
    ins = svc.inspect(path)
    args = (svc.catalog(), ins.headers, ins.mapping, RowOptions(), ins.sheet)
    return RowValidator(*args[:4], sheet=ins.sheet), args  # type: ignore[arg-type]


def _rows(path: Path) -> list[tuple[int, list[object]]]:
    return [(line, list(cells)) for line, cells in iter_csv(path, "utf-8", ",") if line > 1]


def test_outcomes_are_those_of_one_validator_in_line_order(demo_db: Database, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK_ROWS", 37)  # many chunks, split between both sides
    path = _file(tmp_path, 3000)
    serial, args = _validator(demo_db, path)
    expected = [(line, serial.validate(line, cells)) for line, cells in _rows(path)]
    local, _ = _validator(demo_db, path)
    with ParallelChecker(name=path.name) as checker:
        checker.configure(local, *args)  # type: ignore[arg-type]
        got = list(checker.outcomes(_rows(path)))
        assert checker.sent >= 2 and checker.kept >= 1  # both sides checked rows
    assert [line for line, _ in got] == [line for line, _ in expected]
    assert got == expected
    kinds = {o.kind for _, o in got}
    assert {"data", "section", "blank"} <= kinds  # the file has each kind of row


def _kill_worker(pool: object) -> None:
    for pid in list(pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("when", ["before the rows", "between chunks"])
def test_a_checker_that_dies_fails_with_a_message(demo_db: Database, tmp_path: Path, when: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether the pool is already known broken when a chunk is handed over (the CI at
    0c688ad: submit itself raised BrokenProcessPool) or a chunk in the worker is lost."""
    monkeypatch.setattr(parallel, "CHUNK_ROWS", 50)
    path = _file(tmp_path, 500)
    local, args = _validator(demo_db, path)
    with ParallelChecker(name=path.name) as checker:
        checker.configure(local, *args)  # type: ignore[arg-type]
        pool = checker._pool
        assert pool is not None
        pool.submit(os.getpid).result()  # started
        rows = _rows(path)
        if when == "before the rows":
            _kill_worker(pool)
            deadline = time.monotonic() + 30
            while not pool._broken and time.monotonic() < deadline:  # type: ignore[attr-defined]
                time.sleep(0.01)
            assert pool._broken  # type: ignore[attr-defined]
            source: Iterable[tuple[int, list[object]]] = rows
        else:
            def source_gen() -> Iterator[tuple[int, list[object]]]:
                for i, row in enumerate(rows):
                    if i == 60:  # the first chunk is with the worker
                        _kill_worker(pool)
                    yield row
            source = source_gen()
        with pytest.raises(ReadError) as failed:
            list(checker.outcomes(source))
    assert "rows.csv" in failed.value.text("en") and "ended unexpectedly" in failed.value.text("en")
    assert "意外退出" in failed.value.text("zh")


def test_an_import_checked_on_two_cores_is_the_same_import(demo_db: Database, clock: FixedClock,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The same file imported with the checks in one process and on two: the same counts and
    report, and a second import changes nothing."""
    monkeypatch.setattr(importing, "BULK_BYTES", 0)  # the big-file path for a small file
    monkeypatch.setattr(parallel, "CHUNK_ROWS", 50)
    path = _file(tmp_path, 1500)
    svc = ImportService(demo_db, clock)
    monkeypatch.setattr(importing, "PARALLEL_CHECKS", False)
    alone = svc.dry_run(path)
    monkeypatch.setattr(importing, "PARALLEL_CHECKS", True)
    both = svc.dry_run(path)
    assert both.counts == alone.counts
    assert [(p.line, p.code, p.column, p.value) for p in both.problems] == [
        (p.line, p.code, p.column, p.value) for p in alone.problems]
    applied = svc.apply(path, ImportOptions(source="rows"))
    assert applied.counts.new == alone.counts.new
    again = svc.apply(path, ImportOptions(source="rows"))
    assert (again.counts.new, again.counts.changed) == (0, 0)
