"""Clone-note flags on worklist items: scans, MinHash signatures and matching pairs.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``clone_scans``, ``clone_signatures`` and ``clone_links``."""
    op.create_table(
        "clone_scans",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("detector", sa.String(length=200), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["worklist_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "clone_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["worklist_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_clone_signatures_item_id"), "clone_signatures", ["item_id"])
    op.create_table(
        "clone_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("match_item_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("whole_note", sa.Boolean(), nullable=False),
        sa.Column("earlier", sa.Boolean(), nullable=True),
        sa.Column("same_provider", sa.Boolean(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("identical_sections", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["worklist_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["match_item_id"], ["worklist_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "match_item_id", name="uq_clone_link_pair"),
    )
    op.create_index(op.f("ix_clone_links_item_id"), "clone_links", ["item_id"])
    op.create_index(op.f("ix_clone_links_match_item_id"), "clone_links", ["match_item_id"])


def downgrade() -> None:
    """Drop the clone tables."""
    op.drop_index(op.f("ix_clone_links_match_item_id"), table_name="clone_links")
    op.drop_index(op.f("ix_clone_links_item_id"), table_name="clone_links")
    op.drop_table("clone_links")
    op.drop_index(op.f("ix_clone_signatures_item_id"), table_name="clone_signatures")
    op.drop_table("clone_signatures")
    op.drop_table("clone_scans")
