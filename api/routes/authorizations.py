"""The pre-auth coordinator's page: four queues, and forms to record what comes in.

Coders and administrators (the roles that edit the worklist) keep the authorizations: the
page shows scheduled procedures with no authorization where the payer table asks for one,
authorizations about to expire, staged care whose next step needs a new request, and
requests pended for records. Two forms record an authorization request and a scheduled
procedure; a refused form comes back with what was typed and the reasons in words. Each
recorded authorization has a small form that moves its status on (pended, approved with
the payer's reference and decision date, denied, expired) or clears a wrong decision date;
a move that is not allowed comes back as the page with the reason and its code.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.authorizations import authorization_rules, change_status, coordinator_view
from api.deps import DatabaseDep, require_role, require_role_on_form
from api.service import known_payers
from api.web.rendering import render
from assistant.checks import load_registry
from assistant.errors import StatusChangeError, UnknownPayerError
from assistant.facts import FAMILIES, family_label
from assistant.preauth.tracking import (
    AUTHORIZATION_STATUSES,
    CLEAR_DATE,
    NEXT_STATUSES,
    STATUS_WORDS,
    Authorization,
    DecidedOn,
    ScheduledProcedure,
)
from assistant.store import AuthorizationRepository, Database, SignedIn

logger = logging.getLogger("chartready.authorizations")
router = APIRouter(prefix="/authorizations", tags=["pages"])
# The worklist's editors keep the authorizations (there is no separate coordinator role).
ROLES = ("coder", "admin")
Coordinator = Annotated[SignedIn, Depends(require_role(*ROLES))]
CoordinatorForm = Annotated[SignedIn, Depends(require_role_on_form(*ROLES))]
TextField = Annotated[str, Form(max_length=1000)]
DAY_CHOICES = (7, 14, 30, 60, 90)
SIDES = ("left", "right", "bilateral")
PLACES = (
    ("11", "Office (11)"),
    ("19", "Hospital outpatient, off campus (19)"),
    ("22", "Hospital outpatient, on campus (22)"),
    ("24", "Ambulatory surgical center (24)"),
)
SAVED = {
    "authorization": "Authorization recorded.",
    "procedure": "Scheduled procedure added.",
    "status": "Payer's answer recorded.",
}
LABELS = {
    "patient_key": "Patient key",
    "payer": "Payer",
    "family": "Procedure",
    "cpt_codes": "CPT codes",
    "levels": "Levels",
    "side": "Side",
    "number": "Authorization number",
    "status": "Status",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "units_allowed": "Visits allowed",
    "submitted_on": "Submitted on",
    "decided_on": "Decided on",
    "note": "Note",
    "date": "Date",
    "place_of_service": "Place of service",
}
# Where a pydantic error is, as a form names it: its location (``("levels", 0)``) in words.
Place = Callable[[tuple[int | str, ...]], str]


@dataclass(frozen=True)
class Forms:
    """What was typed in each form (kept when a form is refused) and why it was refused."""

    authorization: dict[str, str]
    procedure: dict[str, str]
    authorization_errors: tuple[str, ...] = ()
    procedure_errors: tuple[str, ...] = ()


def _blank(text: str) -> str | None:
    return text.strip() or None


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _field_place(loc: tuple[int | str, ...]) -> str:
    return LABELS.get(str(loc[0]), "Form") if loc else "Form"


def error_words(exc: ValidationError, place: Place = _field_place) -> list[str]:
    """Pydantic's errors for a form: where (``place`` names it) and what, one line each.

    A validator's own message loses pydantic's "Value error, " prefix: people read these.
    """
    return [
        f"{place(tuple(error['loc']))}: {str(error['msg']).removeprefix('Value error, ')}"
        for error in exc.errors()
    ]


R = TypeVar("R")


def _checked(
    form: dict[str, str], parse: Callable[[dict[str, str]], R]
) -> tuple[R | None, list[str]]:
    """The form parsed by ``parse``, or ``None`` with every problem in words (payer first)."""
    errors = _payer_problem(form["payer"])
    try:
        record = parse(form)
    except ValidationError as exc:
        return None, [*errors, *error_words(exc)]
    return (None, errors) if errors else (record, errors)


def _payer_problem(payer: str) -> list[str]:
    try:
        load_registry().payer(payer)
    except UnknownPayerError:
        return [
            f"Payer: {payer!r} is not a payer profile; choose one of {', '.join(known_payers())}"
        ]
    return []


def authorization_record(form: dict[str, str]) -> Authorization:
    """The typed authorization form as a record (raises ``ValidationError``)."""
    return Authorization.model_validate(
        {
            "patient_key": form["patient_key"].strip(),
            "payer": form["payer"],
            "family": form["family"],
            "cpt_codes": _list(form["cpt_codes"]),
            "levels": _list(form["levels"]),
            "side": _blank(form["side"]),
            "number": _blank(form["number"]),
            "status": form["status"],
            "valid_from": _blank(form["valid_from"]),
            "valid_to": _blank(form["valid_to"]),
            "units_allowed": _blank(form["units_allowed"]),
            "submitted_on": _blank(form["submitted_on"]),
            "decided_on": _blank(form["decided_on"]),
            "note": _blank(form["note"]),
        }
    )


def procedure_record(form: dict[str, str]) -> ScheduledProcedure:
    """The typed scheduling form as a record (raises ``ValidationError``)."""
    return ScheduledProcedure.model_validate(
        {
            "patient_key": form["patient_key"].strip(),
            "payer": form["payer"],
            "family": form["family"],
            "levels": _list(form["levels"]),
            "side": _blank(form["side"]),
            "date": _blank(form["date"]),
            "place_of_service": _blank(form["place_of_service"]),
        }
    )


EMPTY_AUTHORIZATION = dict.fromkeys(
    (
        "patient_key",
        "cpt_codes",
        "levels",
        "side",
        "number",
        "valid_from",
        "valid_to",
        "units_allowed",
        "submitted_on",
        "decided_on",
        "note",
    ),
    "",
) | {"payer": "medicare", "family": "facet_mbb", "status": "requested"}
EMPTY_PROCEDURE = dict.fromkeys(("patient_key", "levels", "side", "date"), "") | {
    "payer": "medicare",
    "family": "facet_mbb",
    "place_of_service": "22",
}


async def _page(
    request: Request,
    database: Database,
    user: SignedIn,
    *,
    days: int = 14,
    forms: Forms | None = None,
    notice: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The page; ``problem`` says why the payer's answer on a request was not recorded."""
    today = dt.date.today()
    view = await run_in_threadpool(coordinator_view, database, today, days)
    rules = authorization_rules()
    return render(
        request,
        "authorizations.html",
        {
            "worklist": view.worklist,
            "recent": view.recent,
            "rules": {rule.id: rule for rule in rules.rules},
            "today": today,
            "days": days,
            "day_choices": DAY_CHOICES,
            "forms": forms or Forms(dict(EMPTY_AUTHORIZATION), dict(EMPTY_PROCEDURE)),
            "notice": notice,
            "problem": problem,
            "families": [(family, family_label(family)) for family in FAMILIES],
            "payer_options": [(payer, payer) for payer in known_payers()],
            "side_options": [(side, side.capitalize()) for side in SIDES],
            "statuses": [(s, STATUS_WORDS[s]) for s in AUTHORIZATION_STATUSES],
            "status_words": STATUS_WORDS,
            "next_statuses": NEXT_STATUSES,
            "places": PLACES,
        },
        user=user,
        csrf=user.csrf_token,
        status_code=status,
    )


