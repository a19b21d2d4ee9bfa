"""A checked note compared with its patient's stored authorizations: one helper, every face.

The worklist, ``POST /v1/checks``, the pre-sign page and ``chartready check`` all add the
authorization warnings through :func:`with_authorization_findings`: it reads the patient's
authorizations (and the procedures already done, for the visit count) from the store,
compares each procedure of the note with them
(:func:`assistant.preauth.mismatch.authorization_findings`) and adds what differs with the
verdict and risk recomputed (:func:`assistant.pipeline.with_findings`). The CDS
``order-sign`` service reads the same records through :func:`patient_authorizations`.

It lives beside the API because it is the one layer that may read the store and call
``assistant.preauth`` (the checks engine never reads the store); the CLI imports it as a
face. Patient keys and note text are never logged.
"""

from __future__ import annotations

import datetime as dt
import logging

from assistant.checks import Claim
from assistant.pipeline import CheckResult, with_findings
from assistant.preauth.mismatch import authorization_findings
from assistant.preauth.tracking import (
    Authorization,
    ScheduledProcedure,
    authorizations_from,
    scheduled_from,
)
from assistant.store import AuthorizationRepository, Database

logger = logging.getLogger("chartready.authorizations")
MAX_PATIENT_KEY = 100  # as long as the store keeps it


def patient_authorizations(
    database: Database, patient_key: str
) -> tuple[list[Authorization], list[ScheduledProcedure]]:
    """The patient's stored authorizations and scheduled or done procedures.

    The procedures are read only when the patient has an authorization on file (they
    matter only for counting the visits one allows).
    """
    with database.session() as session:
        repo = AuthorizationRepository(session)
        authorizations = authorizations_from(repo.authorizations(patient_key))
        done = scheduled_from(repo.scheduled(patient_key)) if authorizations else []
    return authorizations, done


def with_authorization_findings(
    database: Database,
    result: CheckResult,
    patient_key: str,
    date_of_service: dt.date,
    claim: Claim | None = None,
) -> CheckResult:
    """``result`` with a warning for each way the note differs from the patient's authorization.

    Only the authorizations of the payer the note was checked for are compared; ``claim``
    (the one the note was checked with) gives the billed codes. ``result`` itself comes
    back, unchanged, when nothing is added: no authorization on file, or the note matches.
    """
    authorizations, done = patient_authorizations(database, patient_key)
    if not authorizations:
        return result
    findings = authorization_findings(
        result.facts,
        authorizations,
        date_of_service,
        payer=result.payer,
        billed_codes=[line.cpt for line in claim.lines] if claim else (),
        done=done,
    )
    if not findings:
        return result
    logger.info("%d authorization warning(s) added to a check", len(findings))
    return with_findings(result, findings, claim)


def check_date(claim: Claim | None) -> dt.date:
    """The date a check compares with the authorization window: the claim's, else today."""
    if claim is not None and claim.date_of_service is not None:
        return claim.date_of_service
    return dt.date.today()
