from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("path", "status"), [("/healthz", "ok"), ("/readyz", "ready")])
def test_health_probes_answer_without_auth(client: TestClient, path: str, status: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["status"] == status


def test_readyz_reports_starting_before_warm_up(client: TestClient) -> None:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    runner.ready = False
    try:
        response = client.get("/readyz")
    finally:
        runner.ready = True
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("live", "status"), [(0, 503), (1, 200)])
def test_readyz_needs_a_live_reader_process(client: TestClient, live: int, status: int) -> None:
    runner = client.app.state.runner  # type: ignore[attr-defined]
    runner.pool = SimpleNamespace(live=live, size=2)  # a pool whose readers died or one left
    try:
        response = client.get("/readyz")
    finally:
        runner.pool = None
    assert response.status_code == status
    if status == 200:
        assert response.json()["checks"]["readers"] == f"{live}/2 processes"
