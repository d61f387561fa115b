"""import_same_person: the organiser's merge / keep-apart decision per pair of delegates of two sources

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from checkin_app.storage.models import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    delegate_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "import_same_person",
        sa.Column("delegate_id", delegate_id, sa.ForeignKey("delegates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("other_id", delegate_id, sa.ForeignKey("delegates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("kept_id", delegate_id, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("desk", sa.String(100), nullable=False),
    )
    op.create_index("ix_import_same_person_other", "import_same_person", ["other_id"])


def downgrade() -> None:
    op.drop_index("ix_import_same_person_other", "import_same_person")
    op.drop_table("import_same_person")
