"""Staff sign-in for the web pages: server-side sessions and CSRF tokens on every form.

The session cookie holds a random token; the store keeps only its SHA-256, the user and a
per-session CSRF token (``assistant.store.staff``). Before sign-in, forms carry a
double-submit token: a random value in a ``SameSite=Strict`` cookie that the form must echo.
The JSON API is unaffected: it keeps using API keys (Bearer).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import DatabaseDep
from api.routes.web import render
from assistant.store import Database, SessionRepository, SignedIn, UserRepository

SESSION_COOKIE = "chartready_session"
CSRF_COOKIE = "chartready_csrf"
router = APIRouter(tags=["pages"])


def _resolve(database: Database, token: str) -> SignedIn | None:
    with database.session() as session:
        return SessionRepository(session).resolve(token)


async def current_user(request: Request, database: Database) -> SignedIn | None:
    """The signed-in staff member of this request, if any (looked up once per request)."""
    if hasattr(request.state, "staff"):
        cached: SignedIn | None = request.state.staff
        return cached
    token = request.cookies.get(SESSION_COOKIE, "")
    user = await run_in_threadpool(_resolve, database, token) if token else None
    request.state.staff = user
    return user


def csrf_for(request: Request, user: SignedIn | None) -> str:
    """The token forms on this page must carry: the session's, else the browser cookie's."""
    if user is not None:
        return user.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


def set_csrf_cookie(request: Request, response: Response) -> Response:
    """Send the anonymous CSRF cookie if this request created one."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


def csrf_ok(request: Request, user: SignedIn | None, submitted: str) -> bool:
    """True when the submitted form token matches (constant-time)."""
    expected = user.csrf_token if user else request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode())


def forbidden(request: Request, user: SignedIn | None, message: str) -> HTMLResponse:
    """A 403 page saying why."""
    csrf = csrf_for(request, user)
    response = render(
        request,
        "message.html",
        {"title": "Not allowed", "message": message},
        user=user,
        csrf=csrf,
        status_code=403,
    )
    set_csrf_cookie(request, response)
    return response


async def require_staff(request: Request, database: Database, *roles: str) -> SignedIn | Response:
    """The signed-in user if their role is in ``roles``; else a login redirect or a 403 page."""
    user = await current_user(request, database)
    if user is None:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    if roles and user.role not in roles:
        return forbidden(request, user, f"Your role ({user.role}) cannot open this page.")
    return user


async def require_form(
    request: Request, database: Database, csrf: str, *roles: str
) -> SignedIn | Response:
    """``require_staff`` for a form post, plus the CSRF check (403 when it fails)."""
    user = await require_staff(request, database, *roles)
    if isinstance(user, Response):
        return user
    if not csrf_ok(request, user, csrf):
        return forbidden(request, user, "The form expired or did not come from this site.")
    return user


def _safe_next(target: str) -> str:
    # Only local paths: never redirect to another site after sign-in.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, database: DatabaseDep, next: str = "/") -> Response:
    """The sign-in form."""
    user = await current_user(request, database)
    csrf = csrf_for(request, user)
    response = render(
        request, "login.html", {"next": _safe_next(next), "error": None}, user=user, csrf=csrf
    )
    return set_csrf_cookie(request, response)


def _sign_in(database: Database, name: str, password: str) -> str | None:
    with database.session() as session:
        user = UserRepository(session).authenticate(name, password)
        if user is None:
            return None
        return SessionRepository(session).start(user)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    database: DatabaseDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the name and password, start a session and go to ``next``."""
    if not csrf_ok(request, None, csrf):
        return forbidden(request, None, "The form expired; reload the sign-in page.")
    token = await run_in_threadpool(_sign_in, database, username, password)
    if token is None:
        failed = render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": "Unknown user name or wrong password."},
            user=None,
            csrf=csrf_for(request, None),
            status_code=401,
        )
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
        SessionRepository(session).end(token)


@router.post("/logout")
async def logout(
    request: Request,
    database: DatabaseDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """End the session."""
    user = await require_form(request, database, csrf)
    if isinstance(user, Response):
        return user
    await run_in_threadpool(_sign_out, database, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
