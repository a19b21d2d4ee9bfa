"""Tables: API keys, stored checks, CDS feedback, and the web app's users, worklist, audits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now, for defaults."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base for every ChartReady table."""


class ApiKey(Base):
    """A plugin's API key: only its SHA-256 hash and a short display prefix are kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def active(self) -> bool:
        """True until the key is revoked."""
        return self.revoked_at is None


class StoredCheck(Base):
    """A check result kept because the caller asked (``store=true``); no note text."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(String(200))
    note_sha256: Mapped[str] = mapped_column(String(64), index=True)
    payer: Mapped[str] = mapped_column(String(50))
    verdict: Mapped[str] = mapped_column(String(50))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    api_key_name: Mapped[str | None] = mapped_column(String(100), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CdsFeedback(Base):
    """One CDS Hooks feedback item: a card accepted or overridden, with the reason."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100))
    card_uuid: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    override_reason_code: Mapped[str | None] = mapped_column(String(100), default=None)
    override_reason_display: Mapped[str | None] = mapped_column(String(300), default=None)
    override_comment: Mapped[str | None] = mapped_column(String(2000), default=None)
    outcome_timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---- web app: staff users, sessions, worklist, overrides, audits --------------------------

Role = Literal["provider", "coder", "quality_lead", "admin"]
ROLES: tuple[Role, ...] = ("provider", "coder", "quality_lead", "admin")
QueueStatus = Literal["pending", "running", "done", "failed"]
ReviewStatus = Literal["to_review", "queried", "fixed", "ready_to_bill"]
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("to_review", "queried", "fixed", "ready_to_bill")


class User(Base):
    """A staff member who signs in to the web pages; only a scrypt hash of the password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class SignInFailure(Base):
    """One failed sign-in: the name tried and the client address (for throttling)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Batch(Base):
    """One worklist import (a CSV or JSONL file) and who imported it."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorklistItem(Base):
    """One imported note: its text (explicitly imported), claim, queue state and result.

    ``queue_status`` drives the background checks (see ``assistant.store.worklist_queue``);
    ``review_status`` is the coder's own progress on the item.
    """

    __tablename__ = "worklist_items"
    __table_args__ = (UniqueConstraint("batch_id", "note_id", name="uq_worklist_batch_note"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    note_id: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(100), index=True)
    date_of_service: Mapped[date] = mapped_column(Date, index=True)
    payer: Mapped[str] = mapped_column(String(50))
    # The practice's pseudonymous patient key (optional): links the note to the patient's
    # stored authorizations. Never logged.
    patient_key: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    note_text: Mapped[str] = mapped_column(Text)
    claim: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    charge_total: Mapped[float] = mapped_column(Float, default=0.0)
    queue_status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    verdict: Mapped[str | None] = mapped_column(String(50), default=None)
    family: Mapped[str | None] = mapped_column(String(30), default=None)
    risk_probability: Mapped[float | None] = mapped_column(Float, default=None)
    risk_band: Mapped[str | None] = mapped_column(String(10), default=None)
    priority: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    review_status: Mapped[str] = mapped_column(String(20), default="to_review")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Override(Base):
    """A coder overriding one finding on one item: who, when, why (a retraining label)."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(1000))
    user_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Audit(Base):
    """A monthly mini-audit: month, sample size per provider and the seed that drew it."""

    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    per_provider: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Sampled items since deleted under the retention policy (``assistant.store.retention``):
    # the report marks them as purged instead of dropping them from the sample silently.
    purged_item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
