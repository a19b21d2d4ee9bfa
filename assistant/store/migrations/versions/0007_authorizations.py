"""Prior authorizations, scheduled procedures, and the patient key of worklist items.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the authorization tables; add ``worklist_items.patient_key``."""
    op.create_table(
        "authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.String(length=100), nullable=False),
        sa.Column("payer", sa.String(length=50), nullable=False),
        sa.Column("family", sa.String(length=30), nullable=False),
        sa.Column("cpt_codes", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("units_allowed", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_authorizations_patient_key"), "authorizations", ["patient_key"])
    op.create_index(op.f("ix_authorizations_status"), "authorizations", ["status"])
    op.create_index(op.f("ix_authorizations_valid_to"), "authorizations", ["valid_to"])
    op.create_table(
        "scheduled_procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.String(length=100), nullable=False),
        sa.Column("family", sa.String(length=30), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=50), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_scheduled_procedures_patient_key"), "scheduled_procedures", ["patient_key"]
    )
    op.create_index(op.f("ix_scheduled_procedures_date"), "scheduled_procedures", ["date"])
    with op.batch_alter_table("worklist_items") as batch:
        batch.add_column(sa.Column("patient_key", sa.String(length=100), nullable=True))
        batch.create_index(batch.f("ix_worklist_items_patient_key"), ["patient_key"])


def downgrade() -> None:
    """Drop the authorization tables and ``worklist_items.patient_key``."""
    with op.batch_alter_table("worklist_items") as batch:
        batch.drop_index(batch.f("ix_worklist_items_patient_key"))
        batch.drop_column("patient_key")
    op.drop_index(op.f("ix_scheduled_procedures_date"), table_name="scheduled_procedures")
    op.drop_index(op.f("ix_scheduled_procedures_patient_key"), table_name="scheduled_procedures")
    op.drop_table("scheduled_procedures")
    op.drop_index(op.f("ix_authorizations_valid_to"), table_name="authorizations")
    op.drop_index(op.f("ix_authorizations_status"), table_name="authorizations")
    op.drop_index(op.f("ix_authorizations_patient_key"), table_name="authorizations")
    op.drop_table("authorizations")