@router.get("", response_class=HTMLResponse)
async def coordinator_page(
    request: Request,
    database: DatabaseDep,
    user: Coordinator,
    days: Annotated[int, Query(ge=1, le=365)] = 14,
    saved: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The coordinator's four queues and the forms that feed them."""
    return await _page(request, database, user, days=days, notice=SAVED.get(saved))


def _add_authorization(database: Database, record: Authorization, user: SignedIn) -> int:
    with database.session() as session:
        values = record.model_dump(exclude={"id"})
        return AuthorizationRepository(session).add_authorization(values, user.name).id


def _add_procedure(database: Database, record: ScheduledProcedure, user: SignedIn) -> int:
    with database.session() as session:
        values = record.model_dump(exclude={"id"})
        return AuthorizationRepository(session).schedule(values, user.name).id


@router.post("", response_class=HTMLResponse)
async def add_authorization(
    request: Request,
    database: DatabaseDep,
    user: CoordinatorForm,
    patient_key: TextField = "",
    payer: TextField = "",
    family: TextField = "",
    cpt_codes: TextField = "",
    levels: TextField = "",
    side: TextField = "",
    number: TextField = "",
    status: TextField = "requested",
    valid_from: TextField = "",
    valid_to: TextField = "",
    units_allowed: TextField = "",
    submitted_on: TextField = "",
    decided_on: TextField = "",
    note: TextField = "",
) -> Response:
    """Record an authorization request (or the payer's decision on one)."""
    form = {
        "patient_key": patient_key,
        "payer": payer,
        "family": family,
        "cpt_codes": cpt_codes,
        "levels": levels,
        "side": side,
        "number": number,
        "status": status,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "units_allowed": units_allowed,
        "submitted_on": submitted_on,
        "decided_on": decided_on,
        "note": note,
    }
    record, errors = _checked(form, authorization_record)
    if record is None:
        forms = Forms(form, dict(EMPTY_PROCEDURE), authorization_errors=tuple(errors))
        return await _page(request, database, user, forms=forms, status=422)
    new_id = await run_in_threadpool(_add_authorization, database, record, user)
    logger.info("authorization %d recorded (%s, %s)", new_id, record.family, record.status)
    return RedirectResponse("/authorizations?saved=authorization", status_code=303)


@router.post("/{authorization_id}/status", response_class=HTMLResponse)
async def record_answer(
    request: Request,
    database: DatabaseDep,
    user: CoordinatorForm,
    authorization_id: int,
    status: TextField = "",
    number: TextField = "",
    decided_on: TextField = "",
    clear_decided_on: TextField = "",
) -> Response:
    """Record the payer's answer on a request: status, number and decision date.

    The "Clear date" box (``clear_decided_on``) removes a wrong decision date. A status the
    request cannot move to (``NEXT_STATUSES``: an expired authorization stays expired), a
    bad date, a date and the box together, or an unknown id comes back as the page saying
    why, a refusal of the rule with its code; nothing is changed.
    """
    problems = []
    if status not in AUTHORIZATION_STATUSES:
        problems.append(f"Status: choose one of {', '.join(AUTHORIZATION_STATUSES)}.")
    decided: DecidedOn = None
    if clear_decided_on and decided_on.strip():
        problems.append("Decided on: enter a date or tick Clear date, not both.")
    elif clear_decided_on:
        decided = CLEAR_DATE
    elif decided_on.strip():
        try:
            decided = dt.date.fromisoformat(decided_on.strip())
        except ValueError:
            problems.append("Decided on: enter a date as YYYY-MM-DD.")
    if not problems:
        try:
            changed = await run_in_threadpool(
                change_status,
                database,
                authorization_id,
                status,
                today=dt.date.today(),
                decided_on=decided,
                number=number,
            )
        except StatusChangeError as exc:  # in words, the code kept for the administrator
            problems.append(f"{str(exc)[:1].upper()}{str(exc)[1:]} ({exc.code}).")
        else:
            if changed is None:
                problems.append(f"There is no authorization #{authorization_id}.")
    if problems:
        problem = "Nothing was changed. " + " ".join(problems)
        return await _page(request, database, user, problem=problem, status=422)
    return RedirectResponse("/authorizations?saved=status", status_code=303)


@router.post("/scheduled", response_class=HTMLResponse)
async def add_scheduled(
    request: Request,
    database: DatabaseDep,
    user: CoordinatorForm,
    patient_key: TextField = "",
    payer: TextField = "",
    family: TextField = "",
    levels: TextField = "",
    side: TextField = "",
    date: TextField = "",
    place_of_service: TextField = "",
) -> Response:
    """Add a procedure to the schedule the worklist compares with the authorizations."""
    form = {
        "patient_key": patient_key,
        "payer": payer,
        "family": family,
        "levels": levels,
        "side": side,
        "date": date,
        "place_of_service": place_of_service,
    }
    record, errors = _checked(form, procedure_record)
    if record is None:
        forms = Forms(dict(EMPTY_AUTHORIZATION), form, procedure_errors=tuple(errors))
        return await _page(request, database, user, forms=forms, status=422)
    new_id = await run_in_threadpool(_add_procedure, database, record, user)
    logger.info("scheduled procedure %d added (%s)", new_id, record.family)
    return RedirectResponse("/authorizations?saved=procedure", status_code=303)
