"""CDS Hooks 2.0 endpoints: discovery, the note-check and prior-authorization services, feedback."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from fastapi.concurrency import run_in_threadpool

from api.authorization_checks import MAX_PATIENT_KEY, patient_authorizations
from api.cds.authorization import authorization_card, order_authorization
from api.cds.cards import cards_for, unreadable_note_card
from api.cds.discovery import (
    PREAUTH_SERVICE_ID,
    SERVICE_ID,
    SERVICE_IDS,
    SUPPORTED_HOOKS,
    discovery,
)
from api.cds.inputs import claim_from_orders, find_note, procedure_orders
from api.cds.payer_choice import cds_coverage_map, choose_payer
from api.cds.wire import CdsDiscovery, CdsRequest, CdsResponse, FeedbackPublic, FeedbackRequest
from api.deps import CdsPrincipalDep, DatabaseDep, RunnerDep, SettingsDep
from api.examples import request_examples, response_examples
from api.problems import FhirInputError, ProblemError
from api.service import require_payer, run_check
from api.settings import Settings
from assistant.checks import load_registry
from assistant.preauth.authorization_rules import load_authorization_rules
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


def _patient_key(body: CdsRequest) -> str:
    """``context.patientId``: the key the patient's authorizations are recorded under."""
    key = body.context.get("patientId")
    if not isinstance(key, str) or not 0 < len(key.strip()) <= MAX_PATIENT_KEY:
        raise ProblemError(
            400,
            f"context.patientId must be the patient's id (1 to {MAX_PATIENT_KEY} characters).",
            slug="cds-context",
        )
    return key.strip()


async def _authorization_cards(
    body: CdsRequest, request: Request, settings: Settings, database: Database
) -> CdsResponse:
    """The prior-authorization service: one card per procedure order (``order-sign`` only)."""
    if body.hook != "order-sign":
        raise ProblemError(
            400,
            f"Hook {body.hook!r} is not served by {PREAUTH_SERVICE_ID}; it answers order-sign.",
            slug="unknown-hook",
        )
    patient_key = _patient_key(body)
    coverage = (body.prefetch or {}).get("coverage")
    payer = choose_payer(
        coverage, cds_coverage_map(settings.cds_coverage_map), settings.cds_default_payer
    )
    require_payer(payer.payer)
    registry = load_registry()
    orders = procedure_orders(body, registry.coding.codes, date.today())
    if not orders:
        return CdsResponse(cards=[])
    rules = load_authorization_rules(registry)
    authorizations, done = await run_in_threadpool(patient_authorizations, database, patient_key)
    packet_url = _review_url(request, settings) + "preauth"
    decisions = [
        order_authorization(order, payer.payer, patient_key, authorizations, done, rules)
        for order in orders
    ]
    return CdsResponse(cards=[authorization_card(d, payer, packet_url, rules) for d in decisions])


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
    database: DatabaseDep,
    _caller: CdsPrincipalDep,
) -> CdsResponse:
    """Check the note for encounter-discharge, order-sign or note-sign; answer with cards.

    The payer profile comes from the ``coverage`` prefetch (the primary active Coverage,
    mapped by the coverage map); without a readable Coverage the default payer is used.
    Every card's detail names the profile and why it was chosen.

    The prior-authorization service (``order-sign``) answers each procedure order instead:
    whether this payer and place of service need authorization for it and whether one on
    file for ``context.patientId`` covers it. Draft orders it cannot read, or a CPT code it
    does not know, are refused with a 400 problem.
    """
    _require_service(service_id)
    if body.hook not in SUPPORTED_HOOKS:
        raise ProblemError(400, f"Hook {body.hook!r} is not served here.", slug="unknown-hook")
    if service_id == PREAUTH_SERVICE_ID:
        return await _authorization_cards(body, request, settings, database)
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
