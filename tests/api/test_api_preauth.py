"""``POST /v1/preauth``: the packet as JSON, FHIR, HTML or PDF, and coded refusals."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pypdf import PdfReader

from api.examples import load_example
from assistant.notes import MAX_NOTE_CHARS
from assistant.preauth import Packet

CONSULT = (
    "NEW PATIENT CONSULTATION\n"
    "HISTORY OF PRESENT ILLNESS: Right leg pain shooting to the foot for 4 months.\n"
    "He did 8 weeks of physical therapy without relief. Pain is 8/10.\n"
    "IMAGING: MRI shows a right L4-L5 disc protrusion contacting the right L5 root.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection."
)
SHORT = (
    "Date of service: 03/01/2024\nFOLLOW-UP VISIT\nHISTORY: Low back pain for 10 days.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection."
)
PROCEDURE = {"family": "esi", "levels": ["L4-L5"], "side": "right", "payer": "medicare"}
SECRET_LINE = "He did 8 weeks of physical therapy without relief."


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "notes": [
            {"note_id": "consult", "date_of_service": "2024-02-10", "text": CONSULT},
            {"note_id": "follow-up", "text": SHORT},
        ],
        "procedure": dict(PROCEDURE),
        "patient": "P-7",
    }
    body.update(changes)
    return body


def test_json_packet_over_two_notes(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/v1/preauth", json=_body(), headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    packet = response.json()
    assert packet["schema_version"] == "preauth-packet/v1" and packet["patient"] == "P-7"
    notes = {n["note_id"]: n["date"] for n in packet["timeline"]["notes"]}
    assert notes == {"consult": "2024-02-10", "follow-up": "2024-03-01"}  # from its own line
    assert packet["planned_date"] == "2024-03-01"
    statuses = {c["id"]: c["status"] for c in packet["criteria"]}
    assert statuses["PA-011"] == "met" and statuses["PA-013"] == "met"
    assert isinstance(packet["ready_to_submit"], bool)


def test_fhir_from_the_query_parameter(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/v1/preauth?format=fhir", json=_body(format="json"), headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    data = response.json()
    QuestionnaireResponse.model_validate(data)
    assert data["status"] == "in-progress"
    assert "PA-010" in {item["linkId"] for item in data["item"]}


@pytest.mark.parametrize(
    ("output", "media_type"), [("html", "text/html; charset=utf-8"), ("pdf", "application/pdf")]
)
def test_html_and_pdf_from_the_body(
    client: TestClient, auth: dict[str, str], output: str, media_type: str
) -> None:
    response = client.post("/v1/preauth", json=_body(format=output), headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "no-store"
    if output == "html":
        assert "PA-010" in response.text and "@media print" in response.text
        return
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="preauth-esi-2024-03-01.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Prior authorization packet" in text and "Patient key P-7" in " ".join(text.split())


def _note(**changes: Any) -> dict[str, Any]:
    return {"note_id": "consult", "date_of_service": "2024-02-10", "text": CONSULT, **changes}


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        (_body(procedure={**PROCEDURE, "family": "knee_surgery"}), "E101", "knee_surgery"),
        (_body(procedure={**PROCEDURE, "payer": "blue-moon"}), "E011", "blue-moon"),
        (_body(procedure={**PROCEDURE, "levels": ["low back"]}), "E106", "low back"),
        (_body(procedure={**PROCEDURE, "date": "tomorrow"}), "E105", "procedure -> date"),
        (_body(notes=[_note(text="  \n ")]), "E002", "notes -> 0 -> text: the note is empty"),
        (_body(notes=[_note(text="x" * (MAX_NOTE_CHARS + 1))]), "E002", "the limit is 200,000"),
        (_body(notes=[_note(date_of_service="soon")]), "E105", "notes -> 0 -> date_of_service"),
        (_body(notes=[_note(date_of_service="0001-01-01")]), "E105", "between 1900-01-01"),
        (_body(notes=[_note(date_of_service=None)]), "E104", "notes -> 0 (consult)"),
        (_body(notes=[]), "E105", "no notes given"),
        (_body(notes=[_note(), _note()]), "E105", "notes -> 1 -> note_id: 'consult' is the id"),
    ],
)
def test_refusals_are_coded_problems_without_note_text(
    client: TestClient, auth: dict[str, str], body: dict[str, Any], code: str, says: str
) -> None:
    response = client.post("/v1/preauth", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code and says in problem["detail"]
    assert problem["instance"] == "/v1/preauth" and problem["request_id"]
    assert SECRET_LINE not in response.text


def test_schema_errors_are_problems_too(client: TestClient, auth: dict[str, str]) -> None:
    body = _body(procedure={**PROCEDURE, "side": "middle"}, extra="field")
    response = client.post("/v1/preauth?format=docx", json=body, headers=auth)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/validation")
    places = {tuple(error["loc"]) for error in problem["errors"]}
    assert {("query", "format"), ("body", "procedure", "side"), ("body", "extra")} <= places


def test_needs_an_api_key(client: TestClient) -> None:
    response = client.post("/v1/preauth", json=_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_note_text_is_never_logged(
    client: TestClient, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        ok = client.post("/v1/preauth", json=_body(), headers=auth)
        refused = client.post("/v1/preauth", json=_body(notes=[_note(), _note()]), headers=auth)
    assert (ok.status_code, refused.status_code) == (200, 422)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "preauth packet: 2 notes, esi" in logged
    for line in (*CONSULT.splitlines(), *SHORT.splitlines()[1:]):
        assert line not in logged


def test_stored_openapi_example_is_a_current_exchange(
    client: TestClient, auth: dict[str, str]
) -> None:
    stored = load_example("preauth")
    assert (stored["method"], stored["path"]) == ("POST", "/v1/preauth")
    Packet.model_validate(stored["response"])
    response = client.post(stored["path"], json=stored["request"], headers=auth)
    assert response.status_code == 200
    fresh, old = response.json(), stored["response"]
    keys = ("schema_version", "criteria_version", "ready_to_submit")
    assert [fresh[k] for k in keys] == [old[k] for k in keys], "stale example: re-record it"
    assert [c["id"] for c in fresh["criteria"]] == [c["id"] for c in old["criteria"]]
    operation = client.get("/openapi.json").json()["paths"]["/v1/preauth"]["post"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "application/fhir+json", "text/html", "application/pdf"} <= set(
        content
    )
