"""API fixtures: one app over a temporary SQLite store, one TestClient, one API key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from assistant.store import ApiKeyRepository, Database

NOTE = (
    "PROCEDURE: Right L4-L5 transforaminal epidural steroid injection with fluoroscopic "
    "guidance.\nInformed consent was obtained after discussing risks. Pain score 8/10.\n"
    "Omnipaque contrast showed epidural flow. 40 mg triamcinolone was injected.\n"
    "The patient tolerated the procedure well with no complications."
)


@pytest.fixture(scope="session")
def note() -> str:
    return NOTE


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("store") / "api.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, max_body_bytes=300_000, max_batch=3)


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def api_key(client: TestClient, db_url: str) -> str:
    assert client.app is not None  # tables exist once the app has started
    database = Database(db_url)
    with database.session() as session:
        secret = ApiKeyRepository(session).create("tests").secret
    database.dispose()
    return secret


@pytest.fixture(scope="session")
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
