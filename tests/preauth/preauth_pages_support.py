"""The staff pages as the pre-auth tests drive them (the ``page`` fixture's type)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.web.access import SESSION_COOKIE
from assistant.store import Database


class Page:
    """A test client of the app over a fresh SQLite store, and sign-in by role."""

    def __init__(self, client: TestClient, database: Database, tokens: dict[str, str]) -> None:
        self.client = client
        self.database = database
        self.tokens = tokens

    def sign_in(self, role: str) -> str:
        """Sign in as ``role`` (coder or provider); the CSRF token of its forms."""
        self.client.cookies.clear()
        self.client.cookies.set(SESSION_COOKIE, self.tokens[role])
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/").text)
        assert found is not None
        return found.group(1)
