"""event definition: once-per-day entry, doors after, archived activities, category aliases and badges

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("doors_after_minutes", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("once_per_day", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("admits_all", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("except_categories", sa.Text(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("archived", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("badge_template", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("aliases", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("default_activities", sa.Text(), nullable=False,
                                   server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        for name in ("default_activities", "aliases", "badge_template"):
            batch.drop_column(name)
    with op.batch_alter_table("activities") as batch:
        for name in ("archived", "except_categories", "admits_all", "once_per_day",
                     "doors_after_minutes"):
            batch.drop_column(name)
