"""A desk database with a damaged page: found at open, kept aside, scanning goes on in a fresh file."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.checkin import CheckInService
from checkin_app.services.recovery import finish_recovery
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.storage import recovery
from checkin_app.storage.db import DamagedDatabaseError, Database, DatabaseError

CLOCK = FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
SIZE = 1500
CLI = [sys.executable, "-m", "checkin_app"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A demo desk database built by the real CLI (with its event key and signed codes), two
    check-ins recorded and a sync cursor set, folded into one file (no -wal)."""
    path = tmp_path_factory.mktemp("template") / "desk.sqlite3"
    out = subprocess.run([*CLI, "demo", "--db", str(path), "--size", str(SIZE)],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    signed = dict(re.findall(r"^\s+(\w+)\s+(CK-[A-Z0-9]+)$", out, re.M))
    db = Database(path)
    try:
        svc = CheckInService(db, CLOCK)
        with db.read() as s:
            # The last two: far from the first VIP's page, which a test damages.
            codes = list(s.scalars(select(m.Delegate.registration_code)
                                   .order_by(m.Delegate.id.desc()).limit(2)))
        for code in codes:
            assert svc.scan(code, desk="D1").event is not None
        with db.write() as s:
            s.merge(mh.SyncState(key=recovery.SYNC_CURSOR, value="4242"))
    finally:
        db.close()
    assert not Path(f"{path}-wal").exists()
    return path, signed


@pytest.fixture
def desk(template: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """A copy of the template to damage."""
    path = tmp_path / "desk.sqlite3"
    shutil.copy(template[0], path)
    return path


def _pages(path: Path, name: str, kind: str) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno", (name, kind))]
    finally:
        con.close()


def _page_size(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("PRAGMA page_size").fetchone()[0])
    finally:
        con.close()


def _damage(path: Path, page: int) -> None:
    """Overwrite the b-tree page header (type, freeblock, cell count, content start) of one page."""
    size = _page_size(path)
    with path.open("r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xff" * 12)


def _page_holding(path: Path, text: str, table: str) -> int:
    """The leaf page of `table` whose bytes hold `text` (a registration code)."""
    size = _page_size(path)
    data = path.read_bytes()
    leaves = set(_pages(path, table, "leaf"))
    for match in re.finditer(re.escape(text.encode()), data):
        page = match.start() // size + 1
        if page in leaves:
            return page
    raise AssertionError(f"{text} not found on a leaf of {table}")


def _asides(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".damaged-" in p.name
                  and not p.name.endswith(("-wal", "-shm")))


def _count(db: Database, model: type[m.Base]) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _quick_check(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("PRAGMA quick_check")]
    finally:
        con.close()


@pytest.fixture
def opened() -> Iterator[list[Database]]:
    """Databases a test opens, closed at its end even when it fails."""
    dbs: list[Database] = []
    yield dbs
    for db in dbs:
        db.close()


def test_a_sound_file_is_opened_as_it_is(desk: Path, opened: list[Database]) -> None:
    db = Database(desk, check=True)
    opened.append(db)
    assert db.recovery is None
    assert _asides(desk) == []
    assert _count(db, m.Delegate) == SIZE


def test_a_damaged_delegates_page_is_kept_aside_and_scanning_goes_on(
        desk: Path, template: tuple[Path, dict[str, str]], opened: list[Database]) -> None:
    signed = template[1]
    with sqlite3.connect(desk) as con:
        vip_code = con.execute("SELECT d.registration_code FROM delegates d JOIN categories c "
                               "ON c.id = d.category_id WHERE c.code = 'VIP' ORDER BY d.id").fetchone()[0]
        keys_before = con.execute("SELECT public_key, private_key FROM desk_keys").fetchall()
        settings_before = dict(con.execute("SELECT key, value FROM desk_settings").fetchall())
    con.close()
    # The page holding the VIP in the demo's signed sample (the first VIP) is damaged.
    _damage(desk, _page_holding(desk, vip_code, "delegates"))
    damaged_bytes = desk.read_bytes()

    db = Database(desk, check=True)
    opened.append(db)
    rec = finish_recovery(db)
    assert rec is not None and db.recovery is rec
    # The damaged file is kept beside the new one, byte for byte as it was found.
    (aside,) = _asides(desk)
    assert aside == rec.damaged_path and aside.name.startswith("desk.sqlite3.damaged-")
    assert aside.read_bytes() == damaged_bytes
    assert "malformed" in rec.problem
    assert str(aside) in rec.message and "损坏" in rec.message and "damaged" in rec.message
    assert "\n" not in rec.short and "损坏" in rec.short and "damaged" in rec.short
    # The fresh file is sound and holds what could be read: identity, keys, settings, the event,
    # every delegate but the few on the damaged page, both check-ins.
    assert _quick_check(desk) == ["ok"]
    kept = _count(db, m.Delegate)
    assert SIZE - 40 < kept < SIZE
    (delegates,) = [t for t in rec.incomplete if t.name == "delegates"]
    assert delegates.rows == kept and delegates.stretches == 1
    with db.read() as s:
        assert s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == vip_code)) is None
        assert [(k.public_key, k.private_key) for k in s.scalars(select(sec.DeskKey))] == keys_before
        settings = {r.key: r.value for r in s.scalars(select(m.DeskSetting))}
        assert s.scalar(select(m.Event.id)) is not None
        # Rows were left behind: the next sync pulls everything from the hub again.
        assert s.get(mh.SyncState, recovery.SYNC_CURSOR).value == "0"  # type: ignore[union-attr]
    assert settings == {k: v for k, v in settings_before.items()
                        if k != recovery.SEARCH_KEY_FORMAT_SETTING}
    assert _count(db, m.CheckIn) == 2
    # Scans are recorded in the fresh file: a delegate still there is admitted; the VIP, whose
    # row was lost, is admitted on the signed code alone.
    svc = CheckInService(db, CLOCK)
    with db.read() as s:
        code = s.scalar(select(m.Delegate.registration_code).order_by(m.Delegate.id.desc()))
    assert code is not None
    result = svc.scan(code, desk="D1")
    assert result.event is not None and result.severity.value != "red"
    vip = svc.scan(signed["VIP"], desk="D1")
    assert vip.verdict is Verdict.SIGNATURE_ONLY and vip.event is not None
    assert _count(db, m.CheckIn) == 4
    # Search works on the fresh file (its keys are rebuilt by the first search).
    with db.read() as s:
        name = s.scalar(select(m.Delegate.name_latin).where(m.Delegate.registration_code == code))
    assert name and any(h.registration_code == code
                        for h in SearchService(db).search(name, limit=50))
    # Opened again, the fresh file is sound: no second recovery.
    db.close()
    opened.remove(db)
    again = Database(desk, check=True)
    opened.append(again)
    assert again.recovery is None and len(_asides(desk)) == 1


