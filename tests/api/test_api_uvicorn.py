"""A real uvicorn server (the ``chartready serve`` command) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.fhir import document_reference

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    workdir: Path = tmp_path_factory.mktemp("served")
    env = {**os.environ, "CHARTREADY_DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}"}
    cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
    created = subprocess.run(
        [*cli, "apikeys", "create", "uvicorn-test"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    key = created.stdout.split()[-1]
    port = _free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, "server exited during start-up"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("server not ready in time")
        yield base, key
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def test_uvicorn_serves_checks_with_request_ids(server: tuple[str, str], note: str) -> None:
    base, key = server
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        text = http.post("/v1/checks", json={"note": note})
        fhir = http.post("/v1/checks", json={"document_reference": document_reference(note)})
        refused = http.post(
            "/v1/checks", json={"note": note}, headers={"Authorization": "Bearer x"}
        )
        page = http.get("/")
    assert text.status_code == fhir.status_code == 200
    assert text.json()["findings"] == fhir.json()["findings"]
    assert text.headers["x-request-id"] != fhir.headers["x-request-id"]
    assert refused.status_code == 401
    assert "<form" in page.text


def test_uvicorn_pages_open_on_loopback(server: tuple[str, str], note: str) -> None:
    base, _key = server
    response = httpx.post(f"{base}/review", data={"note": note}, timeout=30)
    assert response.status_code == 200
    assert "Verdict" in response.text
