"""delegates.merged_into: the uid of the record that stands for a merged person ('' = not merged)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A uid, not an id: ids differ between databases, and desks learn the link by sync.
    with op.batch_alter_table("delegates") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(36), nullable=False, server_default=""))
    # Decisions taken before desks acted on them (0013) take effect now: the other record of a
    # MERGE points at the kept one. The organiser's chains were not possible then (one pair at
    # a time, kept on either side), so one step is the final record.
    op.execute(
        "UPDATE delegates SET merged_into = (SELECT k.uid FROM import_same_person p"
        " JOIN delegates k ON k.id = p.kept_id"
        " WHERE p.decision = 'merge' AND delegates.id IN (p.delegate_id, p.other_id)"
        " AND delegates.id != p.kept_id LIMIT 1)"
        " WHERE id IN (SELECT CASE WHEN kept_id = delegate_id THEN other_id ELSE delegate_id END"
        " FROM import_same_person WHERE decision = 'merge')")
    op.create_index("ix_delegates_merged", "delegates", ["merged_into"],
                    sqlite_where=sa.text("merged_into != ''"), postgresql_where=sa.text("merged_into != ''"))


def downgrade() -> None:
    op.drop_index("ix_delegates_merged", "delegates")
    with op.batch_alter_table("delegates") as batch:
        batch.drop_column("merged_into")
