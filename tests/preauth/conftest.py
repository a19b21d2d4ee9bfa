"""Pre-auth fixtures: the staff pages over a fresh store, signed in as a coder or a provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from preauth_pages_support import Page

from api.main import create_app
from api.settings import Settings
from assistant.store import Database, UserRepository, WebSessionRepository

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    path: Path = tmp_path_factory.mktemp("preauth-pages") / "pages.sqlite3"
    url = f"sqlite:///{path}"
    with TestClient(create_app(Settings(database_url=url, warm_up=False))) as client:
        database = Database(url)
        tokens = {}
        with database.session() as session:
            for role in ("coder", "provider"):
                user = UserRepository(session).create(f"{role}-preauth", role, PASSWORD)
                tokens[role] = WebSessionRepository(session).start(user)
        yield Page(client, database, tokens)
        database.dispose()
