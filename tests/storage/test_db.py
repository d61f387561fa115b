"""Database file set-up: migrations from empty and from older files, pragmas, crash durability."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select

from checkin_app.storage import models as m
from checkin_app.storage.db import Database, current_revision, head_revision

DATA = Path(__file__).with_name("data")


def test_migration_from_empty_file_creates_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = Database(path)
    try:
        assert current_revision(db.engine) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(m.Base.metadata.tables) <= tables
        # The migration and the models agree column by column.
        for name, table in m.Base.metadata.tables.items():
            cols = {c["name"] for c in inspect(db.engine).get_columns(name)}
            assert cols == set(table.columns.keys()), name
        # … and in types, indexes and constraints (tests/hub checks PostgreSQL the same way).
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, m.Base.metadata) == []
    finally:
        db.close()


def test_opening_twice_is_a_no_op(tmp_path: Path) -> None:
    Database(tmp_path / "a.sqlite3").close()
    db = Database(tmp_path / "a.sqlite3")
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_older_database_file_is_upgraded_on_open_and_keeps_its_data(tmp_path: Path) -> None:
    # One real file per schema revision, kept in the repository (as TagStudio does).
    for fixture in sorted(DATA.glob("schema_*.sqlite3")):
        path = tmp_path / fixture.name
        shutil.copy(fixture, path)
        db = Database(path)
        try:
            assert current_revision(db.engine) == head_revision()
            with db.read() as s:
                assert s.scalar(select(func.count()).select_from(m.Delegate)) == 2
                assert s.scalar(select(func.count()).select_from(m.CheckIn)) == 1
        finally:
            db.close()
    assert list(DATA.glob("schema_*.sqlite3")), "no schema fixture files found"


def test_pragmas_for_durability(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_foreign_keys_are_enforced(db: Database) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tests.factories import T0

    with pytest.raises(IntegrityError), db.write() as s:
        s.add(m.Delegate(uid="x", registration_code="X", category_id=999, updated_at=T0))


def test_a_shown_check_in_survives_the_process_being_killed(tmp_path: Path) -> None:
    """The child prints the verdict only after commit, then is SIGKILLed at once."""
    from tests.factories import make_event

    path = tmp_path / "crash.sqlite3"
    db = Database(path)
    codes = make_event(db)
    db.close()
    script = textwrap.dedent(
        f"""
        import os, sys, signal
        from datetime import datetime
        from zoneinfo import ZoneInfo
        from checkin_app.domain.clock import FixedClock
        from checkin_app.storage.db import Database
        from checkin_app.services.checkin import CheckInService
        db = Database({str(path)!r})
        svc = CheckInService(db, FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))))
        r = svc.scan({codes.attendee!r}, desk="D1")
        print(r.verdict.value, r.event.uuid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    verdict, uuid = proc.stdout.split()
    assert verdict == "ADMIT"
    # Read with a plain engine (no migrations), as a forensic look at the file would.
    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as conn:
        got = conn.exec_driver_sql("SELECT verdict FROM checkins WHERE uuid = ?", (uuid,)).scalar()
    eng.dispose()
    assert got == "ADMIT"


def test_the_known_head_is_the_newest_migration(tmp_path: Path) -> None:
    """Opening a database at the head skips Alembic: the constant must name the newest script."""
    from checkin_app.storage.db import HEAD_REVISION, at_head

    assert head_revision() == HEAD_REVISION
    db = Database(tmp_path / "h.sqlite3")
    try:
        assert at_head(db.engine)
    finally:
        db.close()
