"""sync badge prints and badge serial revocations: a local "the hub has it" flag on each

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before this revision were never pushed: they start as not synced.
    with op.batch_alter_table("badge_prints") as batch:
        batch.add_column(sa.Column("synced", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_badge_prints_synced", ["synced", "id"])
    with op.batch_alter_table("badge_revocations") as batch:
        batch.add_column(sa.Column("synced", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("badge_revocations") as batch:
        batch.drop_column("synced")
    with op.batch_alter_table("badge_prints") as batch:
        batch.drop_index("ix_badge_prints_synced")
        batch.drop_column("synced")
