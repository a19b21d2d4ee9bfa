"""Web fixtures: one app over a temporary store, staff users of every role, sign-in helpers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import Browser, chromium
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.web.access import SESSION_COOKIE
from assistant.store import Database, UserRepository, WebSessionRepository

PASSWORD = "correct-horse-battery"
ROLES = ("provider", "coder", "quality_lead", "admin")
# Hand-written, PHI-free notes.
ESI_NOTE = (
    "PROCEDURE: Right L4-L5 transforaminal epidural steroid injection with fluoroscopic "
    "guidance.\nInformed consent was obtained after discussing risks. Pain score 8/10.\n"
    "No sedation was given. Omnipaque contrast showed epidural flow. 40 mg triamcinolone "
    "was injected.\nThe patient tolerated the procedure well with no complications.\n"
    "Plan: repeat injection in 4 weeks if needed."
)
OFFICE_NOTE = "Follow-up visit. Low back pain, stable on current medication. Return in 3 months."


@pytest.fixture(scope="session")
def web_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("web") / "web.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def web_app(web_db_url: str) -> FastAPI:
    return create_app(Settings(database_url=web_db_url, warm_up=False))


@pytest.fixture(scope="session")
def web_client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def web_db(web_client: TestClient, web_db_url: str) -> Iterator[Database]:
    assert web_client.app is not None  # the lifespan has migrated the store
    database = Database(web_db_url)
    with database.session() as session:
        users = UserRepository(session)
        for role in ROLES:
            users.create(f"{role}-user", role, PASSWORD)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def session_tokens(web_db: Database) -> dict[str, str]:
    tokens = {}
    with web_db.session() as session:
        for role in ROLES:
            user = UserRepository(session).find(f"{role}-user")
            assert user is not None
            tokens[role] = WebSessionRepository(session).start(user)
    return tokens


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


@pytest.fixture
def as_role(web_client: TestClient, session_tokens: dict[str, str]) -> Callable[[str | None], str]:
    """Switch the client to ``role`` (None: signed out); returns a CSRF token for its forms."""

    def switch(role: str | None) -> str:
        web_client.cookies.clear()
        if role is not None:
            web_client.cookies.set(SESSION_COOKIE, session_tokens[role])
            return csrf_of(web_client.get("/").text)
        return csrf_of(web_client.get("/login").text)

    return switch


@pytest.fixture(scope="session")
def password() -> str:
    return PASSWORD


@pytest.fixture(scope="session")
def esi_note() -> str:
    return ESI_NOTE


@pytest.fixture(scope="session")
def office_note() -> str:
    return OFFICE_NOTE


WaitBatch = Callable[[int], None]
ImportChecked = Callable[[str, list[tuple[str, str, str, str]]], int]


@pytest.fixture
def wait_batch(web_client: TestClient) -> WaitBatch:
    """Poll a batch's progress until every item is checked or failed (60 s at most)."""

    def wait(batch_id: int) -> None:
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline:
            if web_client.get(f"/worklist/batches/{batch_id}/progress").json()["finished"]:
                return
            time.sleep(0.1)
        raise AssertionError(f"batch {batch_id} not checked in 60 s")

    return wait


@pytest.fixture
def import_checked(web_client: TestClient, wait_batch: WaitBatch) -> ImportChecked:
    """Import ``(note_id, provider, date, note)`` rows (payer medicare) with CSRF token
    ``csrf`` as the client's user, wait until every row is checked; return the batch id."""

    def run(csrf: str, rows: list[tuple[str, str, str, str]]) -> int:
        lines = ["note_id,provider,date_of_service,payer,note_text"]
        for note_id, provider, day, text in rows:
            escaped = text.replace('"', '""')
            lines.append(f'{note_id},{provider},{day},medicare,"{escaped}"')
        files = {"file": ("batch.csv", "\n".join(lines).encode(), "text/csv")}
        response = web_client.post(
            "/worklist/import", data={"csrf": csrf}, files=files, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        batch_id = int(response.headers["location"].rsplit("=", 1)[1])
        wait_batch(batch_id)
        return batch_id

    return run


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium per browser-test module (see ``browser_support``)."""
    with chromium(tmp_path_factory.mktemp("profile")) as client:
        yield client
