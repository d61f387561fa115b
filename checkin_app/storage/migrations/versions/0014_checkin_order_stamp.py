"""checkins.order_at: the order stamp of each event (domain.presence), the same at every replica

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from checkin_app.storage.models import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("order_at", UTCDateTime(), nullable=True))
    # Events stored before stamps are ordered by their own time, as a desk without stamps sends them.
    op.execute("UPDATE checkins SET order_at = at")
    with op.batch_alter_table("checkins") as batch:
        batch.alter_column("order_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("order_at")
