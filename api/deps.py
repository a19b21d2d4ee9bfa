"""FastAPI dependencies as ``Annotated`` aliases: settings, store, caller, runner, staff user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ProblemError
from api.runner import PipelineRunner
from api.security import (
    AuthError,
    Principal,
    authenticate_api_key,
    looks_like_jwt,
    verify_cds_jwt,
)
from api.settings import Settings
from api.web.access import SESSION_COOKIE, NotAllowed, SignInRequired, csrf_ok
from assistant.store import Database, SignedIn, WebSessionRepository

_bearer = HTTPBearer(auto_error=False, description="An API key or a CDS Hooks client JWT.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="chartready"'}


# The plain dependencies below are ``async def`` on purpose: FastAPI runs a plain ``def``
# dependency in the thread pool, which cost three thread hops per request for attribute reads.


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """The app's store (opened in the lifespan)."""
    database: Database | None = getattr(request.app.state, "database", None)
    if database is None:
        raise ProblemError(503, "The service is starting; retry shortly.", slug="not-ready")
    return database


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, slug="unauthorized", headers=_CHALLENGE)


def _audience(request: Request, settings: Settings) -> str:
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + request.url.path
    return str(request.url.replace(query=None, fragment=None))


async def _authenticate(
    request: Request,
    settings: Settings,
    database: Database,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    jwt_only: bool,
) -> Principal:
    if not settings.auth_required:
        return Principal("anonymous", "anonymous")
    if credentials is None or not credentials.credentials:
        raise _unauthorized("Send 'Authorization: Bearer <API key>'.")
    token = credentials.credentials
    try:
        if settings.cds_jwt_issuers and looks_like_jwt(token):
            return verify_cds_jwt(settings, token, _audience(request, settings))
        if jwt_only:
            raise AuthError("this service requires a CDS Hooks client JWT")
        return await run_in_threadpool(authenticate_api_key, database, token)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from None


async def require_principal(
    request: Request, settings: SettingsDep, database: DatabaseDep, credentials: BearerDep
) -> Principal:
    """The authenticated caller of an API route (API key, or JWT when configured)."""
    return await _authenticate(request, settings, database, credentials, jwt_only=False)


async def require_cds_principal(
    request: Request, settings: SettingsDep, database: DatabaseDep, credentials: BearerDep
) -> Principal:
    """The caller of a CDS Hooks route: a JWT when ``cds_jwt_required``, else either."""
    return await _authenticate(
        request, settings, database, credentials, jwt_only=settings.cds_jwt_required
    )


PrincipalDep = Annotated[Principal, Depends(require_principal)]
CdsPrincipalDep = Annotated[Principal, Depends(require_cds_principal)]


async def get_runner(request: Request) -> PipelineRunner:
    """The app's pipeline runner (reader processes, or a thread)."""
    runner: PipelineRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[PipelineRunner, Depends(get_runner)]


def _resolve_session(database: Database, token: str) -> SignedIn | None:
    with database.session() as session:
        return WebSessionRepository(session).resolve(token)


async def get_signed_in(request: Request, database: DatabaseDep) -> SignedIn | None:
    """The staff member signed in on this browser (session cookie), if any."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return await run_in_threadpool(_resolve_session, database, token) if token else None


OptionalStaffDep = Annotated[SignedIn | None, Depends(get_signed_in)]
CsrfField = Annotated[str, Form(max_length=100)]
StaffDependency = Callable[..., Awaitable[SignedIn]]


def _in_role(user: SignedIn | None, roles: tuple[str, ...]) -> SignedIn:
    if user is None:
        raise SignInRequired
    if roles and user.role not in roles:
        raise NotAllowed(user, f"Your role ({user.role}) cannot open this page.")
    return user


def require_role(*roles: str) -> StaffDependency:
    """A dependency giving the signed-in user whose role is in ``roles`` (any role if none).

    Nobody signed in raises :class:`SignInRequired` (a redirect to sign in); another role
    raises :class:`NotAllowed` (a 403 page).
    """

    async def signed_in_with_role(user: OptionalStaffDep) -> SignedIn:
        return _in_role(user, roles)

    return signed_in_with_role


def require_role_on_form(*roles: str) -> StaffDependency:
    """:func:`require_role` for a form post, which must also carry the session's CSRF token."""

    async def signed_in_form(
        request: Request, user: OptionalStaffDep, csrf: CsrfField = ""
    ) -> SignedIn:
        staff = _in_role(user, roles)
        if not csrf_ok(request, staff, csrf):
            raise NotAllowed(staff, "The form expired or did not come from this site.")
        return staff

    return signed_in_form
