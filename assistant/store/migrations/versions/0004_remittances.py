"""Imported X12 835 remittances: files, claims, service lines and CAS adjustments.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the remittance tables."""
    op.create_table(
        "remittance_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "remittance_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("transaction_control", sa.String(length=9), nullable=False),
        sa.Column("payer_name", sa.String(length=60), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("trace_number", sa.String(length=50), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("status", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("billed_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("patient_responsibility_cents", sa.Integer(), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("original_reference", sa.String(length=50), nullable=True),
        sa.Column("statement_date", sa.Date(), nullable=True),
        sa.Column("rendering_npi", sa.String(length=80), nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.Column("worklist_item_id", sa.Integer(), nullable=True),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("match", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["remittance_files.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["worklist_item_id"], ["worklist_items.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["check_id"], ["checks.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_claims_file_id"), "remittance_claims", ["file_id"], unique=False
    )
    op.create_index(
        op.f("ix_remittance_claims_patient_control_number"),
        "remittance_claims",
        ["patient_control_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remittance_claims_worklist_item_id"),
        "remittance_claims",
        ["worklist_item_id"],
        unique=False,
    )
    op.create_table(
        "remittance_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=48), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("units", sa.Float(), nullable=True),
        sa.Column("billed_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.String(length=10), nullable=True),
        sa.Column("denied_cents", sa.Integer(), nullable=False),
        sa.Column("claim_line_index", sa.Integer(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=True),
        sa.Column("flagged_rules", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["remittance_claims.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_lines_claim_id"), "remittance_lines", ["claim_id"], unique=False
    )
    op.create_index(
        op.f("ix_remittance_lines_date_of_service"),
        "remittance_lines",
        ["date_of_service"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remittance_lines_outcome"), "remittance_lines", ["outcome"], unique=False
    )
    op.create_table(
        "remittance_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("group_code", sa.String(length=2), nullable=False),
        sa.Column("reason_code", sa.String(length=5), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["remittance_claims.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["line_id"], ["remittance_lines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_adjustments_claim_id"),
        "remittance_adjustments",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remittance_adjustments_line_id"),
        "remittance_adjustments",
        ["line_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the remittance tables."""
    op.drop_index(op.f("ix_remittance_adjustments_line_id"), table_name="remittance_adjustments")
    op.drop_index(op.f("ix_remittance_adjustments_claim_id"), table_name="remittance_adjustments")
    op.drop_table("remittance_adjustments")
    op.drop_index(op.f("ix_remittance_lines_outcome"), table_name="remittance_lines")
    op.drop_index(op.f("ix_remittance_lines_date_of_service"), table_name="remittance_lines")
    op.drop_index(op.f("ix_remittance_lines_claim_id"), table_name="remittance_lines")
    op.drop_table("remittance_lines")
    op.drop_index(op.f("ix_remittance_claims_worklist_item_id"), table_name="remittance_claims")
    op.drop_index(
        op.f("ix_remittance_claims_patient_control_number"), table_name="remittance_claims"
    )
    op.drop_index(op.f("ix_remittance_claims_file_id"), table_name="remittance_claims")
    op.drop_table("remittance_claims")
    op.drop_table("remittance_files")
