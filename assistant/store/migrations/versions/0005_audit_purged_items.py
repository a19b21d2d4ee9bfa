"""Audits remember which sampled items were purged under the retention policy.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``audits.purged_item_ids`` (an empty list for existing audits)."""
    with op.batch_alter_table("audits") as batch:
        batch.add_column(
            sa.Column("purged_item_ids", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    """Drop ``audits.purged_item_ids``."""
    with op.batch_alter_table("audits") as batch:
        batch.drop_column("purged_item_ids")
