"""registration import: presets, runs, private data, key hashes, import-granted admissions

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_presets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("config_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("desk", sa.String(100), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
    )
    op.create_table(
        "delegate_private",
        sa.Column("delegate_id", sa.Integer(),
                  sa.ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(300), nullable=False),
    )
    op.create_table(
        "import_keys",
        sa.Column("key_field", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("delegate_id", sa.Integer(),
                  sa.ForeignKey("delegates.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_import_keys_delegate", "import_keys", ["delegate_id"])
    op.create_table(
        "import_admissions",
        sa.Column("delegate_id", sa.Integer(),
                  sa.ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("activity_id", sa.Integer(),
                  sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_admissions")
    op.drop_index("ix_import_keys_delegate", table_name="import_keys")
    op.drop_table("import_keys")
    op.drop_table("delegate_private")
    op.drop_table("import_runs")
    op.drop_table("import_presets")
