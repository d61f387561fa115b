"""64-bit delegate ids on PostgreSQL (walk-ins are numbered from 2**32 up); no change on SQLite

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# delegates.id and every column holding a delegate id (models.DelegateId).
COLUMNS = (
    ("delegates", "id"),
    ("delegate_admissions", "delegate_id"),
    ("search_keys", "delegate_id"),
    ("checkins", "delegate_id"),
    ("presence", "delegate_id"),
    ("print_jobs", "delegate_id"),
    ("badge_prints", "delegate_id"),
    ("badge_revocations", "delegate_id"),
    ("delegate_private", "delegate_id"),
    ("import_keys", "delegate_id"),
    ("import_admissions", "delegate_id"),
)


def _retype(new: sa.types.TypeEngine[int], old: sa.types.TypeEngine[int], seq_type: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite's INTEGER already holds 64 bits; rebuilding every table would gain nothing
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=False)
    # The id sequence of a SERIAL column is typed too: setval() beyond 2**31 - 1 would fail.
    seq = bind.execute(sa.text("SELECT pg_get_serial_sequence('delegates', 'id')")).scalar()
    if seq:
        op.execute(f"ALTER SEQUENCE {seq} AS {seq_type}")


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer(), "bigint")


def downgrade() -> None:
    # Fails (as it should) once a walk-in id above 2**31 - 1 is stored.
    _retype(sa.Integer(), sa.BigInteger(), "integer")
