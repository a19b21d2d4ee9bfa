"""Staff access to the web pages: the session cookie, CSRF tokens, and refusals.

The session cookie holds a random token; the store keeps only its SHA-256, the user and a
per-session CSRF token (``assistant.store.staff``). Before sign-in, forms carry a
double-submit token: a random value in a ``SameSite=Strict`` cookie that the form must echo.
A page that needs a signed-in user raises :class:`SignInRequired` or :class:`NotAllowed`
(see ``api.deps.require_role``); the handlers installed here turn them into a redirect to
the sign-in page or a 403 page. The JSON API is unaffected: it uses API keys (Bearer).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.problems import on_http, on_validation, problem_response
from api.web.rendering import render
from assistant.store import SignedIn

SESSION_COOKIE = "chartready_session"
CSRF_COOKIE = "chartready_csrf"


class SignInRequired(Exception):
    """Nobody is signed in on a page that needs a staff member: send them to sign in."""


class NotAllowed(Exception):
    """The caller may not do this (role, or a stale form): answered with a 403 page."""

    def __init__(self, user: SignedIn | None, message: str) -> None:
        super().__init__(message)
        self.user = user
        self.message = message


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
    return error_page(request, 403, "Not allowed", message, user)


# Machine clients (JSON API, CDS Hooks, health, OpenAPI) always get problem+json.
API_PATHS = ("/v1/", "/cds-services", "/healthz", "/readyz", "/docs", "/openapi.json", "/static/")
# What a person sees instead of a problem body, by status.
PAGE_ERRORS = {
    404: (
        "Page not found",
        "There is no page at this address. Use the links above, or go back to the start page.",
    ),
    405: (
        "Not available this way",
        "This page cannot be opened by its address (to sign out, "
        "use the Sign out button). Go back to the start page.",
    ),
    413: (
        "Too much to send at once",
        "What you sent is larger than this server accepts, so nothing was read or kept. "
        "Check a long note in parts (for example the procedure section on its own), or "
        "split a large batch file into smaller files and import each. Go back to try again.",
    ),
    422: (
        "Address not understood",
        "Part of this address is not valid (an item or audit "
        "number must be a whole number). Go back and follow a link instead.",
    ),
}


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not an API client): it gets HTML errors."""
    path = request.url.path
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not any(path.startswith(p) for p in API_PATHS)


def error_page(
    request: Request, status: int, title: str, message: str, user: SignedIn | None = None
) -> HTMLResponse:
    """A styled error page in the user's words, with the way back."""
    response = render(
        request,
        "message.html",
        {"title": title, "message": message},
        user=user,
        csrf=csrf_for(request, user),
        status_code=status,
    )
    set_csrf_cookie(request, response)
    return response


def refusal(request: Request, status: int, detail: str, slug: str) -> Response:
    """A refusal for whoever asked: a page in words for a person, problem+json for a client.

    For refusals made outside the routes (the body size limit), where no handler runs.
    """
    if wants_page(request) and status in PAGE_ERRORS:
        title, message = PAGE_ERRORS[status]
        return error_page(request, status, title, message)
    return problem_response(request, status, detail, slug=slug)


async def _on_http_for_people(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not wants_page(request) or exc.status_code not in PAGE_ERRORS:
        return await on_http(request, exc)
    title, message = PAGE_ERRORS[exc.status_code]
    return error_page(request, exc.status_code, title, message)


async def _on_validation_for_people(request: Request, exc: Exception) -> Response:
    if not wants_page(request) or request.method != "GET":
        return await on_validation(request, exc)
    title, message = PAGE_ERRORS[422]
    return error_page(request, 422, title, message)


async def _on_sign_in_required(request: Request, _exc: Exception) -> Response:
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return RedirectResponse(f"/login?next={target}", status_code=303)


async def _on_not_allowed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotAllowed)
    return forbidden(request, exc.user, exc.message)


def install_access_handlers(app: FastAPI) -> None:
    """Answer :class:`SignInRequired` and :class:`NotAllowed`, and HTTP errors for people."""
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.add_exception_handler(NotAllowed, _on_not_allowed)
    # After the problem handlers: these replace them for people, and call them otherwise.
    app.add_exception_handler(StarletteHTTPException, _on_http_for_people)
    app.add_exception_handler(RequestValidationError, _on_validation_for_people)
