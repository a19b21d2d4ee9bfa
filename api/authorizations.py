"""Stored authorizations meet the checks and the coordinator page.

The store keeps the rows; ``assistant.preauth`` judges records. This face reads one and
hands the other: the coordinator's four queues, and the worklist check of a note whose
patient has an authorization on file (a note that does not match it gets warnings, and
the verdict and risk are recomputed with them). Patient keys are never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from assistant.checks import load_registry
from assistant.checks.claims import parse_claim
from assistant.pipeline import CheckResult, with_findings
from assistant.preauth.authorization_rules import AuthorizationRules, load_authorization_rules
from assistant.preauth.coordinator import CoordinatorWorklist, coordinator_worklist
from assistant.preauth.mismatch import authorization_findings
from assistant.preauth.tracking import Authorization, authorizations_from, scheduled_from
from assistant.store import AuthorizationRepository, Database, WorklistItem

logger = logging.getLogger("chartready.authorizations")


def authorization_rules() -> AuthorizationRules:
    """The payer authorization table beside the configured checklists."""
    return load_authorization_rules(load_registry())


def coordinator_view(database: Database, today: dt.date, days: int) -> CoordinatorWorklist:
    """The coordinator's four queues from everything stored."""
    with database.session() as session:
        repo = AuthorizationRepository(session)
        authorizations = authorizations_from(repo.authorizations())
        scheduled = scheduled_from(repo.scheduled())
    return coordinator_worklist(scheduled, authorizations, authorization_rules(), today, days)


def recent_authorizations(database: Database, limit: int = 50) -> list[Authorization]:
    """The newest authorizations, for the page's list."""
    with database.session() as session:
        return authorizations_from(AuthorizationRepository(session).authorizations()[:limit])


def review_with_authorizations(
    database: Database, item: WorklistItem, result: dict[str, Any]
) -> dict[str, Any]:
    """The worklist result of ``item`` with authorization mismatches added (if any).

    Only items imported with a patient key whose patient has an authorization on file
    are compared; others come back unchanged.
    """
    if not item.patient_key:
        return result
    with database.session() as session:
        repo = AuthorizationRepository(session)
        authorizations = authorizations_from(repo.authorizations(item.patient_key))
        done = scheduled_from(repo.scheduled(item.patient_key))
    if not authorizations:
        return result
    checked = CheckResult.model_validate(result)
    claim = parse_claim(item.claim, f"item {item.id} claim") if item.claim else None
    findings = authorization_findings(
        checked.facts,
        authorizations,
        item.date_of_service,
        payer=item.payer,
        billed_codes=[line.cpt for line in claim.lines] if claim else (),
        done=done,
    )
    if not findings:
        return result  # nothing to add: the stored check stands as it is
    logger.info("worklist item %d: %d authorization warning(s)", item.id, len(findings))
    return with_findings(checked, findings, claim).to_json_dict()
