"""Web app tables: staff users, sessions, worklist batches and items, overrides, audits.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the web app's tables."""
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("per_provider", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audits_month"), "audits", ["month"], unique=False)
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "worklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=50), nullable=False),
        sa.Column("note_text", sa.Text(), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=True),
        sa.Column("charge_total", sa.Float(), nullable=False),
        sa.Column("queue_status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("verdict", sa.String(length=50), nullable=True),
        sa.Column("family", sa.String(length=30), nullable=True),
        sa.Column("risk_probability", sa.Float(), nullable=True),
        sa.Column("risk_band", sa.String(length=10), nullable=True),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "note_id", name="uq_worklist_batch_note"),
    )
    op.create_index(
        op.f("ix_worklist_items_batch_id"), "worklist_items", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_worklist_items_date_of_service"),
        "worklist_items",
        ["date_of_service"],
        unique=False,
    )
    op.create_index(
        op.f("ix_worklist_items_priority"), "worklist_items", ["priority"], unique=False
    )
    op.create_index(
        op.f("ix_worklist_items_provider"), "worklist_items", ["provider"], unique=False
    )
    op.create_index(
        op.f("ix_worklist_items_queue_status"), "worklist_items", ["queue_status"], unique=False
    )
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=50), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["worklist_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_overrides_item_id"), "overrides", ["item_id"], unique=False)


def downgrade() -> None:
    """Drop the web app's tables."""
    op.drop_index(op.f("ix_overrides_item_id"), table_name="overrides")
    op.drop_table("overrides")
    op.drop_index(op.f("ix_worklist_items_queue_status"), table_name="worklist_items")
    op.drop_index(op.f("ix_worklist_items_provider"), table_name="worklist_items")
    op.drop_index(op.f("ix_worklist_items_priority"), table_name="worklist_items")
    op.drop_index(op.f("ix_worklist_items_date_of_service"), table_name="worklist_items")
    op.drop_index(op.f("ix_worklist_items_batch_id"), table_name="worklist_items")
    op.drop_table("worklist_items")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
    op.drop_table("batches")
    op.drop_index(op.f("ix_audits_month"), table_name="audits")
    op.drop_table("audits")
