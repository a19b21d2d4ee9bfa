"""Note text never reaches a log line or an error body.

Each case sends a note carrying a fresh marker through a route that takes note text, often
down an error path, while every logger records at DEBUG. The marker must appear in no log
record, nothing written to stdout/stderr, and no error (4xx/5xx) body. Successful answers
may quote evidence; the pre-sign page may refill its own note box when it shows an error.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI

from api.cds.discovery import SERVICE_ID
from api.fhir import document_reference
from assistant.store import WorklistRepository
from assistant.store.importing import known_payers

if TYPE_CHECKING:
    from conftest import Callers
    from httpx2 import Response  # what starlette's TestClient returns

# Loggers that do not propagate to the root (or may be configured not to) get the handler too.
NAMED_LOGGERS = ("chartready", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")
# SQLAlchemy's SQL echo keeps its own level (WARNING unless configured): at INFO it logs
# statement parameters, note text included; see test_log_canary_sql_echo_hides_parameters.
SQL_ECHO = "sqlalchemy"
NOTE_BOX = re.compile(r"<textarea[^>]*\bname=\"note\"[^>]*>.*?</textarea>", re.DOTALL)


class Collector(logging.Handler):
    """Keeps every formatted record (message, arguments, traceback and stack)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted still counts
            self.lines.append(f"{record.name} {record.msg!r} {record.args!r}")

    def containing(self, marker: str) -> list[str]:
        """The captured lines that quote ``marker``."""
        return [line for line in self.lines if marker in line]


@pytest.fixture
def logs() -> Iterator[Collector]:
    """Every logger at DEBUG, all records collected; levels and handlers restored after."""
    collector = Collector()
    manager = logging.Logger.manager
    existing = [
        item
        for name, item in manager.loggerDict.items()
        if isinstance(item, logging.Logger) and name.split(".")[0] != SQL_ECHO
    ]
    targets = {logging.getLogger(name) for name in NAMED_LOGGERS} | set(existing)
    root = logging.getLogger()
    saved = {logger: logger.level for logger in [*targets, root]}
    hooked = [root, *(lg for lg in targets if not lg.propagate)]
    for logger in saved:
        logger.setLevel(logging.DEBUG)
    for logger in hooked:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in hooked:
            logger.removeHandler(collector)
        for logger, level in saved.items():
            logger.setLevel(level)


@pytest.fixture
def marker() -> str:
    return f"CANARY{uuid.uuid4().hex}"


def _note(note: str, marker: str) -> str:
    return f"{note}\nAddendum: {marker} reviewed the images.\n"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _fhir(**attachment: str) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": "canary",
        "content": [{"attachment": attachment}],
    }


def _cds(hook: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "hook": hook,
        "hookInstance": "5a3f7c2e-0c8e-4b55-9d1e-2b7a1f0c9e11",
        "context": {"userId": "Practitioner/1", "draftNotes": resource},
    }