def test_a_damaged_index_page_loses_no_row(desk: Path, opened: list[Database]) -> None:
    (index,) = [n for n in ("sqlite_autoindex_delegates_1",) if _pages(desk, n, "leaf")]
    _damage(desk, _pages(desk, index, "leaf")[3])
    db = Database(desk, check=True)
    opened.append(db)
    rec = finish_recovery(db)
    assert rec is not None and rec.incomplete == []
    assert _count(db, m.Delegate) == SIZE and _count(db, m.CheckIn) == 2
    assert _quick_check(desk) == ["ok"]
    with db.read() as s:  # nothing left behind: the cursor stands
        assert s.get(mh.SyncState, recovery.SYNC_CURSOR).value == "4242"  # type: ignore[union-attr]


def test_a_table_the_damaged_file_never_had_is_not_called_lost(desk: Path, opened: list[Database]) -> None:
    # A file from before a table was added (the fresh file has it, the damaged one not).
    with sqlite3.connect(desk) as con:
        con.execute("DROP TABLE pin_lockout")
    con.close()
    _damage(desk, _pages(desk, "sqlite_autoindex_delegates_1", "leaf")[1])
    db = Database(desk, check=True)
    opened.append(db)
    rec = finish_recovery(db)
    assert rec is not None and rec.incomplete == []
    assert "All" in rec.message


def test_damage_met_in_a_search_is_a_clear_error_and_the_next_start_recovers(
        desk: Path, opened: list[Database]) -> None:
    # The search keys (derived, most of the file) are not read by the start-up check.
    for name in ("search_keys", "ix_search_keys_key", "ix_search_keys_delegate"):
        _damage(desk, _pages(desk, name, "internal")[0])
    db = Database(desk, check=True)
    opened.append(db)
    assert db.recovery is None
    with pytest.raises(DamagedDatabaseError) as caught:
        SearchService(db).search("Wang", limit=5)
    assert "损坏" in str(caught.value) and "damaged" in str(caught.value)
    assert recovery.recheck_marker(desk).exists()
    db.close()
    opened.remove(db)
    # The marker asks the next start for the full check: it finds the damage and recovers.
    db = Database(desk, check=True)
    opened.append(db)
    rec = finish_recovery(db)
    assert rec is not None and rec.incomplete == []
    assert not recovery.recheck_marker(desk).exists()
    assert _count(db, m.Delegate) == SIZE
    assert SearchService(db).search("Wang", limit=5)


def test_a_file_that_is_not_sqlite_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "registrations.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(5000))
    before = path.read_bytes()
    with pytest.raises(DatabaseError):
        Database(path, check=True)
    assert path.read_bytes() == before and _asides(path) == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "CHECKIN_CLOCK": ""})


def test_the_cli_says_so_and_goes_on(desk: Path) -> None:
    _damage(desk, _pages(desk, "delegates", "leaf")[5])
    with sqlite3.connect(desk) as con:  # the copy is still readable here, past the damage
        code, name = con.execute("SELECT registration_code, name_latin FROM delegates "
                                 "ORDER BY id DESC").fetchone()
    con.close()
    found = _cli("search", name, "--db", str(desk))
    assert found.returncode == 0, found.stderr
    assert "Traceback" not in found.stderr
    assert "已保留" in found.stderr and "kept as" in found.stderr
    assert code in found.stdout
    assert len(_asides(desk)) == 1
    scan = _cli("checkin", code, "--db", str(desk), "--clock", "2024-11-23T09:30")
    assert "Traceback" not in scan.stderr and "recorded" in scan.stdout, scan.stdout + scan.stderr
    assert "damaged" not in scan.stderr  # once recovered, the fresh file is sound


def test_the_cli_meets_damage_mid_command_without_a_traceback(desk: Path) -> None:
    for name in ("search_keys", "ix_search_keys_key", "ix_search_keys_delegate"):
        _damage(desk, _pages(desk, name, "internal")[0])
    run = _cli("search", "Wang", "--db", str(desk))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "损坏" in run.stderr and "Restart the desk" in run.stderr
    again = _cli("search", "Wang", "--db", str(desk))
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert "kept as" in again.stderr and len(_asides(desk)) == 1
