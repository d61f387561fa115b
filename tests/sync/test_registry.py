"""A synced table is one registration: a throwaway table, registered here only, goes from desk to hub.

The table lives in this test's own SQLAlchemy metadata, created in the desks' and the hub's
database files (or the hub's PostgreSQL database); nothing in checkin_app names it. The hub runs
in this process (it must see the registration) behind real HTTPS on loopback, and the desks talk
to it through the sync client as they always do.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import uvicorn
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, insert, select, update

from checkin_app.hub.app import create_app
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.server import HubSetup, prepare
from checkin_app.hub.store import HubStore
from checkin_app.storage import models_hub as mh
from checkin_app.storage.db import Database
from checkin_app.sync import tables as st
from checkin_app.sync.client import DeskSync, _get
from checkin_app.sync.outbox import OTHER, FlagOutbox, MarkOutbox, Outbox
from checkin_app.sync.protocol import EnrolmentCode
from tests.factories import make_event
from tests.hub.conftest import pg_template, pg_url  # noqa: F401  (PostgreSQL fixtures)
from tests.hub.support import free_port

NAME = "test_notes"
TEXT = "发放了一把会议室钥匙 / handed out a meeting-room key"


def notes_table(*, flag: bool = True) -> Table:
    """A small table of the test's own: uuid key, the recording desk, a text (and an outbox flag)."""
    return Table(
        NAME, MetaData(),
        Column("id", Integer, primary_key=True),
        Column("uuid", String(36), unique=True, nullable=False),
        Column("desk", String(100), nullable=False, default=""),
        Column("text", String(200), nullable=False, default=""),
        *([Column("synced", Boolean, nullable=False, default=False)] if flag else []),
    )


@contextlib.contextmanager
def registered(table: Table, outbox: Outbox | None = None) -> Iterator[Table]:
    """The one registration: pushed (by default a flagged outbox, counted with the other records), pulled."""
    st.register(st.simple_table(NAME, table, "uuid", order=80,
                                outbox=outbox or FlagOutbox(table, queue=OTHER, desk_field="desk")))
    try:
        yield table
    finally:
        st.unregister(NAME)


@pytest.fixture
def notes(request: pytest.FixtureRequest) -> Iterator[Table]:
    """The throwaway table, registered for the test: with a `synced` flag, or (param "mark") by a
    high-water mark whose refusals stay queued, as audit entries go."""
    if getattr(request, "param", "flag") == "mark":
        table = notes_table(flag=False)
        box: Outbox = MarkOutbox(table, table.c.uuid, "push.test_notes", queue=OTHER, settle_refused=False)
        with registered(table, box):
            yield table
    else:
        with registered(notes_table()) as table:
            yield table


@dataclass
class LoopbackHub:
    """A hub served by uvicorn in a thread of this process, over HTTPS on 127.0.0.1."""

    setup: HubSetup
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def code(self, desk: str) -> str:
        """A one-time enrolment code for a desk."""
        assert self.setup.cert is not None
        token = self.setup.store.create_enrolment(desk)
        return EnrolmentCode(self.url, token, self.setup.cert.fingerprint, desk).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path, notes: Table) -> Iterator[LoopbackHub]:
    """A hub holding a small event and the throwaway table, on each backend."""
    url = str(tmp_path / "hub.sqlite3") if request.param == "sqlite" else \
        str(request.getfixturevalue("pg_url"))
    built = HubDatabase(url)
    make_event(cast(Database, built), hall_capacity=None)
    notes.metadata.create_all(built.engine)
    HubStore(built).refresh()
    built.close()
    port = free_port()
    public = f"https://127.0.0.1:{port}"
    setup = prepare(url, host="127.0.0.1", port=port, public_url=public, tls_dir=tmp_path / "tls")
    assert setup.cert is not None
    config = uvicorn.Config(create_app(setup.state), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, ssl_certfile=str(setup.cert.cert_path),
                            ssl_keyfile=str(setup.cert.key_path))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the hub did not start"
        time.sleep(0.05)
    try:
        yield LoopbackHub(setup, public, server, thread)
    finally:
        server.should_exit = True
        thread.join(15)
        setup.db.close()


@pytest.fixture
def desks() -> Iterator[list[tuple[Database, DeskSync]]]:
    """Desks a test opened; their connections and databases are closed afterwards."""
    opened: list[tuple[Database, DeskSync]] = []
    yield opened
    for db, sync in opened:
        sync.close_clients()
        db.close()


def _desk(hub: LoopbackHub, notes: Table, tmp: Path, name: str,
          opened: list[tuple[Database, DeskSync]]) -> tuple[Database, DeskSync]:
    """A desk database holding the throwaway table too, enrolled with the hub and synced once."""
    db = Database(tmp / f"desk-{name}.sqlite3")
    sync = DeskSync(db)
    opened.append((db, sync))
    notes.metadata.create_all(db.engine)
    sync.enrol(hub.code(name))
    sync.sync_once()
    return db, sync


def _write_note(db: Database, notes: Table, text: str) -> str:
    key = str(uuidlib.uuid4())
    with db.write() as s:
        s.execute(insert(notes).values(uuid=key, desk="renamed here", text=text))
    return key


def _rows(db: Any, notes: Table) -> dict[str, tuple[str, str, bool]]:
    with db.read() as s:
        return {r.uuid: (r.desk, r.text, bool(r._mapping.get("synced", True)))
                for r in s.execute(select(notes))}


