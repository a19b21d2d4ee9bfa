"""Property-based requests generated from the OpenAPI spec: no 5xx, responses as documented."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.main import create_app
from api.settings import Settings

# One app per module so the schema can be built at import (schemathesis parametrizes then).
_app_holder: dict[str, FastAPI] = {}


def _app() -> FastAPI:
    if "app" not in _app_holder:
        folder = tempfile.mkdtemp(prefix="chartready-schemathesis-")
        url = f"sqlite:///{folder}/store.sqlite3"
        settings = Settings(auth_required=False, database_url=url, max_batch=2)
        _app_holder["app"] = create_app(settings)
    return _app_holder["app"]


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@pytest.fixture(scope="module", autouse=True)
def _started() -> Iterator[None]:
    """Open this app's lifespan (store, warm reader) once for the module."""
    from fastapi.testclient import TestClient

    with TestClient(_app()):
        yield


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_openapi_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
