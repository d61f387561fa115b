"""Loads the demo event into a hub database (on PostgreSQL through a scratch SQLite file)."""

from __future__ import annotations

import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, cast

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from checkin_app.demo.build import DemoSummary, build_demo
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

# The tables build_demo fills that the hub holds (search keys are the desk's own).
_EVENT_TABLES = ("events", "categories", "activities", "activity_categories", "delegates",
                 "delegate_admissions")
_ID_SEQUENCES = ("events", "categories", "activities", "delegates")
_ROWS_PER_INSERT = 5000


class HubTarget(Protocol):
    """What loading needs of a hub database (hub.db.HubDatabase has it; named here so demo/ needs no hub/)."""

    is_sqlite: bool

    def write(self) -> AbstractContextManager[Session]:
        """One write transaction."""
        ...


def load_demo(db: HubTarget, *, size: int, seed: int = 2024) -> DemoSummary:
    """Build the demo event into the hub database; publishing it is the caller's (HubStore.refresh).

    build_demo also writes the desk's search keys with SQLite-only SQL; the hub does not search,
    so on PostgreSQL the event is built in a scratch SQLite file and its tables copied over.
    """
    if db.is_sqlite:
        # A SQLite hub database is the desk's Database underneath, sessions and all.
        return build_demo(cast(Database, db), size=size, seed=seed)
    with tempfile.TemporaryDirectory(prefix="checkin-demo-") as tmp:
        scratch = Database(Path(tmp) / "demo.sqlite3")
        try:
            summary = build_demo(scratch, size=size, seed=seed)
            with scratch.read() as src, db.write() as dst:
                for name in _EVENT_TABLES:
                    table = m.Base.metadata.tables[name]
                    rows = [dict(r._mapping) for r in src.execute(select(table))]
                    for i in range(0, len(rows), _ROWS_PER_INSERT):
                        dst.execute(insert(table), rows[i:i + _ROWS_PER_INSERT])
                # Keep PostgreSQL's id sequences ahead of the copied ids.
                for name in _ID_SEQUENCES:
                    dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"COALESCE((SELECT max(id) FROM {name}), 1))"))
        finally:
            scratch.close()
    return summary
