"""Stored authorizations meet the checks and the coordinator page.

The store keeps the rows; ``assistant.preauth`` judges records. This face reads one and
hands the other: the coordinator's four queues, a change of a request's status (the page
and ``chartready authorizations update``), and the worklist check of a note whose patient
has an authorization on file (a note that does not match it gets warnings, and the verdict
and risk are recomputed with them). Patient keys are never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from api.authorization_checks import with_authorization_findings
from assistant.checks import load_registry
from assistant.checks.claims import parse_claim
from assistant.pipeline import CheckResult
from assistant.preauth.authorization_rules import AuthorizationRules, load_authorization_rules
from assistant.preauth.coordinator import CoordinatorWorklist, coordinator_worklist
from assistant.preauth.tracking import (
    Authorization,
    DecidedOn,
    authorizations_from,
    scheduled_from,
    with_status,
)
from assistant.store import AuthorizationRepository, Database, WorklistItem

logger = logging.getLogger("chartready.authorizations")


def authorization_rules() -> AuthorizationRules:
    """The payer authorization table beside the configured checklists."""
    return load_authorization_rules(load_registry())


@dataclass(frozen=True)
class CoordinatorView:
    """What the coordinator page shows: the four queues and the newest authorizations."""

    worklist: CoordinatorWorklist
    recent: list[Authorization]


def coordinator_view(
    database: Database, today: dt.date, days: int, recent: int = 50
) -> CoordinatorView:
    """The four queues and the ``recent`` newest authorizations, from one read of the store."""
    with database.session() as session:
        repo = AuthorizationRepository(session)
        authorizations = authorizations_from(repo.authorizations())
        scheduled = scheduled_from(repo.scheduled())
    worklist = coordinator_worklist(scheduled, authorizations, authorization_rules(), today, days)
    return CoordinatorView(worklist, authorizations[:recent])  # stored newest first


def change_status(
    database: Database,
    authorization_id: int,
    status: str,
    *,
    today: dt.date,
    decided_on: DecidedOn = None,
    number: str | None = None,
) -> Authorization | None:
    """Record the payer's answer on a stored request; None when there is no such id.

    ``decided_on`` is a date, ``CLEAR_DATE`` to clear the stored one, or None to keep it.

    Raises:
        StatusChangeError: the change is not allowed (see
            :func:`assistant.preauth.tracking.with_status`); nothing is changed.
    """
    with database.session() as session:
        repo = AuthorizationRepository(session)
        row = repo.authorization(authorization_id, for_update=True)
        if row is None:
            return None
        current = Authorization.model_validate(row, from_attributes=True)
        changed = with_status(current, status, today=today, decided_on=decided_on, number=number)
        repo.set_status(
            authorization_id, changed.status, number=changed.number, decided_on=changed.decided_on
        )
    logger.info("authorization %d: %s -> %s", authorization_id, current.status, changed.status)
    return changed


def review_with_authorizations(
    database: Database, item: WorklistItem, result: dict[str, Any]
) -> dict[str, Any]:
    """The worklist result of ``item`` with authorization mismatches added (if any).

    Only items imported with a patient key whose patient has an authorization on file
    are compared; others come back unchanged.
    """
    if not item.patient_key:
        return result
    checked = CheckResult.model_validate(result)
    claim = parse_claim(item.claim, f"item {item.id} claim") if item.claim else None
    reviewed = with_authorization_findings(
        database, checked, item.patient_key, item.date_of_service, claim
    )
    return result if reviewed is checked else reviewed.to_json_dict()
