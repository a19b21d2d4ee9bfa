"""Tables for imported X12 835 remittances: file, claim, service line, adjustment.

Amounts are integer cents (exact on SQLite and PostgreSQL alike). No patient names are
stored: a claim keeps its patient control number (CLP01, the practice's own claim/note id)
and the payer's claim number, which is how it is matched to the chart checked earlier.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models import Base, utcnow


class RemittanceFile(Base):
    """One imported 835 file; its SHA-256 makes a second import of the same file a no-op."""

    __tablename__ = "remittance_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    claims: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RemittanceClaim(Base):
    """One CLP loop: the payer, status, amounts, and the worklist item it was matched to."""

    __tablename__ = "remittance_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("remittance_files.id", ondelete="CASCADE"), index=True
    )
    transaction_control: Mapped[str] = mapped_column(String(9))
    payer_name: Mapped[str] = mapped_column(String(60))
    payer_id: Mapped[str | None] = mapped_column(String(80), default=None)
    payment_date: Mapped[date | None] = mapped_column(Date, default=None)
    trace_number: Mapped[str | None] = mapped_column(String(50), default=None)
    patient_control_number: Mapped[str] = mapped_column(String(38), index=True)
    status: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(12))
    billed_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer)
    patient_responsibility_cents: Mapped[int] = mapped_column(Integer, default=0)
    payer_claim_number: Mapped[str | None] = mapped_column(String(50), default=None)
    original_reference: Mapped[str | None] = mapped_column(String(50), default=None)
    statement_date: Mapped[date | None] = mapped_column(Date, default=None)
    rendering_npi: Mapped[str | None] = mapped_column(String(80), default=None)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    worklist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="SET NULL"), index=True, default=None
    )
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("checks.id", ondelete="SET NULL"), default=None
    )
    match: Mapped[str] = mapped_column(String(30), default="unmatched")


class RemittanceLine(Base):
    """One service line (SVC) with its outcome, main denial reason and pre-billing flags."""

    __tablename__ = "remittance_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("remittance_claims.id", ondelete="CASCADE"), index=True
    )
    line_number: Mapped[int] = mapped_column(Integer)
    procedure: Mapped[str] = mapped_column(String(48))
    modifiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    units: Mapped[float | None] = mapped_column(Float, default=None)
    billed_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer)
    date_of_service: Mapped[date | None] = mapped_column(Date, index=True, default=None)
    remarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(24), index=True)
    category: Mapped[str | None] = mapped_column(String(30), default=None)
    reason: Mapped[str | None] = mapped_column(String(10), default=None)
    denied_cents: Mapped[int] = mapped_column(Integer, default=0)
    claim_line_index: Mapped[int | None] = mapped_column(Integer, default=None)
    flagged: Mapped[bool | None] = mapped_column(Boolean, default=None)
    flagged_rules: Mapped[list[str]] = mapped_column(JSON, default=list)


class RemittanceAdjustment(Base):
    """One CAS triplet, on a line or (``line_id`` empty) on the claim, with its category."""

    __tablename__ = "remittance_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("remittance_claims.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("remittance_lines.id", ondelete="CASCADE"), index=True, default=None
    )
    group_code: Mapped[str] = mapped_column(String(2))
    reason_code: Mapped[str] = mapped_column(String(5))
    amount_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[float | None] = mapped_column(Float, default=None)
    category: Mapped[str] = mapped_column(String(30))
