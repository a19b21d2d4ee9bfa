"""Hardening fixtures: one app over a temporary store, with every kind of caller.

API keys (active and revoked), staff users of every role, stale sessions (expired, forged,
of a disabled user), one checked worklist item and one audit, so every route has plausible
path parameters. Copied in spirit from ``tests/api`` and ``tests/web`` (their conftests
cannot be imported from here).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.remittances import import_835
from api.settings import Settings
from api.web.access import SESSION_COOKIE
from assistant.audit import run_audit
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.store import (
    ApiKeyRepository,
    AuthorizationRepository,
    Database,
    UserRepository,
    WebSessionRepository,
    WorklistRepository,
)
from assistant.store.models import ROLES, User, utcnow
from assistant.store.passwords import hash_password
from assistant.store.staff import SESSION_LIFETIME

if TYPE_CHECKING:
    from httpx2 import Response  # what starlette's TestClient returns

PASSWORD = "correct-horse-battery"
MAX_BODY_BYTES = 400_000
# Hand-written, PHI-free.
NOTE = (
    "PROCEDURE: Right L4-L5 transforaminal epidural steroid injection with fluoroscopic "
    "guidance.\nInformed consent was obtained after discussing risks. Pain score 8/10.\n"
    "Omnipaque contrast showed epidural flow. 40 mg triamcinolone was injected.\n"
    "The patient tolerated the procedure well with no complications."
)
SERVICE_MONTH = "2026-10"


@dataclass
class Callers:
    """Credentials of every kind, plus ids of objects the routes can be pointed at."""

    client: TestClient
    database: Database
    api_key: str
    revoked_key: str
    sessions: dict[str, str] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    stale_sessions: dict[str, str] = field(default_factory=dict)
    path_values: dict[str, Any] = field(default_factory=dict)
    note: str = NOTE
    month: str = SERVICE_MONTH
    remittance: bytes = b""  # an 835 already imported: sending it again changes nothing

    def send(
        self,
        method: str,
        url: str,
        *,
        session_token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Response:
        """One request with exactly the given session cookie (the client's jar is emptied)."""
        self.client.cookies.clear()
        sent = dict(headers or {})
        if session_token is not None:
            sent["Cookie"] = f"{SESSION_COOKIE}={session_token}"
        response = self.client.request(method, url, headers=sent, follow_redirects=False, **kwargs)
        self.client.cookies.clear()
        return response

    def fresh_session(self, role: str) -> tuple[str, str]:
        """A new ``(session token, CSRF token)`` for the user of ``role`` (for sign-out)."""
        with self.database.session() as session:
            user = UserRepository(session).find(f"{role}-user")
            assert user is not None
            token = WebSessionRepository(session).start(user)
            signed_in = WebSessionRepository(session).resolve(token)
            assert signed_in is not None
            return token, signed_in.csrf_token


def _wait_checked(database: Database, batch_id: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with database.session() as session:
            if WorklistRepository(session).progress(batch_id).finished:
                return
        time.sleep(0.05)
    raise AssertionError(f"worklist batch {batch_id} not checked within {seconds} s")


@pytest.fixture(scope="session")
def hard_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("hardening") / "store.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def hard_app(hard_db_url: str) -> FastAPI:
    settings = Settings(
        database_url=hard_db_url,
        warm_up=False,
        max_body_bytes=MAX_BODY_BYTES,
        max_batch=4,
        auth_required=True,
    )
    return create_app(settings)


@pytest.fixture(scope="session")
def hard_client(hard_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(hard_app) as client:
        yield client


@pytest.fixture(scope="session")
def callers(hard_client: TestClient, hard_db_url: str) -> Iterator[Callers]:
    """Keys, users, sessions, one checked worklist item and one audit in the app's store."""
    assert hard_client.app is not None  # the lifespan has migrated the store
    database = Database(hard_db_url)
    with database.session() as session:
        keys = ApiKeyRepository(session)
        active = keys.create("hardening-active").secret
        revoked = keys.create("hardening-revoked").secret
        keys.revoke("hardening-revoked")
    found = Callers(client=hard_client, database=database, api_key=active, revoked_key=revoked)
    with database.session() as session:
        users = UserRepository(session)
        sessions = WebSessionRepository(session)
        password_hash = hash_password(PASSWORD)  # once: scrypt is slow by design
        for role in ROLES:
            user = User(name=f"{role}-user", role=role, password_hash=password_hash)
            session.add(user)
            session.flush()
            token = sessions.start(user)
            signed_in = sessions.resolve(token)
            assert signed_in is not None
            found.sessions[role] = token
            found.csrf[role] = signed_in.csrf_token
        admin = users.find("admin-user")
        assert admin is not None
        long_ago = utcnow() - SESSION_LIFETIME - SESSION_LIFETIME
        found.stale_sessions["expired"] = sessions.start(admin, long_ago)
        disabled = User(name="disabled-admin", role="admin", password_hash=password_hash)
        session.add(disabled)
        session.flush()
        found.stale_sessions["disabled-user"] = sessions.start(disabled)
        disabled.disabled_at = utcnow()
    found.stale_sessions["forged"] = secrets.token_urlsafe(32)
    csv_body = (
        "note_id,provider,date_of_service,payer,note_text\n"
        f'hardening-1,Dr Hardening,{SERVICE_MONTH}-03,commercial,"{NOTE}"\n'
    ).encode()
    imported = found.send(
        "POST",
        "/worklist/import",
        session_token=found.sessions["coder"],
        data={"csrf": found.csrf["coder"]},
        files={"file": ("hardening.csv", csv_body, "text/csv")},
    )
    assert imported.status_code == 303, imported.text
    batch_id = int(imported.headers["location"].rsplit("=", 1)[1])
    _wait_checked(database, batch_id)
    with database.session() as session:
        repo = WorklistRepository(session)
        item_id = next(item.id for item in repo.checked_in_month(SERVICE_MONTH))
        audit_id = run_audit(repo, SERVICE_MONTH, 5, 7, "quality_lead-user").id
        authorization_id = (
            AuthorizationRepository(session)
            .add_authorization(
                {
                    "patient_key": "HARD-1",
                    "payer": "medicare",
                    "family": "facet_mbb",
                    "status": "requested",
                },
                "admin-user",
            )
            .id
        )
    found.remittance = render_835(standard_claims(date(2026, 10, 10), "HARD")).encode()
    import_835(database, found.remittance, "hardening.835", "admin-user")
    found.path_values = {
        "item_id": item_id,
        "batch_id": batch_id,
        "audit_id": audit_id,
        "authorization_id": authorization_id,
    }
    yield found
    database.dispose()
