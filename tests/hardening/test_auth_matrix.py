"""Who may call what: every route of ``api.main:app`` against every kind of caller.

Routes are enumerated from the app, so a new route fails ``test_auth_matrix_covers_every_route``
until it is given an access class below. Requests carry valid bodies, so a refusal is due to
the caller and not to validation.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.cds.discovery import SERVICE_ID
from api.fhir import document_reference
from api.main import create_app
from api.settings import Settings
from api.web.rendering import NAV
from assistant.store import (
    Audit,
    Batch,
    Override,
    StoredAuthorization,
    StoredScheduledProcedure,
    WorklistItem,
)

if TYPE_CHECKING:
    from conftest import Callers
    from httpx2 import Response  # what starlette's TestClient returns

Access = Literal["public", "api_key", "staff", "presign"]
EVERYONE = ("provider", "coder", "quality_lead", "admin")
VIEWERS = ("coder", "quality_lead", "admin")
EDITORS = ("coder", "admin")
AUDITORS = ("quality_lead", "admin")


@dataclass(frozen=True)
class Rule:
    """Who may call one route and method: ``roles`` for staff pages."""

    access: Access
    roles: tuple[str, ...] = ()


# The policy, written out by hand: widening a role set in the code must fail here.
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Rule("public"),
    ("HEAD", "/openapi.json"): Rule("public"),
    ("GET", "/docs"): Rule("public"),
    ("HEAD", "/docs"): Rule("public"),
    ("GET", "/docs/oauth2-redirect"): Rule("public"),
    ("HEAD", "/docs/oauth2-redirect"): Rule("public"),
    ("GET", "/redoc"): Rule("public"),
    ("HEAD", "/redoc"): Rule("public"),
    ("GET", "/healthz"): Rule("public"),
    ("GET", "/readyz"): Rule("public"),
    ("GET", "/cds-services"): Rule("public"),
    ("GET", "/login"): Rule("public"),
    ("POST", "/login"): Rule("public"),
    ("GET", "/"): Rule("public"),
    ("GET", "/static/{name}"): Rule("public"),
    ("GET", "/favicon.ico"): Rule("public"),
    ("GET", "/rules"): Rule("public"),
    ("POST", "/review"): Rule("presign"),
    ("POST", "/v1/extract"): Rule("api_key"),
    ("POST", "/v1/checks"): Rule("api_key"),
    ("POST", "/v1/checks/batch"): Rule("api_key"),
    ("GET", "/v1/checklists"): Rule("api_key"),
    ("GET", "/v1/checklists/{checklist_id}"): Rule("api_key"),
    ("POST", "/cds-services/{service_id}"): Rule("api_key"),
    ("POST", "/cds-services/{service_id}/feedback"): Rule("api_key"),
    ("POST", "/logout"): Rule("staff", EVERYONE),
    ("GET", "/worklist"): Rule("staff", VIEWERS),
    ("GET", "/worklist/batches/{batch_id}/progress"): Rule("staff", VIEWERS),
    ("GET", "/worklist/items/{item_id}"): Rule("staff", VIEWERS),
    ("GET", "/worklist/import"): Rule("staff", EDITORS),
    ("POST", "/worklist/import"): Rule("staff", EDITORS),
    ("POST", "/worklist/items/{item_id}/status"): Rule("staff", EDITORS),
    ("POST", "/worklist/items/{item_id}/overrides"): Rule("staff", EDITORS),
    ("POST", "/worklist/items/{item_id}/retry"): Rule("staff", EDITORS),
    ("GET", "/audits"): Rule("staff", AUDITORS),
    ("POST", "/audits"): Rule("staff", AUDITORS),
    ("GET", "/audits/{audit_id}"): Rule("staff", AUDITORS),
    ("GET", "/audits/{audit_id}/charts/{kind}.{fmt}"): Rule("staff", AUDITORS),
    ("GET", "/audits/{audit_id}/export.csv"): Rule("staff", AUDITORS),
    ("GET", "/remittances"): Rule("staff", AUDITORS),
    ("POST", "/remittances"): Rule("staff", AUDITORS),
    ("GET", "/denials"): Rule("staff", AUDITORS),
    ("GET", "/denials/export.csv"): Rule("staff", AUDITORS),
    ("GET", "/preauth"): Rule("staff", EVERYONE),
    ("POST", "/preauth"): Rule("staff", EVERYONE),
    ("POST", "/v1/remittances"): Rule("api_key"),
    ("GET", "/v1/denials"): Rule("api_key"),
    ("POST", "/v1/preauth"): Rule("api_key"),
    ("GET", "/authorizations"): Rule("staff", EDITORS),
    ("POST", "/authorizations"): Rule("staff", EDITORS),
    ("POST", "/authorizations/scheduled"): Rule("staff", EDITORS),
    ("POST", "/authorizations/{authorization_id}/status"): Rule("staff", EDITORS),
}
# Plausible values for path parameters; ids of stored objects come from the fixture.
PATH_VALUES = {
    "name": "app.css",
    "checklist_id": "esi",
    "service_id": SERVICE_ID,
    "kind": "readiness",
    "fmt": "svg",
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, str(route.path))
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }


def _keyed(access: Access) -> list[tuple[str, str]]:
    return sorted(key for key, rule in POLICY.items() if rule.access == access)


def _staff_cases(allowed: bool) -> list[tuple[str, str, str]]:
    return [
        (method, path, role)
        for (method, path), rule in sorted(POLICY.items())
        if rule.access == "staff"
        for role in EVERYONE
        if (role in rule.roles) is allowed
    ]


# Query strings the routes need (the month of the stored checks and remittances).
QUERIES = {"/v1/denials": "?month={month}", "/denials": "?month={month}"}
QUERIES["/denials/export.csv"] = QUERIES["/denials"]


def _url(path: str, callers: Callers) -> str:
    query = QUERIES.get(path, "").format(month=callers.month)
    return path.format(**PATH_VALUES, **callers.path_values) + query


def _body(callers: Callers, method: str, path: str, csrf: str) -> dict[str, Any]:
    """A valid request body for the route (form fields carry ``csrf``)."""
    if method != "POST":
        return {}
    note, month = callers.note, callers.month
    cds = {
        "hook": "note-sign",
        "hookInstance": "0d6b6a52-3f3c-4c1e-9a1f-6f0e8f1f0a01",
        "context": {"userId": "Practitioner/1", "draftNotes": document_reference(note)},
    }
    feedback = {
        "feedback": [
            {"card": "card-1", "outcome": "accepted", "outcomeTimestamp": "2026-10-03T10:00:00Z"}
        ]
    }
    csv_body = (
        "note_id,provider,date_of_service,payer,note_text\n"
        f'matrix-1,Dr Matrix,{month}-05,commercial,"{note}"\n'
    ).encode()
    bodies: dict[str, dict[str, Any]] = {
        "/v1/extract": {"json": {"note": note}},
        "/v1/checks": {"json": {"note": note, "payer": "commercial"}},
        "/v1/checks/batch": {"json": {"items": [{"note": note}]}},
        "/cds-services/{service_id}": {"json": cds},
        "/cds-services/{service_id}/feedback": {"json": feedback},
        "/review": {"data": {"note": note, "payer": "commercial", "csrf": csrf}},
        "/logout": {"data": {"csrf": csrf}},
        "/worklist/import": {
            "data": {"csrf": csrf},
            "files": {"file": ("matrix.csv", csv_body, "text/csv")},
        },
        "/worklist/items/{item_id}/status": {"data": {"status": "queried", "csrf": csrf}},
        "/worklist/items/{item_id}/retry": {"data": {"csrf": csrf}},
        "/worklist/items/{item_id}/overrides": {
            "data": {"rule_id": "ESI-001", "reason": "Consent form scanned", "csrf": csrf}
        },
        "/audits": {"data": {"month": month, "per_provider": "2", "seed": "11", "csrf": csrf}},
        "/v1/remittances": {"files": {"file": ("hardening.835", callers.remittance)}},
        "/remittances": {
            "data": {"csrf": csrf},
            "files": {"file": ("hardening.835", callers.remittance, "text/plain")},
        },
        "/v1/preauth": {
            "json": {
                "notes": [{"note_id": "n1", "date_of_service": f"{month}-03", "text": note}],
                "procedure": {"family": "esi", "levels": ["L4-L5"], "payer": "medicare"},
            }
        },
        "/preauth": {
            "data": {
                "csrf": csrf,
                "family": "esi",
                "payer": "medicare",
                "note_id": ["n1"],
                "note_date": [f"{month}-03"],
                "note_text": [note],
            }
        },
        "/authorizations": {
            "data": {
                "patient_key": "MATRIX-1",
                "payer": "medicare",
                "family": "facet_mbb",
                "status": "requested",
                "csrf": csrf,
            }
        },
        "/authorizations/{authorization_id}/status": {
            "data": {"status": "denied", "number": "MATRIX-UTN", "csrf": csrf}
        },
        "/authorizations/scheduled": {
            "data": {
                "patient_key": "MATRIX-1",
                "payer": "medicare",
                "family": "facet_mbb",
                "date": f"{month}-20",
                "place_of_service": "22",
                "csrf": csrf,
            }
        },
    }
    return bodies[path]


def _store_state(callers: Callers) -> tuple[Any, ...]:
    """What a refused request must leave unchanged."""
    with callers.database.session() as session:
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (
                Batch,
                WorklistItem,
                Override,
                Audit,
                StoredAuthorization,
                StoredScheduledProcedure,
            )
        )
        statuses = tuple(
            session.execute(
                select(WorklistItem.review_status, WorklistItem.queue_status).order_by(
                    WorklistItem.id
                )
            ).all()
        )
        answers = tuple(
            session.execute(
                select(StoredAuthorization.status, StoredAuthorization.number).order_by(
                    StoredAuthorization.id
                )
            ).all()
        )
    return (*counts, statuses, answers)


def _sends_to_login(response: Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_auth_matrix_covers_every_route() -> None:
    from api.main import app

    routes = _routes(app)
    unclassified = sorted(routes - POLICY.keys())
    stale = sorted(POLICY.keys() - routes)
    assert not unclassified, f"routes with no access rule: {unclassified}"
    assert not stale, f"access rules for routes that do not exist: {stale}"


def test_auth_matrix_test_app_has_the_same_routes(hard_app: FastAPI) -> None:
    from api.main import app

    assert _routes(hard_app) == _routes(app)


@pytest.mark.parametrize(("href", "roles"), [(href, roles) for href, _, roles in NAV])
def test_auth_matrix_navigation_matches_policy(href: str, roles: tuple[str, ...]) -> None:
    rule = POLICY[("GET", href)]
    expected = EVERYONE if rule.access in ("public", "presign") else rule.roles
    assert set(roles) == set(expected)


@pytest.mark.parametrize(("method", "path"), _keyed("public"))
def test_public_route_open_to_anonymous(callers: Callers, method: str, path: str) -> None:
    kwargs: dict[str, Any] = {}
    if (method, path) == ("POST", "/login"):  # double-submit CSRF cookie, then sign in
        page = callers.send("GET", "/login")
        cookie = page.cookies["chartready_csrf"]
        kwargs = {
            "headers": {"Cookie": f"chartready_csrf={cookie}"},
            "data": {"username": "provider-user", "password": "correct-horse-battery"},
        }
        kwargs["data"]["csrf"] = cookie
    response = callers.send(method, _url(path, callers), **kwargs)
    assert response.status_code in (200, 303), response.text[:300]
    assert not _sends_to_login(response)


API_REFUSALS: dict[str, Callable[[Callers], dict[str, str]]] = {
    "anonymous": lambda c: {},
    "unknown-key": lambda c: {"Authorization": "Bearer crk_" + "x" * 43},
    "altered-key": lambda c: {"Authorization": f"Bearer {c.api_key[:-1]}!"},
    "revoked-key": lambda c: {"Authorization": f"Bearer {c.revoked_key}"},
    "empty-bearer": lambda c: {"Authorization": "Bearer "},
    "basic-scheme": lambda c: {
        "Authorization": "Basic " + base64.b64encode(f"{c.api_key}:".encode()).decode()
    },
    "key-in-other-header": lambda c: {"X-API-Key": c.api_key},
    "unsigned-jwt": lambda c: {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.x"},
    "staff-session": lambda c: {"Cookie": f"chartready_session={c.sessions['admin']}"},
}


@pytest.mark.parametrize("caller", sorted(API_REFUSALS))
@pytest.mark.parametrize(("method", "path"), _keyed("api_key"))
def test_api_route_refuses_without_active_key(
    callers: Callers, method: str, path: str, caller: str
) -> None:
    headers = API_REFUSALS[caller](callers)
    before = _store_state(callers)
    response = callers.send(
        method, _url(path, callers), headers=headers, **_body(callers, method, path, "")
    )
    assert response.status_code == 401, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _store_state(callers) == before


@pytest.mark.parametrize(("method", "path"), _keyed("api_key"))
def test_api_route_checks_key_before_body_schema(callers: Callers, method: str, path: str) -> None:
    response = callers.send(method, _url(path, callers), json={"unexpected": True})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), _keyed("api_key"))
def test_api_route_serves_active_key(callers: Callers, method: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {callers.api_key}"}
    response = callers.send(
        method, _url(path, callers), headers=headers, **_body(callers, method, path, "")
    )
    assert response.status_code == 200, response.text[:300]


STAFF_REFUSALS = ("anonymous", "forged", "expired", "disabled-user", "api-key-only")
# Forms holding pasted notes answer a signed-out post with the form, the notes kept in it.
KEEPS_FORM = {("POST", "/preauth")}


def _stale(callers: Callers, kind: str) -> tuple[str | None, dict[str, str]]:
    if kind == "anonymous":
        return None, {}
    if kind == "api-key-only":
        return None, {"Authorization": f"Bearer {callers.api_key}"}
    return callers.stale_sessions[kind], {}


@pytest.mark.parametrize("kind", STAFF_REFUSALS)
@pytest.mark.parametrize(("method", "path"), _keyed("staff"))
def test_staff_route_sends_unsigned_caller_to_login(
    callers: Callers, method: str, path: str, kind: str
) -> None:
    token, headers = _stale(callers, kind)
    before = _store_state(callers)
    response = callers.send(
        method,
        _url(path, callers),
        session_token=token,
        headers=headers,
        **_body(callers, method, path, callers.csrf["admin"]),
    )
    if (method, path) in KEEPS_FORM:
        assert response.status_code == 401 and "You were signed out" in response.text
    else:
        assert _sends_to_login(response), (response.status_code, response.text[:300])
    assert _store_state(callers) == before


@pytest.mark.parametrize(("method", "path", "role"), _staff_cases(allowed=False))
def test_staff_route_refuses_roles_without_permission(
    callers: Callers, method: str, path: str, role: str
) -> None:
    before = _store_state(callers)
    response = callers.send(
        method,
        _url(path, callers),
        session_token=callers.sessions[role],
        **_body(callers, method, path, callers.csrf[role]),
    )
    assert response.status_code == 403, response.text[:300]
    assert f"Your role ({role}) cannot open this page." in response.text
    assert _store_state(callers) == before


@pytest.mark.parametrize(("method", "path", "role"), _staff_cases(allowed=True))
def test_staff_route_serves_roles_with_permission(
    callers: Callers, method: str, path: str, role: str
) -> None:
    token, csrf = callers.fresh_session(role)  # sign-out must not end the shared sessions
    response = callers.send(
        method,
        _url(path, callers),
        session_token=token,
        **_body(callers, method, path, csrf),
    )
    assert response.status_code in (200, 303), response.text[:300]
    assert not _sends_to_login(response) or path == "/logout"


PRESIGN_REFUSALS: dict[str, Callable[[Callers], tuple[str | None, str]]] = {
    "no-key": lambda c: (None, ""),
    "unknown-key": lambda c: (None, "crk_" + "y" * 43),
    "revoked-key": lambda c: (None, c.revoked_key),
    "expired-session": lambda c: (c.stale_sessions["expired"], ""),
    "forged-session": lambda c: (c.stale_sessions["forged"], ""),
    "disabled-user": lambda c: (c.stale_sessions["disabled-user"], ""),
}


@pytest.mark.parametrize("caller", sorted(PRESIGN_REFUSALS))
@pytest.mark.parametrize(("method", "path"), _keyed("presign"))
def test_presign_refuses_without_key_or_session(
    callers: Callers, method: str, path: str, caller: str
) -> None:
    token, key = PRESIGN_REFUSALS[caller](callers)
    body = _body(callers, method, path, "")
    body["data"] = {**body["data"], "api_key": key}
    response = callers.send(method, _url(path, callers), session_token=token, **body)
    assert response.status_code == 401, response.text[:300]
    assert "API key refused" in response.text


@pytest.mark.parametrize("caller", ["api-key", *EVERYONE])
@pytest.mark.parametrize(("method", "path"), _keyed("presign"))
def test_presign_serves_key_or_any_staff_role(
    callers: Callers, method: str, path: str, caller: str
) -> None:
    if caller == "api-key":
        token, body = None, _body(callers, method, path, "")
        body["data"] = {**body["data"], "api_key": callers.api_key}
    else:
        token, body = callers.sessions[caller], _body(callers, method, path, callers.csrf[caller])
    response = callers.send(method, _url(path, callers), session_token=token, **body)
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize(
    ("open_on_loopback", "host", "status"),
    [
        (True, "127.0.0.1", 200),
        (True, "::1", 200),
        (False, "127.0.0.1", 401),
        (True, "10.0.0.8", 401),
    ],
)
def test_presign_without_key_opens_only_on_loopback_when_allowed(
    tmp_path: Path, callers: Callers, open_on_loopback: bool, host: str, status: int
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'loopback.sqlite3'}",
        warm_up=False,
        pages_open_on_loopback=open_on_loopback,
    )
    with TestClient(create_app(settings), client=(host, 50000)) as client:
        response = client.post("/review", data={"note": callers.note}, follow_redirects=False)
    assert response.status_code == status, response.text[:300]
