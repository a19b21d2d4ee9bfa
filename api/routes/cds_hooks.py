"""CDS Hooks 2.0 endpoints: discovery, the note-check service and card feedback."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from fastapi.concurrency import run_in_threadpool

from api.cds.cards import cards_for, unreadable_note_card
from api.cds.discovery import SERVICE_ID, SERVICE_IDS, SUPPORTED_HOOKS, discovery
from api.cds.inputs import claim_from_orders, find_note
from api.cds.payer_choice import cds_coverage_map, choose_payer
from api.cds.wire import CdsDiscovery, CdsRequest, CdsResponse, FeedbackPublic, FeedbackRequest
from api.deps import CdsPrincipalDep, DatabaseDep, RunnerDep, SettingsDep
from api.examples import request_examples, response_examples
from api.problems import FhirInputError, ProblemError
from api.service import run_check
from api.settings import Settings
from assistant.store import Database, FeedbackRepository

router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])


ServiceId = Annotated[str, Path(max_length=100, examples=[SERVICE_ID])]
_DISCOVERY_EXAMPLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": discovery().model_dump(exclude_none=True)}}}
}


@router.get(
    "",
    response_model=CdsDiscovery,
    response_model_exclude_none=True,
    responses=_DISCOVERY_EXAMPLE,
)
async def cds_discovery() -> CdsDiscovery:
    """CDS Hooks discovery (unauthenticated, as the specification expects)."""
    return discovery()


def _review_url(request: Request, settings: Settings) -> str:
    base = settings.public_base_url or str(request.base_url)
    return base.rstrip("/") + "/"


def _require_service(service_id: str) -> None:
    if service_id not in SERVICE_IDS:
        raise ProblemError(404, f"No CDS service {service_id!r}.", slug="not-found")


_HOOK_EXAMPLES = ("cds_note_sign", "cds_encounter_discharge")


@router.post(
    "/{service_id}",
    response_model=CdsResponse,
    response_model_exclude_none=True,
    responses=response_examples(*_HOOK_EXAMPLES),
)
async def cds_call(
    service_id: ServiceId,
    body: Annotated[CdsRequest, Body(openapi_examples=request_examples(*_HOOK_EXAMPLES))],
    request: Request,
    settings: SettingsDep,
    runner: RunnerDep,
    _caller: CdsPrincipalDep,
) -> CdsResponse:
    """Check the note for encounter-discharge, order-sign or note-sign; answer with cards.

    The payer profile comes from the ``coverage`` prefetch (the primary active Coverage,
    mapped by the coverage map); without a readable Coverage the default payer is used.
    Every card's detail names the profile and why it was chosen.
    """
    _require_service(service_id)
    if body.hook not in SUPPORTED_HOOKS:
        raise ProblemError(400, f"Hook {body.hook!r} is not served here.", slug="unknown-hook")
    review_url = _review_url(request, settings)
    try:
        found = find_note(body)
    except FhirInputError as exc:
        return CdsResponse(cards=[unreadable_note_card(exc, review_url)])
    if found is None:
        return CdsResponse(cards=[])
    text, note_id = found
    coverage = (body.prefetch or {}).get("coverage")
    payer = choose_payer(
        coverage, cds_coverage_map(settings.cds_coverage_map), settings.cds_default_payer
    )
    result = await run_check(
        runner, text, note_id=note_id, payer=payer.payer, claim=claim_from_orders(body)
    )
    return CdsResponse(cards=cards_for(result, review_url, payer))


def _store_feedback(database: Database, service_id: str, body: FeedbackRequest, client: str) -> int:
    with database.session() as session:
        repository = FeedbackRepository(session)
        for item in body.feedback:
            reason = item.overrideReason
            when = item.outcomeTimestamp
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            repository.add(
                service_id=service_id,
                card_uuid=item.card,
                outcome=item.outcome,
                outcome_timestamp=when,
                accepted_suggestions=[s.id for s in item.acceptedSuggestions or []],
                override_reason_code=reason.reason.code if reason and reason.reason else None,
                override_reason_display=reason.reason.display if reason and reason.reason else None,
                override_comment=reason.userComment if reason else None,
                client=client,
            )
        return len(body.feedback)


@router.post(
    "/{service_id}/feedback",
    status_code=200,
    response_model=FeedbackPublic,
    responses=response_examples("cds_feedback"),
)
async def cds_feedback(
    service_id: ServiceId,
    body: Annotated[FeedbackRequest, Body(openapi_examples=request_examples("cds_feedback"))],
    database: DatabaseDep,
    caller: CdsPrincipalDep,
) -> FeedbackPublic:
    """Store accepted/overridden outcomes (with reasons) for cards this service returned."""
    _require_service(service_id)
    stored = await run_in_threadpool(_store_feedback, database, service_id, body, caller.name)
    return FeedbackPublic(stored=stored)
