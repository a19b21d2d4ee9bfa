"""Web pages: the provider's pre-sign check, plus the staff pages mounted under this router.

Who may use the pre-sign page: a signed-in staff member; or, for plugins and scripts that
predate sign-in, anyone giving an API key in the form; or anyone on the machine itself when
``pages_open_on_loopback`` is set (the ``make run`` default). Nothing is stored unless a
signed-in user presses "Save this check": the note and its result then become a checked
worklist item (as an imported note does), which the page links to.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date
from functools import cache
from ipaddress import ip_address
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.authorization_checks import MAX_PATIENT_KEY, check_date, with_authorization_findings
from api.deps import CsrfField, DatabaseDep, OptionalStaffDep, RunnerDep, SettingsDep
from api.routes import audits, auth, authorizations, denials, worklist
from api.security import AuthError, authenticate_api_key
from api.service import known_payers, run_check
from api.web.access import csrf_for, csrf_ok, set_csrf_cookie
from api.web.rendering import (
    API_DIR,
    ehr_query,
    group_findings,
    highlight_segments,
    plain_input_error,
    render,
    top_factors,
)
from assistant.checks.claims import parse_claim
from assistant.errors import ClaimInputError, NoteInputError
from assistant.facts import ELEMENT_NAMES
from assistant.notes import MAX_NOTE_CHARS, validate_note_text
from assistant.pipeline import CheckResult
from assistant.rule_reference import rule_reference_body
from assistant.store import Database, SignedIn, WorklistItem, WorklistRepository

logger = logging.getLogger("chartready.pages")
_CODES = re.compile(r"[\s,;]+")
_STATIC = {"app.js": "text/javascript", "app.css": "text/css", "favicon.svg": "image/svg+xml"}


router = APIRouter(tags=["pages"])
router.include_router(auth.router)
router.include_router(worklist.router)
router.include_router(audits.router)
router.include_router(denials.router)
router.include_router(authorizations.router)


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _key_needed(request: Request, settings: SettingsDep, user: SignedIn | None) -> bool:
    if user is not None or not settings.auth_required:
        return False
    return not (settings.pages_open_on_loopback and _is_loopback(request))


def _form_defaults() -> dict[str, str]:
    return {
        "note": "",
        "payer": "commercial",
        "cpt": "",
        "icd10": "",
        "modifiers": "",
        "patient_key": "",
    }


def _claim_from_form(payer: str, cpt: str, icd10: str, modifiers: str) -> dict[str, Any] | None:
    codes = [c for c in _CODES.split(cpt.strip()) if c]
    if not codes:
        return None
    diagnoses = [c for c in _CODES.split(icd10.strip()) if c]
    mods = [c for c in _CODES.split(modifiers.strip()) if c]
    return {
        "payer": payer,
        "lines": [{"cpt": code, "modifiers": mods, "icd10": diagnoses} for code in codes],
    }


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, settings: SettingsDep, user: OptionalStaffDep) -> Response:
    """The pre-sign form."""
    response = render(
        request,
        "index.html",
        {
            "key_needed": _key_needed(request, settings, user),
            "error": None,
            "payers": known_payers(),
            "form": _form_defaults(),
        },
        user=user,
        csrf=csrf_for(request, user),
    )
    return set_csrf_cookie(request, response)


def review_context(text: str, check: CheckResult) -> dict[str, Any]:
    """What the review template shows for one checked note."""
    result = check.to_json_dict()
    documented = check.facts.elements.model_dump()
    findings = result["findings"]
    # Elements a finding of this note's checklists asks for; the rest nobody requires here.
    required = {
        concern.removeprefix("elements.")
        for finding in findings
        for concern in finding.get("concerns", [])
        if concern.startswith("elements.")
    }
    absent = [name for name in ELEMENT_NAMES if not documented[name]]
    return {
        "check": check,
        "facts": check.facts,
        "segments": highlight_segments(text, result["facts"].get("evidence", [])),
        "groups": group_findings(findings),
        "ehr_query": ehr_query(findings),
        "factors": top_factors(check.risk, check.findings),
        "present": [name for name in ELEMENT_NAMES if documented[name]],
        "missing": [name for name in absent if name in required],
        "also_absent": [name for name in absent if name not in required],
    }


def _save(
    database: Database,
    text: str,
    check: CheckResult,
    claim: dict[str, Any] | None,
    user: SignedIn,
    patient_key: str | None,
) -> WorklistItem:
    """Keep the checked note as a worklist item of the user's pre-sign saves of today.

    The note id is a fingerprint of the text, so saving the same draft twice keeps one item.
    """
    day = date.today()
    if claim is not None:
        claim = {**claim, "date_of_service": day.isoformat()}
    with database.session() as session:
        return WorklistRepository(session).save_checked(
            note_id="pre-sign-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
            note_text=text,
            payer=check.payer,
            claim=claim,
            result=check.to_json_dict(),
            user=user.name,
            day=day,
            patient_key=patient_key,
        )


async def _review(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    runner: RunnerDep,
    user: SignedIn | None,
    form: dict[str, str],
    api_key: str,
    csrf: str,
    save: bool,
) -> Response:
    key_needed = _key_needed(request, settings, user)
    token = csrf_for(request, user)

    def form_error(message: str, status: int) -> Response:
        response = render(
            request,
            "index.html",
            {"key_needed": key_needed, "error": message, "payers": known_payers(), "form": form},
            user=user,
            csrf=token,
            status_code=status,
        )
        return set_csrf_cookie(request, response)

    # Signed-in or saving: the form must carry its CSRF token. An anonymous preview (API key
    # or loopback) changes nothing and uses no cookie, so scripts may post it without one;
    # a token that is sent must still be valid.
    if (csrf or user is not None or save) and not csrf_ok(request, user, csrf):
        return form_error("The form expired; please submit it again.", 403)
    if save and user is None:
        return form_error("Sign in to save a check.", 401)
    if key_needed:
        try:
            await run_in_threadpool(authenticate_api_key, database, api_key.strip())
        except AuthError as exc:
            return form_error(f"API key refused: {exc}.", 401)
    try:
        text = validate_note_text(form["note"], "note")
    except NoteInputError as exc:
        return form_error(plain_input_error(exc), 422)
    payer = form["payer"]
    if payer not in known_payers():
        return form_error(f"Unknown payer {payer!r}.", 422)
    try:
        raw_claim = _claim_from_form(payer, form["cpt"], form["icd10"], form["modifiers"])
        claim = parse_claim(raw_claim, "claim") if raw_claim else None
    except ClaimInputError as exc:
        return form_error(plain_input_error(exc), 422)
    patient_key = form["patient_key"].strip()
    if len(patient_key) > MAX_PATIENT_KEY:
        return form_error(f"The patient key is longer than {MAX_PATIENT_KEY} characters.", 422)
    check = await run_check(runner, text, note_id="pasted-note", payer=payer, claim=claim)
    if patient_key:
        check = await run_in_threadpool(
            with_authorization_findings, database, check, patient_key, check_date(claim), claim
        )
    saved = None
    if save and user is not None:
        saved = await run_in_threadpool(
            _save, database, text, check, raw_claim, user, patient_key or None
        )
        wake = getattr(request.app.state, "clone_wake", None)
        if wake is not None:  # compare the saved note with earlier ones now
            wake.set()
    response = render(
        request,
        "review.html",
        {**review_context(text, check), "form": form, "saved": saved},
        user=user,
        csrf=token,
    )
    return set_csrf_cookie(request, response)


@router.post("/review", response_class=HTMLResponse)
async def review(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    runner: RunnerDep,
    user: OptionalStaffDep,
    # Longer than a note may be, so an over-long paste comes back in the form with a message.
    note: Annotated[str, Form(max_length=5 * MAX_NOTE_CHARS)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
    payer: Annotated[str, Form(max_length=50)] = "commercial",
    cpt: Annotated[str, Form(max_length=200)] = "",
    icd10: Annotated[str, Form(max_length=200)] = "",
    modifiers: Annotated[str, Form(max_length=100)] = "",
    # Longer than a key may be, so an over-long one comes back in the form with a message.
    patient_key: Annotated[str, Form(max_length=2 * MAX_PATIENT_KEY)] = "",
    csrf: CsrfField = "",
    save: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Check the pasted note: highlighted evidence, gaps by severity, verdict and risk.

    With a patient key, the note is also compared with the patient's stored prior
    authorizations (a mismatch is a finding). Stores the note and its result, as a checked
    worklist item, only when a signed-in user asks to save it.
    """
    form = {
        "note": note,
        "payer": payer,
        "cpt": cpt,
        "icd10": icd10,
        "modifiers": modifiers,
        "patient_key": patient_key,
    }
    return await _review(
        request, settings, database, runner, user, form, api_key, csrf, save == "yes"
    )


@router.get("/rules", response_class=HTMLResponse)
async def rules(request: Request, user: OptionalStaffDep) -> Response:
    """The rule reference: every rule's check, source, fix and examples (no sign-in needed)."""
    context = {"body": _rule_reference_body()}
    return render(request, "rules.html", context, user=user, csrf=csrf_for(request, user))


@cache
def _rule_reference_body() -> str:
    return rule_reference_body()


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The pages' own small stylesheet, script and icon (no build step)."""
    media_type = _STATIC.get(name)
    if media_type is None:
        return Response(status_code=404)
    return FileResponse(
        API_DIR / "static" / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/favicon.ico")
async def favicon() -> Response:
    """The icon where browsers look without a page's link (an opened chart or CSV)."""
    return await static("favicon.svg")
