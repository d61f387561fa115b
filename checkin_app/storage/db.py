"""Opening the local SQLite database: pragmas for durability, migrations, sessions, one writer."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from checkin_app.domain.messages import both, msg
from checkin_app.storage import recovery

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest schema revision (tests check it against the migration scripts). A database already
# there opens without loading Alembic, which was a fifth of the desk's start-up.
HEAD_REVISION = "0016"
CHECKPOINT_INTERVAL_S = 1.0


class DatabaseError(Exception):
    """The database file cannot be opened or upgraded; the message is bilingual."""


class DamagedDatabaseError(DatabaseError):
    """A damaged page was met mid-session: the operation was not done; the next start recovers."""


class DatabaseInUseError(DatabaseError):
    """The file is damaged but another desk process has it open (or is checking it): left alone."""


def _busy_message(path: Path) -> str:
    return both(msg("db.busy", path=str(path), seconds=f"{recovery.LOCK_WAIT_S:.0f}"))


def _damaged_message(path: Path) -> str:
    return both(msg("db.damaged", path=str(path)))


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level so that we, not pysqlite, decide when a transaction begins.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed check-in survives power loss, not only a crashed process.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    # Checkpoints run in Database's background thread, not inside a volunteer's scan: an
    # automatic checkpoint fsyncs the main file and was the whole p99 tail of a scan.
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _on_begin(conn: Any) -> None:
    # Writers take the lock up front, so two processes never deadlock upgrading read locks.
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def private_file(path: Path) -> None:
    """Make the database file 0600 before SQLite opens it, or tighten one that is looser.

    It holds the desk's signing key and hub token (at the hub: the dashboard key and personal
    data), like the key files, which are 0600 already. SQLite creates its -wal and -shm files
    with the main file's permissions; ones left looser by an older version are tightened too.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            if f.stat().st_mode & 0o077:
                os.chmod(f, 0o600)


def make_engine(path: str | Path) -> Engine:
    """An engine on a SQLite file (created 0600) with WAL, foreign keys and full sync."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_file(p)
    engine = create_engine(f"sqlite:///{p}", pool_size=8, max_overflow=8)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The schema revision(s) the database is at, comma-separated (None for an empty file)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """The newest schema revision(s) this program knows, comma-separated."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_scripts_config()).get_heads()
    return ",".join(sorted(heads)) or None


def _scripts_config() -> Config:
    """A Config that only knows where the scripts are."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def at_head(engine: Engine) -> bool:
    """Whether the database is at HEAD_REVISION already (one query, no Alembic)."""
    try:
        with engine.connect() as conn:
            versions = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    except DBAPIError:  # a new database, or one from before migrations
        return False
    return versions == [HEAD_REVISION]


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when already there)."""
    if at_head(engine):
        return
    from alembic import command

    # "heads": feature branches may sit side by side until a merge revision joins them.
    command.upgrade(alembic_config(engine), "heads")


