"""Staff sign-in and sign-out pages (sessions and CSRF tokens: ``api.web.access``)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CsrfField, DatabaseDep, OptionalStaffDep, require_role_on_form
from api.web.access import SESSION_COOKIE, csrf_for, csrf_ok, forbidden, set_csrf_cookie
from api.web.rendering import render
from assistant.store import Database, UserRepository, WebSessionRepository
from assistant.store.sign_in_guard import SignInGuard

router = APIRouter(tags=["pages"])


def _safe_next(target: str) -> str:
    # Only local paths: never redirect to another site after sign-in.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, user: OptionalStaffDep, next: str = "/") -> Response:
    """The sign-in form."""
    csrf = csrf_for(request, user)
    context = {"next": _safe_next(next), "error": None, "username": ""}
    response = render(request, "login.html", context, user=user, csrf=csrf)
    return set_csrf_cookie(request, response)


def _sign_in(database: Database, name: str, password: str, address: str) -> str | timedelta | None:
    """A session token; or how long this account/address is locked; or ``None`` (refused)."""
    with database.session() as session:
        guard = SignInGuard(session)
        locked = guard.locked_for(name, address)
        if locked:
            return locked
        user = UserRepository(session).authenticate(name, password)
        if user is None:
            guard.record_failure(name, address)
            return None
        guard.succeeded(name)
        return WebSessionRepository(session).start(user)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    database: DatabaseDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf: CsrfField = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the name and password, start a session and go to ``next``."""
    if not csrf_ok(request, None, csrf):
        return forbidden(request, None, "The form expired; reload the sign-in page.")
    address = request.client.host if request.client else "unknown"
    token = await run_in_threadpool(_sign_in, database, username, password, address)
    if not isinstance(token, str):
        if token is None:
            error, status, headers = "Unknown user name or wrong password.", 401, {}
        else:
            minutes = math.ceil(token.total_seconds() / 60)
            error = (
                "Too many failed sign-ins for this account or from this computer. Try again in "
                f"{minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator to "
                "unlock the account (chartready users unlock NAME)."
            )
            status, headers = 429, {"Retry-After": str(math.ceil(token.total_seconds()))}
        context = {"next": _safe_next(next), "error": error, "username": username}
        failed = render(
            request,
            "login.html",
            context,
            user=None,
            csrf=csrf_for(request, None),
            status_code=status,
        )
        failed.headers.update(headers)
        return set_csrf_cookie(request, failed)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _sign_out(database: Database, token: str) -> None:
    with database.session() as session:
        WebSessionRepository(session).end(token)


@router.post("/logout", dependencies=[Depends(require_role_on_form())])
async def logout(request: Request, database: DatabaseDep) -> Response:
    """End the session (any signed-in role, with the session's form token)."""
    await run_in_threadpool(_sign_out, database, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
