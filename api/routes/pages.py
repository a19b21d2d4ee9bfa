"""Minimal provider pre-sign pages: paste a note, see what it documents and what is missing.

The form asks for an API key unless the browser is on the same machine and
``pages_open_on_loopback`` is set (the ``make run`` default).
"""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import DatabaseDep, RunnerDep, SettingsDep
from api.security import AuthError, authenticate_api_key
from api.service import known_payers, run_check
from assistant.errors import NoteInputError
from assistant.facts import ELEMENT_NAMES
from assistant.notes import validate_note_text

router = APIRouter(tags=["pages"])
# Located from this file: under pytest, ``tests/api`` can shadow the name ``api`` as a
# namespace package, so ``importlib.resources.files("api")`` is not reliable there.
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _key_needed(request: Request, settings: SettingsDep) -> bool:
    if not settings.auth_required:
        return False
    return not (settings.pages_open_on_loopback and _is_loopback(request))


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The pre-sign form."""
    return templates.TemplateResponse(
        request=request,
        name="index.html",
        context={
            "key_needed": _key_needed(request, settings),
            "error": None,
            "payers": known_payers(),
        },
    )


@router.post("/review", response_class=HTMLResponse)
async def review(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    runner: RunnerDep,
    note: Annotated[str, Form(max_length=200_000)],
    api_key: Annotated[str, Form(max_length=200)] = "",
    payer: Annotated[str, Form(max_length=50)] = "commercial",
) -> HTMLResponse:
    """Check the pasted note and show the verdict, findings and facts (nothing is stored)."""
    key_needed = _key_needed(request, settings)

    def form_error(message: str, status: int) -> HTMLResponse:
        return templates.TemplateResponse(
            request=request,
            name="index.html",
            context={"key_needed": key_needed, "error": message, "payers": known_payers()},
            status_code=status,
        )

    if key_needed:
        try:
            await run_in_threadpool(authenticate_api_key, database, api_key.strip())
        except AuthError as exc:
            return form_error(f"API key refused: {exc}.", 401)
    try:
        text = validate_note_text(note, "note")
    except NoteInputError as exc:
        return form_error(f"{exc.code}: {exc}", 422)
    if payer not in known_payers():
        return form_error(f"Unknown payer {payer!r}.", 422)
    check = await run_check(runner, text, note_id="pasted-note", payer=payer)
    facts = check.facts
    documented = facts.elements.model_dump()
    return templates.TemplateResponse(
        request=request,
        name="review.html",
        context={
            "facts": facts,
            "present": [name for name in ELEMENT_NAMES if documented[name]],
            "absent": [name for name in ELEMENT_NAMES if not documented[name]],
            "check": check,
        },
    )
