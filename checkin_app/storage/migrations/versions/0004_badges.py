"""badges: print queue and print log

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("badge_serial", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(100), nullable=False),
        sa.Column("printer", sa.String(300), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("desk", sa.String(100), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["delegate_id"], ["delegates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_print_jobs_state", "print_jobs", ["state", "id"])
    op.create_index("ix_print_jobs_delegate", "print_jobs", ["delegate_id"])
    op.create_table(
        "badge_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("job_uuid", sa.String(36), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("badge_serial", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(100), nullable=False),
        sa.Column("desk", sa.String(100), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("printer", sa.String(300), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["delegate_id"], ["delegates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_badge_prints_delegate_serial", "badge_prints", ["delegate_id", "badge_serial"])


def downgrade() -> None:
    op.drop_index("ix_badge_prints_delegate_serial", table_name="badge_prints")
    op.drop_table("badge_prints")
    op.drop_index("ix_print_jobs_delegate", table_name="print_jobs")
    op.drop_index("ix_print_jobs_state", table_name="print_jobs")
    op.drop_table("print_jobs")
