"""Tables: API keys (hashed), checks stored on request, and CDS Hooks card feedback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
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
