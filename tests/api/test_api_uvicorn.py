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
from api.service import to_public
from assistant.pipeline import check_note

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running ``chartready serve`` subprocess; ``stop`` returns everything it logged."""

    def __init__(self, process: subprocess.Popen[str], base: str, key: str) -> None:
        self.process = process
        self.base = base
        self.key = key
        self.output: str | None = None

    def stop(self) -> str:
        if self.output is None:
            self.process.terminate()
            try:
                out, _ = self.process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                out, _ = self.process.communicate(timeout=5)
            self.output = out
        return self.output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir: Path = tmp_path_factory.mktemp("served")
    env = {
        **os.environ,
        "CHARTREADY_DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "CHARTREADY_READER_PROCESSES": "2",  # as served on a 2-core machine
    }
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
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    handle = Server(process, f"http://127.0.0.1:{port}", key)
    base = handle.base
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
        yield handle
    finally:
        handle.stop()


def test_uvicorn_serves_checks_with_request_ids(server: Server, note: str) -> None:
    base, key = server.base, server.key
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


def test_uvicorn_pages_open_on_loopback(server: Server, note: str) -> None:
    response = httpx.post(f"{server.base}/review", data={"note": note}, timeout=30)
    assert response.status_code == 200
    assert "Verdict" in response.text


def test_uvicorn_checks_in_reader_processes_as_in_process(server: Server, note: str) -> None:
    ready = httpx.get(f"{server.base}/readyz", timeout=10).json()
    headers = {"Authorization": f"Bearer {server.key}"}
    served = httpx.post(
        f"{server.base}/v1/checks",
        json={"note": note, "note_id": "n-1", "payer": "medicare"},
        headers=headers,
        timeout=30,
    )
    local = to_public(check_note(note, note_id="n-1", payer="medicare"), "n-1")
    assert ready["checks"]["readers"] == "2/2 processes"
    assert served.status_code == 200
    assert served.json() == local.model_dump(mode="json", by_alias=True)


def test_uvicorn_logs_carry_request_ids_and_no_note_text(server: Server, note: str) -> None:
    response = httpx.post(
        f"{server.base}/v1/extract",
        json={"note": note},
        headers={"Authorization": f"Bearer {server.key}", "X-Request-ID": "trace-0001"},
        timeout=30,
    )
    assert response.headers["x-request-id"] == "trace-0001"
    logs = server.stop()
    access = [line for line in logs.splitlines() if "chartready.access" in line]
    assert any("[trace-0001] POST /v1/extract 200" in line for line in access)
    assert all(" [-] " not in line for line in access)
    for sentence in note.splitlines():
        assert sentence not in logs
