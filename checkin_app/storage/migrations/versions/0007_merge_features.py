"""merge the feature branches (security, badges, import, hub) into one line

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | tuple[str, ...] | None = ("0003", "0004", "0005", "0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nothing to change: the four feature migrations are independent; this joins their heads
    # so future migrations have a single parent.
    pass


def downgrade() -> None:
    pass
