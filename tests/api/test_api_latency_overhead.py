"""Per-request overhead of ``POST /v1/checks`` outside the reader (issue #6).

A check should hop to a worker thread exactly twice (key lookup, then reading), the key
lookup must still see a revocation at once, and ``serve`` should pick uvloop + httptools.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

import assistant.cli.serve as serve_module
from api.security import AuthError, Principal, authenticate_api_key
from assistant.store import ApiKeyRepository, Database
from assistant.store.models import ApiKey


def _name(func: Callable[..., Any]) -> str:
    inner = getattr(func, "func", func)  # functools.partial
    return str(getattr(inner, "__name__", repr(inner)))


def test_latency_check_hops_to_a_thread_only_for_key_lookup_and_reading(
    client: TestClient, auth: dict[str, str], note: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append(_name(func))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    response = client.post("/v1/checks", json={"note": note, "payer": "medicare"}, headers=auth)
    assert response.status_code == 200
    assert calls == ["authenticate_api_key", "check_note"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    database.create_tables()
    yield database
    database.dispose()


def _last_used(database: Database, name: str) -> datetime | None:
    with database.session() as session:
        row = ApiKeyRepository(session).find(name)
        assert row is not None
        return row.last_used_at


def test_latency_key_lookup_returns_the_principal_and_touches_at_most_once_a_minute(
    store: Database,
) -> None:
    with store.session() as session:
        secret = ApiKeyRepository(session).create("plugin").secret
    assert _last_used(store, "plugin") is None
    assert authenticate_api_key(store, secret) == Principal("api_key", "plugin")
    first = _last_used(store, "plugin")
    assert first is not None
    authenticate_api_key(store, secret)
    assert _last_used(store, "plugin") == first
    with store.session() as session:
        row = ApiKeyRepository(session).find("plugin")
        assert row is not None
        row.last_used_at = datetime.now(UTC) - timedelta(minutes=2)
    authenticate_api_key(store, secret)
    touched = _last_used(store, "plugin")
    assert touched is not None
    assert touched.replace(tzinfo=touched.tzinfo or UTC) > datetime.now(UTC) - timedelta(seconds=30)


@pytest.mark.parametrize("case", ["unknown", "revoked-after-use", "empty"])
def test_latency_key_lookup_refuses_unknown_and_revoked_keys_at_once(
    store: Database, case: str
) -> None:
    with store.session() as session:
        secret = ApiKeyRepository(session).create("plugin").secret
    token = {"unknown": "crk_" + "x" * 40, "empty": ""}.get(case, secret)
    if case == "revoked-after-use":
        assert authenticate_api_key(store, secret).name == "plugin"
        with store.session() as session:
            assert ApiKeyRepository(session).revoke("plugin") is not None
    with pytest.raises(AuthError, match="unknown or revoked"):
        authenticate_api_key(store, token)
    with store.session() as session:
        assert session.query(ApiKey).count() == 1  # a refused lookup writes nothing


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({"uvloop", "httptools"}, ("uvloop", "httptools")),
        ({"httptools"}, ("asyncio", "httptools")),
        (set(), ("asyncio", "h11")),
    ],
)
def test_latency_serve_prefers_uvloop_and_httptools(
    monkeypatch: pytest.MonkeyPatch, installed: set[str], expected: tuple[str, str]
) -> None:
    monkeypatch.setattr(
        serve_module, "find_spec", lambda name: object() if name in installed else None
    )
    assert serve_module.server_implementations() == expected


def test_latency_serve_stack_is_installed() -> None:
    assert serve_module.server_implementations() == ("uvloop", "httptools")
