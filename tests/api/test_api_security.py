from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.store import ApiKeyRepository, Database


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer crk_unknown"}, {"Authorization": "Basic abc"}],
)
def test_security_refuses_missing_or_unknown_key(
    note: str, client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post("/v1/extract", json={"note": note}, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_security_revoked_key_is_refused(note: str, client: TestClient, db_url: str) -> None:
    database = Database(db_url)
    with database.session() as session:
        secret = ApiKeyRepository(session).create("short-lived").secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/v1/extract", json={"note": note}, headers=headers).status_code == 200
    with database.session() as session:
        assert ApiKeyRepository(session).revoke("short-lived") is not None
    database.dispose()
    assert client.post("/v1/extract", json={"note": note}, headers=headers).status_code == 401


@pytest.mark.parametrize("size", [300_001, 1_000_000])
def test_security_body_over_limit_is_413(
    client: TestClient, auth: dict[str, str], size: int
) -> None:
    response = client.post(
        "/v1/extract",
        content=b'{"note": "' + b"a" * size + b'"}',
        headers={**auth, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["type"].endswith("body-too-large")


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [("abc12345-trace", True), ("bad id with spaces", False), (None, False)],
)
def test_request_id_on_every_response(client: TestClient, sent: str | None, echoed: bool) -> None:
    headers = {"X-Request-ID": sent} if sent else {}
    response = client.get("/healthz", headers=headers)
    request_id = response.headers["x-request-id"]
    assert (request_id == sent) is echoed
    assert len(request_id) >= 8
