from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from api.settings import Settings
from assistant.cli import app as cli_app


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cds_jwt_issuers": ["https://ehr"]},
        {"cds_jwt_required": True},
        {"cds_jwt_issuers": ["https://ehr"], "cds_jwt_shared_key": "short"},
        {"public_base_url": "chartready.example"},
        {"max_body_bytes": 10},
    ],
)
def test_settings_refuse_unsafe_config(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings(**kwargs)


def test_settings_read_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTREADY_MAX_BATCH", "7")
    monkeypatch.setenv("CHARTREADY_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    settings = Settings()
    assert settings.max_batch == 7
    assert settings.database_url == "sqlite:///elsewhere.sqlite3"


def test_unhandled_error_is_problem_json_with_request_id(
    client: TestClient, auth: dict[str, str], note: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("Zebrafinch secret")

    monkeypatch.setattr(client.app.state.runner, "read", broken)  # type: ignore[attr-defined]
    response = client.post("/v1/extract", json={"note": note}, headers=auth)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert "Zebrafinch" not in response.text


def test_cli_apikeys_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    url = ["--database-url", f"sqlite:///{tmp_path / 'keys.sqlite3'}"]
    created = runner.invoke(cli_app, ["apikeys", "create", "ehr-plugin", *url])
    assert created.exit_code == 0, created.output
    secret = created.output.split()[-1]
    assert secret.startswith("crk_")
    duplicate = runner.invoke(cli_app, ["apikeys", "create", "ehr-plugin", *url])
    assert duplicate.exit_code == 1
    listed = runner.invoke(cli_app, ["apikeys", "list", *url])
    assert "ehr-plugin" in listed.output and secret not in listed.output
    assert runner.invoke(cli_app, ["apikeys", "revoke", "ehr-plugin", *url]).exit_code == 0
    assert "revoked" in runner.invoke(cli_app, ["apikeys", "list", *url]).output
    assert runner.invoke(cli_app, ["apikeys", "revoke", "nobody", *url]).exit_code == 1
