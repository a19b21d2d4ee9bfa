"""Run a check for the API: validate the payer, read and check off the event loop, store."""

from __future__ import annotations

import hashlib
from functools import partial

from fastapi.concurrency import run_in_threadpool

from api.authorization_checks import check_date, with_authorization_findings
from api.problems import ProblemError
from api.runner import PipelineRunner
from api.schemas import CheckPublic, CheckRequest, VersionsPublic
from api.security import Principal
from assistant import __version__
from assistant.checks import Claim, ProcedureHistory, load_registry
from assistant.pipeline import CheckResult, check_note
from assistant.store import CheckRepository, Database


def known_payers() -> list[str]:
    """Payer profile ids the registry knows."""
    return sorted(load_registry().payers)


def require_payer(payer: str) -> None:
    """Refuse an unknown payer with a 422 naming the known ones."""
    payers = known_payers()
    if payer not in payers:
        raise ProblemError(
            422, f"Unknown payer {payer!r}; known: {', '.join(payers)}.", slug="unknown-payer"
        )


async def run_check(
    runner: PipelineRunner,
    text: str,
    *,
    note_id: str,
    payer: str,
    claim: Claim | None = None,
    history: ProcedureHistory | None = None,
) -> CheckResult:
    """Read and check one note in a reader process (or the runner's thread)."""
    require_payer(payer)
    call = partial(check_note, text, note_id=note_id, payer=payer, claim=claim, history=history)
    return await runner.run(call, weight=len(text))


def to_public(result: CheckResult, note_id: str, stored_id: int | None = None) -> CheckPublic:
    """The API shape of a result, with every version that shaped it."""
    risk_model = result.risk.model_version if result.risk is not None else None
    return CheckPublic(
        note_id=note_id,
        payer=result.payer,
        verdict=result.verdict,
        risk=result.risk,
        findings=result.findings,
        checklists=result.checklists,
        facts=result.facts,
        em=result.em,
        versions=VersionsPublic(
            api=__version__,
            reader=result.reader_version,
            checklists={c.id: c.version for c in result.checklists},
            risk_model=risk_model,
        ),
        stored_id=stored_id,
    )


def _store(
    database: Database,
    text: str,
    note_id: str,
    result: CheckResult,
    principal: Principal,
    request_id: str | None,
) -> int:
    with database.session() as session:
        row = CheckRepository(session).add(
            note_id=note_id,
            note_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            payer=result.payer,
            verdict=result.verdict,
            result=result.to_json_dict(),
            api_key_name=principal.name,
            request_id=request_id,
        )
        return row.id


async def check_request(
    body: CheckRequest,
    text: str,
    note_id: str,
    *,
    runner: PipelineRunner,
    database: Database,
    principal: Principal,
    request_id: str | None,
) -> CheckPublic:
    """One ``POST /v1/checks`` item end to end; stores only when ``store`` is true.

    With a ``patient_key`` the note is also compared with the patient's stored prior
    authorizations (each mismatch a finding, verdict and risk recomputed); what is stored
    is that result.
    """
    result = await run_check(
        runner, text, note_id=note_id, payer=body.payer, claim=body.claim, history=body.history
    )
    if body.patient_key is not None:
        result = await run_in_threadpool(
            with_authorization_findings,
            database,
            result,
            body.patient_key,
            check_date(body.claim),
            body.claim,
        )
    stored_id = None
    if body.store:
        stored_id = await run_in_threadpool(
            _store, database, text, note_id, result, principal, request_id
        )
    return to_public(result, note_id, stored_id)
