"""CDS Hooks 2.0: discovery, cards and feedback, validated against the spec's JSON shapes."""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.fhir import document_reference
from assistant.store import CdsFeedback, Database

# Shapes transcribed from the CDS Hooks 2.0 specification (Discovery, CDS Service Response).
CODING = {
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "system": {"type": "string"}},
}
DISCOVERY_SCHEMA = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hook", "description", "id"],
                "properties": {
                    "hook": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "id": {"type": "string"},
                    "prefetch": {"type": "object", "additionalProperties": {"type": "string"}},
                    "usageRequirements": {"type": "string"},
                },
            },
        }
    },
}
CARD = {
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string"},
        "summary": {"type": "string", "maxLength": 139},
        "detail": {"type": "string"},
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {
            "type": "object",
            "required": ["label"],
            "properties": {"label": {"type": "string"}, "url": {"type": "string"}},
        },
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label"],
                "properties": {"label": {"type": "string"}, "uuid": {"type": "string"}},
            },
        },
        "selectionBehavior": {"enum": ["at-most-one", "any"]},
        "overrideReasons": {"type": "array", "items": CODING},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "url", "type"],
                "properties": {"type": {"enum": ["absolute", "smart"]}},
            },
        },
    },
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}
RESPONSE_SCHEMA = {
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD}},
}


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def _call(
    hook: str, context: dict[str, Any], prefetch: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def test_cds_discovery_is_public_and_valid(client: TestClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, DISCOVERY_SCHEMA)
    ids = [s["id"] for s in body["services"]]
    assert len(ids) == len(set(ids))
    assert {s["hook"] for s in body["services"]} == {
        "encounter-discharge",
        "order-sign",
        "note-sign",
    }
    assert "chartready-note-check" in ids


@pytest.mark.parametrize(
    "make_body",
    [
        lambda n: _call(
            "note-sign", {"patientId": "p1", "draftNotes": _bundle(document_reference(n))}
        ),
        lambda n: _call(
            "encounter-discharge",
            {"patientId": "p1", "encounterId": "e1", "unknownField": {"x": 1}},
            {"notes": _bundle(document_reference(n))},
        ),
        lambda n: _call(
            "order-sign",
            {
                "patientId": "p1",
                "draftOrders": _bundle(
                    {
                        "resourceType": "ServiceRequest",
                        "code": {
                            "coding": [
                                {"system": "http://www.ama-assn.org/go/cpt", "code": "64483"}
                            ]
                        },
                    }
                ),
            },
            {"notes": document_reference(n)},
        ),
    ],
    ids=["note-sign", "encounter-discharge", "order-sign"],
)
def test_cds_hooks_return_valid_crd_cards(
    client: TestClient, auth: dict[str, str], note: str, make_body: Any
) -> None:
    response = client.post(
        "/cds-services/chartready-note-check", json=make_body(note), headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    jsonschema.validate(body, RESPONSE_SCHEMA)
    assert body["cards"], "the test note has documentation gaps"
    for card in body["cards"]:
        assert card["indicator"] in ("info", "warning")
        assert len(card["summary"]) < 140
        assert card["links"][0]["url"].startswith("http")
        assert card["links"][0]["type"] == "absolute"
        for suggestion in card.get("suggestions", []):
            assert uuid.UUID(suggestion["uuid"])


def test_cds_hook_without_note_returns_no_cards(client: TestClient, auth: dict[str, str]) -> None:
    body = _call("encounter-discharge", {"patientId": "p1", "encounterId": "e1"})
    response = client.post("/cds-services/chartready-note-check", json=body, headers=auth)
    assert response.json() == {"cards": []}


def test_cds_hook_unreadable_note_gives_info_card(client: TestClient, auth: dict[str, str]) -> None:
    bad = {
        "resourceType": "DocumentReference",
        "content": [{"attachment": {"contentType": "text/plain", "data": "%%%"}}],
    }
    body = _call("note-sign", {"draftNotes": _bundle(bad)})
    response = client.post("/cds-services/chartready-note-check", json=body, headers=auth)
    cards = response.json()["cards"]
    jsonschema.validate(response.json(), RESPONSE_SCHEMA)
    assert [c["indicator"] for c in cards] == ["info"]


@pytest.mark.parametrize(
    ("path", "headers_needed", "status"),
    [
        ("/cds-services/chartready-note-check", False, 401),
        ("/cds-services/no-such-service", True, 404),
    ],
)
def test_cds_service_auth_and_unknown_id(
    client: TestClient, auth: dict[str, str], path: str, headers_needed: bool, status: int
) -> None:
    body = _call("note-sign", {})
    response = client.post(path, json=body, headers=auth if headers_needed else {})
    assert response.status_code == status


def test_cds_feedback_is_stored_with_reason(
    client: TestClient, auth: dict[str, str], db_url: str
) -> None:
    card = str(uuid.uuid4())
    feedback = {
        "feedback": [
            {
                "card": card,
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {"code": "documented-elsewhere", "system": "urn:x"},
                    "userComment": "in the consent form",
                },
                "outcomeTimestamp": "2026-01-05T10:00:00Z",
            },
            {
                "card": card,
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "s1"}],
                "outcomeTimestamp": "2026-01-05T10:01:00Z",
            },
        ]
    }
    response = client.post(
        "/cds-services/chartready-note-check/feedback", json=feedback, headers=auth
    )
    assert response.status_code == 200
    database = Database(db_url)
    with database.session() as session:
        rows = session.scalars(select(CdsFeedback).where(CdsFeedback.card_uuid == card)).all()
        got = [(r.outcome, r.override_reason_code, r.accepted_suggestions) for r in rows]
    database.dispose()
    assert got == [("overridden", "documented-elsewhere", []), ("accepted", None, ["s1"])]
