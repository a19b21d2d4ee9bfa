"""Sign-in, sign-out, CSRF on every form, and which role may open which page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.web.access import SESSION_COOKIE
from assistant.store import Database, UserRepository
from assistant.store.sign_in_guard import SignInGuard

AsRole = Callable[[str | None], str]


@pytest.mark.parametrize(
    ("username", "pw_ok", "with_csrf", "status"),
    [
        ("coder-user", True, True, 303),
        ("coder-user", False, True, 401),
        ("nobody", True, True, 401),
        ("coder-user", True, False, 403),
    ],
)
def test_login_accepts_only_right_password_with_csrf(
    web_client: TestClient,
    as_role: AsRole,
    password: str,
    username: str,
    pw_ok: bool,
    with_csrf: bool,
    status: int,
) -> None:
    token = as_role(None)
    form = {
        "username": username,
        "password": password if pw_ok else "wrong-password!",
        "csrf": token if with_csrf else "forged",
        "next": "/worklist",
    }
    response = web_client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == "/worklist"
        assert SESSION_COOKIE in response.cookies
        assert "httponly" in response.headers["set-cookie"].lower()
    else:
        assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(
    web_client: TestClient, as_role: AsRole, password: str, target: str
) -> None:
    token = as_role(None)
    form = {"username": "coder-user", "password": password, "csrf": token, "next": target}
    response = web_client.post("/login", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_logout_ends_the_session(web_client: TestClient, as_role: AsRole, password: str) -> None:
    token = as_role(None)
    form = {"username": "admin-user", "password": password, "csrf": token, "next": "/"}
    web_client.post("/login", data=form, follow_redirects=False)
    csrf = web_client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
    assert web_client.post("/logout", data={"csrf": "forged"}).status_code == 403
    cookie = web_client.cookies[SESSION_COOKIE]
    response = web_client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    web_client.cookies.set(SESSION_COOKIE, cookie)  # replaying the old cookie must not work
    assert web_client.get("/worklist", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (None, "/worklist", 303),
        (None, "/worklist/import", 303),
        (None, "/audits", 303),
        (None, "/worklist/items/1", 303),
        (None, "/audits/1/export.csv", 303),
        ("provider", "/", 200),
        ("provider", "/worklist", 403),
        ("provider", "/audits", 403),
        ("coder", "/worklist", 200),
        ("coder", "/worklist/import", 200),
        ("coder", "/audits", 403),
        ("quality_lead", "/worklist", 200),
        ("quality_lead", "/worklist/import", 403),
        ("quality_lead", "/audits", 200),
        ("admin", "/worklist/import", 200),
        ("admin", "/audits", 200),
    ],
)
def test_pages_open_only_for_their_roles(
    web_client: TestClient, as_role: AsRole, role: str | None, path: str, status: int
) -> None:
    as_role(role)
    response = web_client.get(path, follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/login?next=")
    if status == 403:
        assert "cannot open this page" in response.text


@pytest.mark.parametrize(
    ("role", "path", "form"),
    [
        ("coder", "/worklist/items/1/status", {"status": "queried"}),
        ("coder", "/worklist/items/1/overrides", {"rule_id": "X", "reason": "r"}),
        ("quality_lead", "/audits", {"month": "2026-10", "per_provider": "3"}),
        ("coder", "/logout", {}),
    ],
)
def test_every_staff_form_refuses_a_missing_or_forged_csrf_token(
    web_client: TestClient, as_role: AsRole, role: str, path: str, form: dict[str, str]
) -> None:
    as_role(role)
    for token in ("", "forged"):
        response = web_client.post(path, data={**form, "csrf": token}, follow_redirects=False)
        assert response.status_code == 403
        assert "did not come from this site" in response.text


def test_import_form_refuses_forged_csrf(web_client: TestClient, as_role: AsRole) -> None:
    as_role("coder")
    files = {"file": ("b.csv", b"note_id\n", "text/csv")}
    response = web_client.post("/worklist/import", data={"csrf": "forged"}, files=files)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "path", "form", "status"),
    [
        ("provider", "/worklist/items/1/status", {"status": "fixed"}, 403),
        ("quality_lead", "/worklist/items/1/status", {"status": "fixed"}, 403),
        ("provider", "/audits", {"month": "2026-10", "per_provider": "3"}, 403),
        ("coder", "/audits", {"month": "2026-10", "per_provider": "3"}, 403),
        (None, "/audits", {"month": "2026-10", "per_provider": "3"}, 303),
    ],
)
def test_forms_refuse_roles_without_permission(
    web_client: TestClient,
    as_role: AsRole,
    role: str | None,
    path: str,
    form: dict[str, str],
    status: int,
) -> None:
    token = as_role(role)
    response = web_client.post(path, data={**form, "csrf": token}, follow_redirects=False)
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(None, 303), ("provider", 403)])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/worklist/items/1/status"),  # form without its required field
        ("POST", "/worklist/items/not-a-number/overrides"),
        ("GET", "/worklist/items/not-a-number"),
        ("GET", "/audits/1/charts/pie.png"),  # an unknown chart
    ],
)
def test_staff_pages_check_the_user_before_the_request(
    web_client: TestClient, as_role: AsRole, role: str | None, method: str, path: str, status: int
) -> None:
    as_role(role)
    response = web_client.request(method, path, follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == f"/login?next={quote(path)}"
    else:
        assert f"Your role ({role}) cannot open this page." in response.text


def test_sign_in_locks_after_repeated_failures_keeps_the_name_and_unlocks(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    with web_db.session() as session:
        UserRepository(session).create("locky", "coder", "right-password-123")
    token = as_role(None)
    form = {"username": "locky", "password": "wrong-password!", "csrf": token, "next": "/"}
    for _ in range(5):
        assert web_client.post("/login", data=form, follow_redirects=False).status_code == 401
    right = {**form, "password": "right-password-123"}
    locked = web_client.post("/login", data=right, follow_redirects=False)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in locked.text and "chartready users unlock" in locked.text
    assert 'value="locky"' in locked.text  # the name stays in the form
    assert SESSION_COOKIE not in locked.cookies
    with web_db.session() as session:
        SignInGuard(session).unlock("locky")
    assert web_client.post("/login", data=right, follow_redirects=False).status_code == 303


HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize(
    ("path", "role", "status", "title"),
    [
        ("/nope", None, 404, "Page not found"),
        ("/logout", None, 405, "Not available this way"),
        ("/worklist/items/abc", "coder", 422, "Address not understood"),
        ("/worklist/items/999999", "coder", 404, "No such item"),
        ("/audits/999999", "quality_lead", 404, "No such audit"),
    ],
)
def test_people_get_error_pages_in_words_not_problem_json(
    web_client: TestClient, as_role: AsRole, path: str, role: str | None, status: int, title: str
) -> None:
    as_role(role)
    response = web_client.get(path, headers=HTML)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in response.text and 'href="/"' in response.text


def test_api_clients_still_get_problem_json(web_client: TestClient) -> None:
    response = web_client.get("/v1/nope", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert web_client.get("/nope").headers["content-type"].startswith("application/problem+json")


def _chunks(body: bytes, size: int = 65_536) -> Iterator[bytes]:
    """The body sent in pieces without a Content-Length (the limit counts while streaming)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
def test_an_over_limit_body_gets_a_page_for_people_and_problem_json_for_clients(
    web_client: TestClient, web_app: FastAPI, as_role: AsRole, streamed: bool
) -> None:
    token = as_role("provider")
    limit = web_app.state.settings.max_body_bytes
    form = urlencode({"csrf": token, "payer": "medicare", "note": "x" * limit}).encode()
    content = _chunks(form) if streamed else form
    page_headers = {**HTML, "content-type": "application/x-www-form-urlencoded"}
    page = web_client.post("/review", content=content, headers=page_headers)
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Too much to send at once</h1>" in page.text
    assert "in parts" in page.text and "smaller files" in page.text and 'href="/"' in page.text
    api_headers = {**HTML, "content-type": "application/json"}
    body = b'{"note": "' + b"x" * limit + b'"}'
    api = web_client.post(
        "/v1/checks", content=_chunks(body) if streamed else body, headers=api_headers
    )
    assert api.status_code == 413
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["type"].endswith("body-too-large")
