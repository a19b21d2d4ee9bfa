"""Repositories: the only code that issues queries; each takes an open session."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assistant.store.models import ApiKey, CdsFeedback, StoredCheck, utcnow

KEY_PREFIX = "crk_"
_PREFIX_SHOWN = 12


def hash_api_key(key: str) -> str:
    """SHA-256 hex of a key; keys are 256-bit random so a fast hash is sufficient."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: ``secret`` is shown once and never stored."""

    id: int
    name: str
    prefix: str
    secret: str


class ApiKeyRepository:
    """Create, find, list and revoke API keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str) -> NewApiKey:
        """Create a key named ``name`` (unique); raise ``ValueError`` if the name is taken."""
        name = name.strip()
        if not name:
            raise ValueError("the key name is empty")
        if self.session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
            raise ValueError(f"a key named {name!r} already exists")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(name=name, prefix=secret[:_PREFIX_SHOWN], key_hash=hash_api_key(secret))
        self.session.add(row)
        self.session.flush()
        return NewApiKey(id=row.id, name=row.name, prefix=row.prefix, secret=secret)

    def find(self, id_or_name: str) -> ApiKey | None:
        """A key by numeric id or by name."""
        clauses = [ApiKey.name == id_or_name]
        if id_or_name.isdigit():
            clauses.append(ApiKey.id == int(id_or_name))
        return self.session.scalar(select(ApiKey).where(or_(*clauses)).order_by(ApiKey.id))

    def revoke(self, id_or_name: str) -> ApiKey | None:
        """Revoke a key (idempotent); ``None`` when no key matches."""
        row = self.find(id_or_name)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
        return row

    def list_keys(self) -> Sequence[ApiKey]:
        """Every key, oldest first."""
        return self.session.scalars(select(ApiKey).order_by(ApiKey.id)).all()


class CheckRepository:
    """Checks kept on request."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        note_id: str,
        note_sha256: str,
        payer: str,
        verdict: str,
        result: dict[str, Any],
        api_key_name: str | None = None,
        request_id: str | None = None,
    ) -> StoredCheck:
        """Store one check result and return the row (with its id)."""
        row = StoredCheck(
            note_id=note_id,
            note_sha256=note_sha256,
            payer=payer,
            verdict=verdict,
            result=result,
            api_key_name=api_key_name,
            request_id=request_id,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, check_id: int) -> StoredCheck | None:
        """One stored check by id."""
        return self.session.get(StoredCheck, check_id)


class FeedbackRepository:
    """CDS Hooks feedback on cards."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        service_id: str,
        card_uuid: str,
        outcome: str,
        outcome_timestamp: datetime,
        accepted_suggestions: list[str] | None = None,
        override_reason_code: str | None = None,
        override_reason_display: str | None = None,
        override_comment: str | None = None,
        client: str | None = None,
    ) -> CdsFeedback:
        """Store one feedback item."""
        row = CdsFeedback(
            service_id=service_id,
            card_uuid=card_uuid,
            outcome=outcome,
            outcome_timestamp=outcome_timestamp,
            accepted_suggestions=accepted_suggestions or [],
            override_reason_code=override_reason_code,
            override_reason_display=override_reason_display,
            override_comment=override_comment,
            client=client,
        )
        self.session.add(row)
        self.session.flush()
        return row