def _logged(hub: LoopbackHub) -> dict[str, int]:
    """The hub's change-log entries of the throwaway table: {key: seq}."""
    with hub.setup.db.read() as s:
        return {str(k): int(q) for k, q in s.execute(
            select(mh.HubChange.row_key, mh.HubChange.seq).where(mh.HubChange.table_name == NAME))}


def test_a_registered_table_is_pushed_acknowledged_settled_and_counted(
        hub: LoopbackHub, notes: Table, tmp_path: Path, desks: list[tuple[Database, DeskSync]]) -> None:
    db_a, a = _desk(hub, notes, tmp_path, "Desk A", desks)
    db_b, b = _desk(hub, notes, tmp_path, "Desk B", desks)
    assert a.pending_counts() == (0, 0)

    key = _write_note(db_a, notes, TEXT)
    # Queued, and counted where the registration says (not among the scans).
    status = a.status()
    assert (status.pending, status.pending_scans, status.pending_other) == (1, 0, 1)
    with db_a.read() as s:
        items, _marks = a._outbox(s)
    assert [(i["table"], i["key"]) for i in items] == [(NAME, key)]
    # Sent under the name the hub enrolled the desk under, not the one written here.
    assert items[0]["payload"]["desk"] == "Desk A" and "synced" not in items[0]["payload"]

    pushed = a.push_once()
    assert (pushed.stored, pushed.duplicates, pushed.rejected, pushed.remaining) == (1, 0, [], 0)
    # Acknowledged: the desk's row is settled and leaves the queue; the hub stored and logged it.
    assert _rows(db_a, notes)[key][2] is True
    assert a.pending_counts() == (0, 0) and a.status().pending == 0
    assert _rows(hub.setup.db, notes)[key][:2] == ("Desk A", TEXT)
    assert list(_logged(hub)) == [key]
    assert a.push_once().stored == 0  # nothing left to push: nothing sent again

    # Another desk pulls it in settled: it never goes back to the hub as its own.
    b.sync_once()
    assert _rows(db_b, notes) == {key: ("Desk A", TEXT, True)}
    assert b.pending_counts() == (0, 0)
    seq = _logged(hub)[key]
    b.push_once()
    assert _logged(hub) == {key: seq}


def test_a_registered_table_takes_refusals_off_the_queue_until_they_are_retried(
        hub: LoopbackHub, notes: Table, tmp_path: Path, desks: list[tuple[Database, DeskSync]]) -> None:
    db_a, a = _desk(hub, notes, tmp_path, "Desk A", desks)
    good = _write_note(db_a, notes, "fine")
    bad = _write_note(db_a, notes, "x" * 201)  # longer than the hub's column: refused alone

    pushed = a.push_once()
    assert pushed.stored == 1 and len(pushed.rejected) == 1 and "200" in pushed.rejected[0]
    assert [(r.table, r.key) for r in a.refusals()] == [(NAME, bad)]
    # Off the queue (it would only be refused again), named with the refusals instead.
    assert a.pending_counts() == (0, 0) and a.status().refused == 1
    assert set(_logged(hub)) == {good}

    with db_a.write() as s:
        s.execute(update(notes).where(notes.c.uuid == bad).values(text="x" * 200))
    assert a.retry_refusals() == 1
    assert a.pending_counts() == (0, 1)
    pushed = a.push_once()
    assert (pushed.stored, pushed.rejected) == (1, [])
    assert a.pending_counts() == (0, 0) and a.status().refused == 0
    assert set(_logged(hub)) == {good, bad}
    assert all(synced for _desk_name, _text, synced in _rows(db_a, notes).values())


def test_unregistering_takes_the_table_out_of_sync_again() -> None:
    with registered(notes_table()):
        assert NAME in [t.name for t in st.pushed_tables()]
        assert st.REGISTRY[NAME].pulled and st.REGISTRY[NAME].pushed
    assert NAME not in st.REGISTRY
    assert NAME not in [t.name for t in st.pushed_tables()]


@pytest.mark.parametrize("notes", ["mark"], indirect=True)
def test_a_table_registered_with_a_mark_outbox_moves_its_mark_and_keeps_refusals_queued(
        hub: LoopbackHub, notes: Table, tmp_path: Path, desks: list[tuple[Database, DeskSync]]) -> None:
    db_a, a = _desk(hub, notes, tmp_path, "Desk A", desks)
    first = _write_note(db_a, notes, "one")
    assert a.pending_counts() == (0, 1)
    assert a.push_once().stored == 1
    with db_a.read() as s:
        assert int(_get(s, "push.test_notes") or 0) == _ids(db_a, notes)[first]
    assert a.pending_counts() == (0, 0) and a.push_once().stored == 0

    # A refusal of this table is not settled: it holds the mark, stays counted and goes again.
    bad = _write_note(db_a, notes, "x" * 201)
    after = _write_note(db_a, notes, "three")
    pushed = a.push_once()
    assert pushed.stored == 1 and len(pushed.rejected) == 1 and a.pending_counts() == (0, 2)
    assert len(a.push_once().rejected) == 1  # sent again (and the one behind it, a duplicate now)
    with db_a.write() as s:
        s.execute(update(notes).where(notes.c.uuid == bad).values(text="x" * 200))
    pushed = a.push_once()
    assert pushed.rejected == [] and a.pending_counts() == (0, 0)
    assert set(_logged(hub)) == {first, bad, after}
    # The hub's refusal is remembered with the others (status bar) until a retry clears it.
    assert a.retry_refusals() >= 1 and a.pending_counts() == (0, 0)


def _ids(db: Database, notes: Table) -> dict[str, int]:
    with db.read() as s:
        return {r.uuid: int(r.id) for r in s.execute(select(notes.c.uuid, notes.c.id))}