class Database:
    """One database file: an engine, sessions per operation, and a single in-process writer."""

    def __init__(self, path: str | Path, *, migrate: bool = True, check: bool = False) -> None:
        """Open (creating and migrating) the file; `check`: look for damaged pages first.

        A desk opens with `check` (cli._open): a damaged file is moved aside and replaced by a
        fresh one holding what read cleanly (`recovery`). The hub does not: its sequence
        numbers are what every desk's cursor counts on, so it must not start over by itself.

        Every Database holds `<file>.lock` shared while open; a damaged file is moved only by
        a process that holds it alone, so never from under another desk process that has the
        file open: then DatabaseInUseError says so and nothing is moved.
        """
        self.path = Path(path)
        # Set when the file was found damaged at open and replaced by a fresh one (its notice).
        self.recovery: recovery.Recovery | None = None
        marker = recovery.recheck_marker(self.path)
        self._lock = recovery.FileLock(self.path)
        damage = None
        try:
            # Alone with the file: check it, and replace it if damaged. With other users it is
            # checked all the same (a damaged file is not opened), but never moved.
            alone = check and self._lock.try_exclusive()
            if not alone and not self._lock.share():
                raise DatabaseInUseError(_busy_message(self.path))
            if check:
                # By table, without the derived search keys (~0.1 s at 100,000 delegates); a
                # damaged page met in a session leaves a marker that asks for every table.
                full = marker.exists()
                damage = recovery.find_damage(self.path, full=full)
                if full and damage is None:
                    marker.unlink(missing_ok=True)
                if damage and not alone:
                    raise DatabaseInUseError(recovery.in_use_message(self.path))
            aside = recovery.move_aside(self.path) if damage else None
            if alone and aside is None and not self._lock.share():  # pragma: no cover
                raise DatabaseInUseError(_busy_message(self.path))  # (the lock was ours alone)
        except recovery.InUse as exc:  # pragma: no cover - Windows: the rename was refused
            self._lock.release()
            raise DatabaseInUseError(str(exc)) from exc
        except OSError as exc:  # the lock file cannot be made (a read-only folder)
            self._lock.release()
            raise DatabaseError(both(msg("db.cannot_open", path=str(self.path), detail=str(exc)))) from exc
        except BaseException:
            self._lock.release()
            raise
        try:
            self.engine = make_engine(self.path)
            if migrate:
                upgrade(self.engine)
            if aside is not None and damage is not None:
                raw = self.engine.raw_connection()
                try:
                    conn = raw.driver_connection
                    assert isinstance(conn, sqlite3.Connection)
                    self.recovery = recovery.salvage(aside, conn, damage)
                finally:
                    raw.close()
                marker.unlink(missing_ok=True)
            # The fresh file is made: other desk processes may open it now.
            if aside is not None and not self._lock.share():  # pragma: no cover - as above
                raise DatabaseInUseError(_busy_message(self.path))
        except DatabaseInUseError:  # pragma: no cover - as above
            self._lock.release()
            raise
        except Exception as exc:  # pragma: no cover - message wrapping only
            self._lock.release()
            # The driver's own words ("file is not a database"), not SQLAlchemy's wrapper text.
            cause = getattr(exc, "orig", None) or exc
            raise DatabaseError(both(msg("db.cannot_open", path=str(self.path), detail=str(cause)))) from exc
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )
        # SQLite has one writer; serialising here keeps writers from spinning on busy_timeout.
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, name="sqlite-checkpoint", daemon=True
        )
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """Fold the WAL back into the database file every second, off the scanning path."""
        while not self._stop.wait(CHECKPOINT_INTERVAL_S):
            self.checkpoint("PASSIVE")

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        """Run a WAL checkpoint now (PASSIVE never blocks writers; TRUNCATE empties the WAL)."""
        try:
            raw = self.engine.raw_connection()
        except Exception:  # pragma: no cover - engine disposed during shutdown
            return
        try:
            cur = raw.cursor()
            cur.execute(f"PRAGMA wal_checkpoint({mode})")
            cur.close()
        except Exception:  # a busy or closing database: the next round retries
            pass
        finally:
            raw.close()

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        # A damaged page met mid-session (search, a scan) becomes one clear error at every
        # service, not "database disk image is malformed" from deep inside SQLAlchemy; the
        # next start checks every table and recovers.
        try:
            yield
        except DBAPIError as exc:
            if not recovery.is_damage(exc):
                raise
            recovery.request_recheck(self.path)
            raise DamagedDatabaseError(_damaged_message(self.path)) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; may run in parallel with others."""
        with self._guarded(), self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits (durably) on leaving the block, or rolls back."""
        with self._guarded(), self._write_lock, self._write() as session, session.begin():
            yield session

    def close(self) -> None:
        """Stop the checkpointer, fold the WAL into the file, release all pooled connections."""
        self._stop.set()
        self._checkpointer.join(timeout=5)
        self.checkpoint("TRUNCATE")
        self.engine.dispose()
        self._lock.release()
