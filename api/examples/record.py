"""Record the example exchanges from a running app (``python -m api.examples``)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from api.examples import ExampleSpec, example_specs

# Review links on CDS cards are absolute; the examples use a neutral documentation host.
EXAMPLE_BASE_URL = "https://chartready.example.org"


def record_exchanges(specs: list[ExampleSpec] | None = None) -> dict[str, dict[str, Any]]:
    """Send every spec's request to a fresh in-process app; the responses as it returned them.

    The app runs without authentication over a throw-away SQLite store.

    Raises:
        RuntimeError: a request did not answer 200 (an example must show a success).
    """
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    exchanges: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="chartready-examples-") as folder:
        settings = Settings(
            auth_required=False,
            warm_up=False,
            reader_processes=0,  # one short session: no reader processes to start
            database_url=f"sqlite:///{folder}/examples.sqlite3",
            public_base_url=EXAMPLE_BASE_URL,
            cds_default_payer="commercial",
        )
        with TestClient(create_app(settings)) as client:
            for spec in specs if specs is not None else example_specs():
                response = client.request(spec.method, spec.path, json=spec.request)
                if response.status_code != 200:
                    raise RuntimeError(f"example {spec.name}: HTTP {response.status_code}")
                exchanges[spec.name] = {
                    "summary": spec.summary,
                    "method": spec.method,
                    "path": spec.path,
                    "request": spec.request,
                    "response": response.json(),
                }
    return exchanges


def write_exchanges(exchanges: dict[str, dict[str, Any]], directory: Path) -> list[Path]:
    """Write ``<name>.json`` per exchange (stable formatting, so diffs stay readable)."""
    paths = []
    for name, exchange in exchanges.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(exchange, indent=2, ensure_ascii=False) + "\n", "utf-8")
        paths.append(path)
    return paths
