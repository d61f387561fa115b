"""Alembic environment: runs on the engine handed over by checkin_app.storage.db."""

from alembic import context
from sqlalchemy import create_engine

from checkin_app.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # Batch mode rebuilds tables (copy, drop, rename); with foreign keys on, dropping a
            # referenced table fails. The pragma only works outside a transaction, hence raw.
            raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        )
        with context.begin_transaction():
            context.run_migrations()
            if is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        connection.commit()
        if is_sqlite:
            raw.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
