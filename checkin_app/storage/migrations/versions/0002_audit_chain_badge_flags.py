"""audit hash chain, badge-outdated flag, walk-in origin desk

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("delegates") as batch:
        batch.add_column(sa.Column("badge_outdated", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("registered_by_desk", sa.String(100), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("delegates") as batch:
        batch.drop_column("registered_by_desk")
        batch.drop_column("badge_outdated")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
