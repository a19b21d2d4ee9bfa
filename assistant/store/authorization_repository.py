"""Record and read authorizations and scheduled procedures (the coordinator's store).

Values arrive already validated (``assistant.preauth.tracking`` records dumped to dicts by
the CLI and the pages); this layer only keeps and returns rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.authorization_tables import StoredAuthorization, StoredScheduledProcedure
from assistant.store.models import utcnow

_AUTHORIZATION_FIELDS = frozenset(
    {
        "patient_key",
        "payer",
        "family",
        "cpt_codes",
        "levels",
        "side",
        "number",
        "status",
        "valid_from",
        "valid_to",
        "units_allowed",
        "submitted_on",
        "decided_on",
        "note",
    }
)
_SCHEDULE_FIELDS = frozenset(
    {"patient_key", "family", "levels", "side", "date", "payer", "place_of_service"}
)


def _only(values: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """The known columns of ``values``; an unknown key is a programming error."""
    unknown = set(values) - allowed - {"id"}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    return {key: value for key, value in values.items() if key in allowed}


class AuthorizationRepository:
    """Authorizations and scheduled procedures of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_authorization(self, values: Mapping[str, Any], created_by: str) -> StoredAuthorization:
        """Keep one authorization request (``values``: the record's fields)."""
        row = StoredAuthorization(**_only(values, _AUTHORIZATION_FIELDS), created_by=created_by)
        self.session.add(row)
        self.session.flush()
        return row

    def schedule(self, values: Mapping[str, Any], created_by: str) -> StoredScheduledProcedure:
        """Keep one scheduled procedure (``values``: the record's fields)."""
        row = StoredScheduledProcedure(**_only(values, _SCHEDULE_FIELDS), created_by=created_by)
        self.session.add(row)
        self.session.flush()
        return row

    def authorization(
        self, authorization_id: int, *, for_update: bool = False
    ) -> StoredAuthorization | None:
        """One authorization by id, or None when there is none.

        ``for_update`` locks its row until the session ends (on PostgreSQL), so that two
        status changes of one request do not interleave.
        """
        return self.session.get(StoredAuthorization, authorization_id, with_for_update=for_update)

    def set_status(
        self,
        authorization_id: int,
        status: str,
        *,
        number: str | None,
        decided_on: dt.date | None,
    ) -> StoredAuthorization | None:
        """Record the payer's answer on a request; None when there is no such request.

        ``number`` and ``decided_on`` are written as given, None as NULL: the caller passes
        the changed record's own values (:func:`assistant.preauth.tracking.with_status`
        keeps the stored ones or clears them).
        """
        row = self.session.get(StoredAuthorization, authorization_id)
        if row is None:
            return None
        row.status = status
        row.number = number
        row.decided_on = decided_on
        row.updated_at = utcnow()
        return row

    def authorizations(self, patient_key: str | None = None) -> list[StoredAuthorization]:
        """Every authorization (of one patient when given), newest first."""
        query = select(StoredAuthorization).order_by(StoredAuthorization.id.desc())
        if patient_key is not None:
            query = query.where(StoredAuthorization.patient_key == patient_key)
        return list(self.session.scalars(query))

    def scheduled(
        self, patient_key: str | None = None, since: dt.date | None = None
    ) -> list[StoredScheduledProcedure]:
        """Scheduled procedures (one patient's, on or after ``since``), in date order."""
        query = select(StoredScheduledProcedure).order_by(
            StoredScheduledProcedure.date, StoredScheduledProcedure.id
        )
        if patient_key is not None:
            query = query.where(StoredScheduledProcedure.patient_key == patient_key)
        if since is not None:
            query = query.where(StoredScheduledProcedure.date >= since)
        return list(self.session.scalars(query))
