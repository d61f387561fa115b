"""Migration 0016 on SQLite and PostgreSQL: identities stored with 256-bit hashes keep matching the
same people (their hashes are what today's import computes), and their ON DELETE CASCADE holds."""

from __future__ import annotations

import hashlib

from sqlalchemy import create_engine, event, select, text

from checkin_app.importers.rows import identity_hash
from checkin_app.storage.db import alembic_config
from checkin_app.storage.models_import import ImportIdentity
from tests.factories import local
from tests.hub.support import add_attendee_category, add_delegate


def test_upgrade_to_0016_shortens_hashes_that_still_match(empty_url: str) -> None:
    from alembic import command

    engine = create_engine(empty_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys = ON"))
    people = {1: ("email", "Zhang.Wei@Example.CN"), 2: ("phone", "+86 138-0000-1234")}
    try:
        command.upgrade(alembic_config(engine), "0015")
        with engine.begin() as conn:
            add_attendee_category(conn)
            for d_id, (kind, value) in people.items():
                add_delegate(conn, d_id, f"u{d_id}", "张伟", local(23, 9))
                # As revisions up to 0015 stored them: all 64 hex digits of SHA-256.
                normal = value.strip().lower() if kind == "email" else "13800001234"
                full = hashlib.sha256(f"{kind}\x00{normal}".encode()).hexdigest()
                conn.execute(text("INSERT INTO import_identities (delegate_id, kind, hash) "
                                  "VALUES (:d, :k, :h)"), {"d": d_id, "k": kind, "h": full})
        command.upgrade(alembic_config(engine), "heads")
        with engine.begin() as conn:
            got = {int(d): (k, h) for d, k, h in conn.execute(
                select(ImportIdentity.delegate_id, ImportIdentity.kind, ImportIdentity.hash))}
            assert got == {d: (kind, identity_hash(kind, value)) for d, (kind, value) in people.items()}
            assert all(len(h) == 32 for _k, h in got.values())
            conn.execute(text("DELETE FROM delegates WHERE id = 1"))
            left = conn.execute(select(ImportIdentity.delegate_id)).scalars().all()
            assert [int(d) for d in left] == [2]  # the cascade still holds
    finally:
        engine.dispose()
