"""Hub fixtures: the hub database on SQLite and on a real PostgreSQL (scratch database per session)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from tests.hub.support import PG_ENV, pg_admin_url, scratch_name, with_database


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated scratch database on the test PostgreSQL server, used as template per test."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: hub tests on PostgreSQL skipped "
                    f"(e.g. {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    import psycopg

    name = scratch_name("checkin_tpl")
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = HubDatabase(with_database(url, name))  # runs every migration on PostgreSQL
    db.close()
    yield with_database(url, name)
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (SQLAlchemy URL), for migrating step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old-hub.sqlite3'}"
        return
    request.getfixturevalue("pg_template")  # skips without a PostgreSQL server
    import psycopg

    url = os.environ[PG_ENV]
    name = scratch_name("checkin_migrate")
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield with_database(url, name)
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test (copied from the template)."""
    import psycopg

    url = os.environ[PG_ENV]
    name = scratch_name("checkin_t")
    template = pg_template.rpartition("/")[2]
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield with_database(url, name)
    with psycopg.connect(pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The hub database URL, once per backend."""
    if request.param == "sqlite":
        return str(tmp_path / "hub.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def hub_db(hub_url: str) -> Iterator[HubDatabase]:
    """An open hub database on each backend."""
    db = HubDatabase(hub_url)
    yield db
    db.close()


@pytest.fixture
def hub(hub_db: HubDatabase, clock: FixedClock) -> HubStore:
    """A hub store holding the small hand-made event (tests.factories.make_event), published."""
    from tests.factories import make_event

    make_event(hub_db, hall_capacity=None)  # type: ignore[arg-type]
    store = HubStore(hub_db, clock)
    store.refresh()
    return store
