"""The hub's database: SQLite (one file, no set-up) or PostgreSQL via psycopg 3, same migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from checkin_app.domain.messages import both, msg
from checkin_app.storage.db import Database, DatabaseError, upgrade

# Key of the transaction-level advisory lock that serialises hub writers on PostgreSQL, so
# sequence numbers become visible in the order they were handed out (see HubDatabase.write).
ADVISORY_LOCK_KEY = 0x43484B31  # "CHK1"


def normalise_url(db: str | Path) -> str:
    """A plain path means a SQLite file; URLs pass through (postgresql:// gets the psycopg driver)."""
    s = str(db)
    if "://" not in s:
        return f"sqlite:///{Path(s).expanduser().resolve()}"
    if s.startswith("postgresql://") or s.startswith("postgres://"):
        return "postgresql+psycopg://" + s.split("://", 1)[1]
    return s


class HubDatabase:
    """Sessions per operation on the hub's database, with one writer at a time.

    On SQLite this wraps the desk's Database (WAL, one in-process writer). On PostgreSQL every
    write transaction first takes a transaction-level advisory lock: writers (even in several
    hub processes) then commit in the order they allocated sequence numbers, so a reader that
    sees seq N also sees every seq below N — a pull by "seq > cursor" can never skip a change.
    """

    def __init__(self, url: str | Path, *, migrate: bool = True, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._sqlite: Database | None = None
        if self.is_sqlite:
            self._sqlite = Database(self.url.removeprefix("sqlite:///"), migrate=migrate)
            self.engine: Engine = self._sqlite.engine
            return
        try:
            # No pre-ping: it costs a round trip on every transaction, and each desk request is
            # one. After a server restart the first statement on a dead connection fails, which
            # invalidates the whole pool; that one request errors and the desk retries.
            self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=pool_size)
            if migrate:
                upgrade(self.engine)
        except Exception as exc:
            raise DatabaseError(both(msg("hub.db.cannot_open", url=_safe(self.url), error=str(exc)))) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lock = threading.Lock()

    @property
    def display_url(self) -> str:
        """The URL without a password, for logs and screens."""
        return _safe(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; runs in parallel with writers."""
        if self._sqlite is not None:
            with self._sqlite.read() as s:
                yield s
            return
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def write(self, *, lock: bool = True) -> Iterator[Session]:
        """A write transaction holding the hub's single-writer lock until it commits or rolls back.

        `lock=False` (PostgreSQL): the caller's first statement takes sequence numbers, whose
        counter row then stays locked until commit and orders writers just as the advisory lock
        does; the push path saves that round trip. The in-process lock is always taken.
        """
        if self._sqlite is not None:
            with self._sqlite.write() as s:
                yield s
            return
        # The in-process lock keeps pool connections from queueing on the server-side lock.
        with self._lock, self._sessions() as s, s.begin():
            if lock:
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            yield s

    @contextmanager
    def one_read(self) -> Iterator[Connection]:
        """A connection for a single read statement (a statement is consistent on its own).

        On PostgreSQL it runs in autocommit: no BEGIN and ROLLBACK round trips around it. Every
        desk request authenticates, so this is a third of the round trips 50 desks cause.
        """
        if self._sqlite is not None:
            with self.engine.connect() as conn:
                yield conn
            return
        with self._autocommit.connect() as conn:
            yield conn

    @contextmanager
    def write_unordered(self) -> Iterator[Session]:
        """A write transaction that hands out no sequence numbers (desk health, settings).

        On PostgreSQL it skips the writers' lock, so it never makes a push wait; on SQLite,
        which has one writer, it is write().
        """
        if self._sqlite is not None:
            with self._sqlite.write() as s:
                yield s
            return
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        """Release connections (and fold the WAL on SQLite)."""
        if self._sqlite is not None:
            self._sqlite.close()
        else:
            self.engine.dispose()


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
