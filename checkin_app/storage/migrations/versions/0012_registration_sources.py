"""registration sources: a delegate's source list and number in it, the sources, identity hashes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from checkin_app.storage.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delegates") as batch:
        batch.add_column(sa.Column("source", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_code", sa.String(64), nullable=False, server_default=""))
    # People imported before sources had names belong to the unnamed source "", with the number
    # they were imported under.
    op.execute("UPDATE delegates SET source_code = registration_code WHERE walk_in = 0"
               if op.get_bind().dialect.name == "sqlite"
               else "UPDATE delegates SET source_code = registration_code WHERE NOT walk_in")
    op.create_index("uq_delegates_source_code", "delegates", ["source", "source_code"], unique=True,
                    sqlite_where=sa.text("source_code != ''"),
                    postgresql_where=sa.text("source_code != ''"))
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("source", sa.String(100), nullable=False, server_default=""))
    op.create_table(
        "import_sources",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("code_width", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(24), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "import_identities",
        sa.Column("delegate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("hash", sa.String(64), primary_key=True),
    )
    op.create_index("ix_import_identities_hash", "import_identities", ["hash"])


def downgrade() -> None:
    op.drop_index("ix_import_identities_hash", "import_identities")
    op.drop_table("import_identities")
    op.drop_table("import_sources")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("source")
    op.drop_index("uq_delegates_source_code", "delegates")
    with op.batch_alter_table("delegates") as batch:
        batch.drop_column("source_code")
        batch.drop_column("source")