Build = Callable[["Callers", str], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One request that carries the marker, and the status it must get."""

    method: str
    url: str
    build: Build
    status: int


def _key(callers: Callers) -> dict[str, str]:
    return {"Authorization": f"Bearer {callers.api_key}"}


def _api_json(payload: Callable[[str, str], Any]) -> Build:
    """Send ``payload(note with marker, marker)`` as JSON with the active key."""
    return lambda c, m: {"headers": _key(c), "json": payload(_note(c.note, m), m)}


def _api_raw(payload: Callable[[str, str], bytes], key: bool = True) -> Build:
    def build(c: Callers, m: str) -> dict[str, Any]:
        headers = {"content-type": "application/json", **(_key(c) if key else {})}
        return {"headers": headers, "content": payload(_note(c.note, m), m)}

    return build


def _signed_in(role: str, fields: Callable[[str], dict[str, str]]) -> Build:
    """Post the pre-sign form as ``role`` with its CSRF token."""
    return lambda c, m: {
        "session_token": c.sessions[role],
        "data": {"csrf": c.csrf[role], **fields(_note(c.note, m))},
    }


def _upload(name: str, content: Callable[[str, str], str]) -> Build:
    """Upload a worklist batch as a coder."""
    return lambda c, m: {
        "session_token": c.sessions["coder"],
        "data": {"csrf": c.csrf["coder"]},
        "files": {"file": (name, content(_note(c.note, m), m).encode(), "text/plain")},
    }


def _jsonl(**row: Any) -> str:
    base = {"note_id": "c-1", "provider": "Dr Canary", "date_of_service": "2026-10-04"}
    return json.dumps({**base, "payer": "commercial", **row}) + "\n"


CASES: dict[str, Case] = {
    "extract-ok": Case("POST", "/v1/extract", _api_json(lambda n, m: {"note": n}), 200),
    "extract-fhir-ok": Case(
        "POST",
        "/v1/extract",
        _api_json(lambda n, m: {"document_reference": document_reference(n)}),
        200,
    ),
    "check-ok-stored": Case(
        "POST", "/v1/checks", _api_json(lambda n, m: {"note": n, "store": True}), 200
    ),
    "check-unknown-payer": Case(
        "POST", "/v1/checks", _api_json(lambda n, m: {"note": n, "payer": "acme-health"}), 422
    ),
    "check-nul": Case("POST", "/v1/checks", _api_json(lambda n, m: {"note": n + "\x00"}), 422),
    "check-over-200k-chars": Case(
        "POST", "/v1/checks", _api_json(lambda n, m: {"note": (n + " ") * 800}), 422
    ),
    "check-body-over-limit": Case(
        "POST", "/v1/checks", _api_json(lambda n, m: {"note": (n + " ") * 2000}), 413
    ),
    "check-malformed-json": Case(
        "POST", "/v1/checks", _api_raw(lambda n, m: b'{"note": "' + n.encode()), 422
    ),
    "check-malformed-json-anonymous": Case(
        "POST", "/v1/checks", _api_raw(lambda n, m: b'{"note": "' + n.encode(), key=False), 422
    ),
    "check-anonymous": Case(
        "POST", "/v1/checks", lambda c, m: {"json": {"note": _note(c.note, m)}}, 401
    ),
    "check-wrong-types": Case(
        "POST",
        "/v1/checks",
        _api_json(lambda n, m: {"note": [n], "payer": {"name": n}, "claim": n, "history": n}),
        422,
    ),
    "check-note-and-fhir": Case(
        "POST",
        "/v1/checks",
        _api_json(lambda n, m: {"note": n, "document_reference": document_reference(n)}),
        422,
    ),
    "fhir-not-base64": Case(
        "POST",
        "/v1/checks",
        _api_json(lambda n, m: {"document_reference": _fhir(contentType="text/plain", data=n)}),
        422,
    ),
    "fhir-html-attachment": Case(
        "POST",
        "/v1/checks",
        _api_json(
            lambda n, m: {
                "document_reference": _fhir(contentType="text/html", data=_b64(n.encode()))
            }
        ),
        422,
    ),
    "fhir-invalid-utf8": Case(
        "POST",
        "/v1/extract",
        _api_json(
            lambda n, m: {
                "document_reference": _fhir(
                    contentType="text/plain", data=_b64(b"\xff\xfe" + n.encode())
                )
            }
        ),
        422,
    ),
    "fhir-wrong-resource": Case(
        "POST",
        "/v1/extract",
        _api_json(
            lambda n, m: {"document_reference": {"resourceType": n, "content": [{"attachment": n}]}}
        ),
        422,
    ),
    "batch-too-large": Case(
        "POST", "/v1/checks/batch", _api_json(lambda n, m: {"items": [{"note": n}] * 5}), 422
    ),
    "cds-ok": Case(
        "POST",
        f"/cds-services/{SERVICE_ID}",
        _api_json(lambda n, m: _cds("note-sign", document_reference(n))),
        200,
    ),
    "cds-unknown-hook": Case(
        "POST",
        f"/cds-services/{SERVICE_ID}",
        _api_json(lambda n, m: _cds("patient-view", document_reference(n))),
        400,
    ),
    "cds-unknown-service": Case(
        "POST",
        "/cds-services/no-such-service",
        _api_json(lambda n, m: _cds("note-sign", document_reference(n))),
        404,
    ),
    "cds-malformed-json": Case(
        "POST",
        f"/cds-services/{SERVICE_ID}",
        _api_raw(lambda n, m: b'{"hook": "' + n.encode()),
        422,
    ),
    "cds-feedback-invalid": Case(
        "POST",
        f"/cds-services/{SERVICE_ID}/feedback",
        _api_json(
            lambda n, m: {
                "feedback": [
                    {
                        "card": m,
                        "outcome": n,
                        "overrideReason": {"userComment": n * 40},
                        "outcomeTimestamp": n,
                    }
                ]
            }
        ),
        422,
    ),
    "review-key-ok": Case(
        "POST",
        "/review",
        lambda c, m: {"data": {"note": _note(c.note, m), "api_key": c.api_key}},
        200,
    ),
    "review-saved": Case(
        "POST", "/review", _signed_in("provider", lambda n: {"note": n, "save": "yes"}), 200
    ),
    "review-no-key": Case(
        "POST", "/review", lambda c, m: {"data": {"note": _note(c.note, m)}}, 401
    ),
    "review-unknown-payer": Case(
        "POST", "/review", _signed_in("provider", lambda n: {"note": n, "payer": "acme"}), 422
    ),
    "review-nul": Case("POST", "/review", _signed_in("coder", lambda n: {"note": n + "\x00"}), 422),
    "review-over-form-limit": Case(
        "POST", "/review", _signed_in("coder", lambda n: {"note": (n + " ") * 800}), 422
    ),
    "review-bad-claim": Case(
        "POST", "/review", _signed_in("coder", lambda n: {"note": n, "cpt": "99999x"}), 422
    ),
    "import-bad-date": Case(
        "POST",
        "/worklist/import",
        _upload("canary.jsonl", lambda n, m: _jsonl(note_text=n, date_of_service=n[-60:])),
        422,
    ),
    "import-malformed-jsonl": Case(
        "POST", "/worklist/import", _upload("canary.jsonl", lambda n, m: '{"note_text": "' + n), 422
    ),
    "import-malformed-csv-field": Case(
        "POST",
        "/worklist/import",
        _upload(
            "canary.csv",
            lambda n, m: (
                "note_id,provider,date_of_service,payer,note_text,claim_lines\n"
                f'c-1,Dr Canary,2026-10-04,commercial,"{n}","[{m}"\n'
            ),
        ),
        422,
    ),
    "import-bad-fhir": Case(
        "POST",
        "/worklist/import",
        _upload(
            "canary.jsonl",
            lambda n, m: (
                _jsonl(document_reference=_fhir(contentType="text/plain", data=n))
                + _jsonl(
                    note_id="c-2",
                    document_reference=_fhir(
                        contentType="text/plain", data=_b64(b"\xff" + n.encode())
                    ),
                )
            ),
        ),
        422,
    ),
}


def _error_body(case: Case, response: Response) -> str:
    """The part of an error answer that must not quote the note."""
    text = response.text
    if case.url == "/review" and "text/html" in response.headers.get("content-type", ""):
        boxes = NOTE_BOX.findall(text)
        assert len(boxes) == 1, "the pre-sign page should refill exactly one note box"
        text = NOTE_BOX.sub("", text)
    return text


def _assert_clean(
    marker: str, logs: Collector, captured: pytest.CaptureFixture[str], bodies: list[str]
) -> None:
    assert not logs.containing(marker), logs.containing(marker)[:3]
    out, err = captured.readouterr()
    assert marker not in out
    assert marker not in err
    for body in bodies:
        assert marker not in body, body[:500]


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_canary_route_never_logs_or_echoes_note(
    callers: Callers,
    logs: Collector,
    capfd: pytest.CaptureFixture[str],
    marker: str,
    name: str,
) -> None:
    case = CASES[name]
    response = callers.send(case.method, case.url, **case.build(callers, marker))
    assert response.status_code == case.status, response.text[:300]
    bodies = [_error_body(case, response)] if response.status_code >= 400 else []
    assert logs.lines, "nothing was logged: is the collector attached?"
    _assert_clean(marker, logs, capfd, bodies)


def test_log_canary_batch_item_errors_never_echo_note(
    callers: Callers, logs: Collector, capfd: pytest.CaptureFixture[str], marker: str
) -> None:
    note = _note(callers.note, marker)
    items = [
        {"note": note},
        {"note": note + "\x00"},
        {"note": note, "payer": "acme-health"},
        {"document_reference": _fhir(contentType="text/plain", data=note)},
    ]
    response = callers.send(
        "POST", "/v1/checks/batch", headers=_key(callers), json={"items": items}
    )
    assert response.status_code == 200, response.text[:300]
    answered = response.json()["items"]
    assert [item.get("error") is None for item in answered] == [True, False, False, False]
    _assert_clean(marker, logs, capfd, [json.dumps(item["error"]) for item in answered[1:]])


def test_log_canary_unreadable_cds_note_card_never_quotes_note(
    callers: Callers, logs: Collector, capfd: pytest.CaptureFixture[str], marker: str
) -> None:
    note = _note(callers.note, marker)
    resource = _fhir(contentType="text/plain", data=_b64(b"\xff" + note.encode()))
    response = callers.send(
        "POST",
        f"/cds-services/{SERVICE_ID}",
        headers=_key(callers),
        json=_cds("note-sign", resource),
    )
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert len(cards) == 1 and "could not read" in cards[0]["summary"]
    _assert_clean(marker, logs, capfd, [response.text])


def test_log_canary_crash_quoting_note_is_logged_by_type_only(
    callers: Callers,
    hard_app: FastAPI,
    logs: Collector,
    capfd: pytest.CaptureFixture[str],
    marker: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def crash(text: str, _note_id: str) -> None:
        raise RuntimeError(f"reader failed on: {text}")

    monkeypatch.setattr(hard_app.state.runner, "read", crash)
    note = _note(callers.note, marker)
    response = callers.send("POST", "/v1/extract", headers=_key(callers), json={"note": note})
    assert response.status_code == 500
    assert any("unhandled RuntimeError" in line for line in logs.lines)
    _assert_clean(marker, logs, capfd, [response.text])


def _wait_finished(callers: Callers, batch_id: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with callers.database.session() as session:
            if WorklistRepository(session).progress(batch_id).finished:
                return
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} not checked within {seconds} s")


@pytest.mark.parametrize(("failure", "expected"), [("unknown-payer", (1, 1)), ("crash", (0, 2))])
def test_log_canary_worklist_checker_never_logs_note(
    callers: Callers,
    logs: Collector,
    capfd: pytest.CaptureFixture[str],
    marker: str,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    expected: tuple[int, int],
) -> None:
    if failure == "crash":

        def crash(text: str, **_: object) -> None:
            raise RuntimeError(f"checker failed on: {text}")

        monkeypatch.setattr("assistant.pipeline.check_note", crash)
    note = _note(callers.note, marker)
    # The import refuses an unknown payer; let this one through so the checker refuses it.
    allowed = [*known_payers(), "acme-health"]
    monkeypatch.setattr("assistant.store.importing.known_payers", lambda: allowed)
    batch = _jsonl(note_id="ok", note_text=note) + _jsonl(
        note_id="bad", note_text=note, payer="acme-health"
    )
    build = _upload("canary.jsonl", lambda n, m: batch)
    response = callers.send("POST", "/worklist/import", **build(callers, marker))
    assert response.status_code == 303, response.text[:300]
    batch_id = int(response.headers["location"].rsplit("=", 1)[1])
    _wait_finished(callers, batch_id)
    with callers.database.session() as session:
        progress = WorklistRepository(session).progress(batch_id)
    assert (progress.done, progress.failed) == expected
    assert any(re.search(r"worklist item \d+ failed: \w+", line) for line in logs.lines)
    _assert_clean(marker, logs, capfd, [])


def test_log_canary_unknown_payer_refused_at_import_without_note(
    callers: Callers, logs: Collector, capfd: pytest.CaptureFixture[str], marker: str
) -> None:
    note = _note(callers.note, marker)
    batch = _jsonl(note_id="ok", note_text=note) + _jsonl(
        note_id="bad", note_text=note, payer="acme-health"
    )
    build = _upload("canary-payer.jsonl", lambda n, m: batch)
    response = callers.send("POST", "/worklist/import", **build(callers, marker))
    assert response.status_code == 422 and "unknown payer" in response.text
    assert any("worklist import refused" in line for line in logs.lines)
    _assert_clean(marker, logs, capfd, [response.text])


def test_log_canary_sql_echo_hides_parameters(
    callers: Callers, logs: Collector, marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_logger = logging.getLogger("sqlalchemy.engine")
    monkeypatch.setattr(engine_logger, "level", logging.INFO)
    monkeypatch.setattr(engine_logger, "handlers", [*engine_logger.handlers, logs])
    note = _note(callers.note, marker)
    build = _upload("echo.jsonl", lambda n, m: _jsonl(note_id="echo", note_text=note))
    response = callers.send("POST", "/worklist/import", **build(callers, marker))
    if response.status_code != 303 or not any(line.startswith("sqlalchemy") for line in logs.lines):
        pytest.fail("the import did not run with SQL echo on")  # not the expected failure
    assert not logs.containing(marker)
