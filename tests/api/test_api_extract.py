from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.operationoutcome import OperationOutcome

from api.fhir import document_reference


def test_extract_text_returns_facts_with_offsets(
    note: str, client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/v1/extract", json={"note": note, "note_id": "n1"}, headers=auth)
    assert response.status_code == 200, response.text
    facts = response.json()["facts"]
    assert facts["schema"] == "note-facts/v1"
    assert facts["note_id"] == "n1"
    assert facts["procedures"][0]["family"] == "esi"
    for item in facts["evidence"]:
        assert note[item["start"] : item["end"]] == item["text"]


def test_extract_document_reference_matches_text(
    note: str, client: TestClient, auth: dict[str, str]
) -> None:
    as_text = client.post("/v1/extract", json={"note": note}, headers=auth).json()
    as_fhir = client.post(
        "/v1/extract", json={"document_reference": document_reference(note, "doc-7")}, headers=auth
    ).json()
    assert as_fhir["facts"]["note_id"] == "doc-7"
    assert as_fhir["facts"]["procedures"] == as_text["facts"]["procedures"]
    assert as_fhir["facts"]["elements"] == as_text["facts"]["elements"]


def _doc(content_type: str, data: str) -> dict[str, object]:
    return {
        "resourceType": "DocumentReference",
        "content": [{"attachment": {"contentType": content_type, "data": data}}],
    }


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        (_doc("text/plain", "!!not base64!!"), "invalid"),
        (_doc("application/pdf", base64.b64encode(b"%PDF").decode()), "not-supported"),
        (_doc("text/plain", base64.b64encode(b"\xff\xfe\xfa").decode()), "invalid"),
        (_doc("text/plain", base64.b64encode(b"   ").decode()), "invalid"),
        ({"resourceType": "DocumentReference", "content": []}, "structure"),
    ],
)
def test_extract_bad_document_reference_is_operation_outcome(
    client: TestClient, auth: dict[str, str], resource: dict[str, object], code: str
) -> None:
    response = client.post("/v1/extract", json={"document_reference": resource}, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code
    assert OperationOutcome.model_validate(body).model_dump(mode="json", exclude_none=True) == body


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"note": "   "}, "E002"),
        ({"note": "Zebrafinch\x00b"}, "E002"),
        ({"note": ["Zebrafinch"]}, None),
        ({}, None),
        ({"note": "x", "document_reference": document_reference("x")}, None),
    ],
)
def test_extract_bad_input_is_problem_json_without_echo(
    client: TestClient,
    auth: dict[str, str],
    payload: dict[str, object],
    code: str | None,
) -> None:
    response = client.post("/v1/extract", json=payload, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422
    assert body.get("code") == code
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Zebrafinch" not in response.text
