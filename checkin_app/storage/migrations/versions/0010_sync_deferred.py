"""sync_deferred: pulled changes that wait at a desk for a row they name to arrive

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_deferred",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_key", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("needs_table", sa.String(40), nullable=False),
        sa.Column("needs_key", sa.String(100), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("table_name", "row_key", name="uq_sync_deferred_key"),
    )
    op.create_index("ix_sync_deferred_needs", "sync_deferred", ["needs_table", "needs_key"])


def downgrade() -> None:
    op.drop_index("ix_sync_deferred_needs", table_name="sync_deferred")
    op.drop_table("sync_deferred")
