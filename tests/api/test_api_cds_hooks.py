"""CDS Hooks 2.0: discovery, cards and feedback, validated against the spec's JSON shapes."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cds_card_schema import RESPONSE_SCHEMA
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.cds.payer_choice import cds_coverage_map, choose_payer
from api.fhir import document_reference
from api.main import create_app
from api.settings import Settings
from assistant.checks.coverage import COVERAGE_MAP_FILE
from assistant.checks.registry import default_checklist_dir
from assistant.errors import RuleFileError
from assistant.store import CdsFeedback, Database

# The Discovery shape of the CDS Hooks 2.0 specification (cards: cds_card_schema.py).
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


SOPT = "https://nahdo.org/sopt"


def _coverage(
    sopt: str | None = None,
    *,
    payor: str = "Example Health Plan",
    status: str = "active",
    order: int | None = None,
    plan: str | None = None,
) -> dict[str, Any]:
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "status": status,
        "beneficiary": {"reference": "Patient/p1"},
        "payor": [{"display": payor}],
        "unknownExtension": {"ignored": True},
    }
    if sopt is not None:
        coverage["type"] = {"coding": [{"system": SOPT, "code": sopt}]}
    if order is not None:
        coverage["order"] = order
    if plan is not None:
        coverage["class"] = [{"type": {"coding": [{"code": "plan"}]}, "value": plan}]
    return coverage


def _note_sign(note: str, coverage: object) -> dict[str, Any]:
    context = {"patientId": "p1", "draftNotes": _bundle(document_reference(note))}
    return _call("note-sign", context, {"coverage": coverage})


def test_cds_discovery_prefetches_active_coverage(client: TestClient) -> None:
    services = client.get("/cds-services").json()["services"]
    templates = {s["id"]: (s.get("prefetch") or {}).get("coverage") for s in services}
    assert set(templates.values()) == {"Coverage?patient={{context.patientId}}&status=active"}


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        (_coverage("121"), "medicare (from Coverage, rule medicare-sopt)"),
        (_bundle(_coverage("521")), "commercial (from Coverage, rule commercial-sopt)"),
        (None, "commercial (default: no Coverage in the request)"),
        (
            {"resourceType": "Coverage", "payor": "Medicare"},
            "commercial (default: the Coverage could not be read: [payor]",
        ),
        (42, "commercial (default: the coverage prefetch is not a Coverage or a Bundle)"),
        (
            {"resourceType": "Bundle", "entry": "not a list"},
            "commercial (default: the coverage prefetch is not a Coverage or a Bundle)",
        ),
    ],
    ids=["medicare", "commercial", "missing", "malformed-payor", "not-fhir", "bad-bundle"],
)
def test_cds_payer_profile_from_coverage_is_named_on_cards(
    client: TestClient, auth: dict[str, str], note: str, coverage: object, expected: str
) -> None:
    response = client.post(
        "/cds-services/chartready-note-check", json=_note_sign(note, coverage), headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    jsonschema.validate(body, RESPONSE_SCHEMA)
    assert body["cards"], "the test note has documentation gaps"
    for card in body["cards"]:
        assert "**Payer profile:** " + expected in card["detail"]


@pytest.mark.parametrize(
    ("coverage", "status"),
    [(_coverage("121"), 200), (_coverage("2"), 422), (None, 422)],
    ids=["medicare-coverage", "medicaid-unmapped", "missing"],
)
def test_cds_mapped_payer_is_the_one_checked(
    settings: Settings, note: str, coverage: object, status: int
) -> None:
    # The default payer is unknown here, so only a mapped Coverage lets the check run.
    odd = settings.model_copy(
        update={"auth_required": False, "warm_up": False, "cds_default_payer": "no_such_payer"}
    )
    with TestClient(create_app(odd)) as other:
        response = other.post(
            "/cds-services/chartready-note-check", json=_note_sign(note, coverage)
        )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("coverage", "payer", "reason"),
    [
        (_coverage("111"), "medicare", "from Coverage, rule medicare-sopt"),
        (_coverage(payor="Medicare Part B"), "medicare", "from Coverage, rule medicare-named"),
        (
            _coverage(plan="MEDICARE ADVANTAGE PPO"),
            "medicare",
            "from Coverage, rule medicare-named",
        ),
        (_coverage("6"), "commercial", "from Coverage, rule commercial-sopt"),
        (_coverage("2"), "dflt", "default: the Coverage matched no coverage-map rule"),
        (_coverage(payor="Medi-Cal"), "dflt", "default: the Coverage matched no coverage-map rule"),
        (
            _coverage("121", status="cancelled"),
            "dflt",
            "default: no active Coverage in the request",
        ),
        (_bundle(), "dflt", "default: no active Coverage in the request"),
        (
            _bundle(_coverage("521", order=2), _coverage("121", order=1)),
            "medicare",
            "from Coverage, rule medicare-sopt",
        ),
        (
            [_coverage("521"), {"resourceType": "OperationOutcome"}],
            "dflt",
            "default: the coverage prefetch is not a Coverage or a Bundle",
        ),
        (
            _bundle({"resourceType": "Coverage", "type": "medicare"}),
            "dflt",
            "default: the Coverage could not be read: [type] Input should be a valid dictionary",
        ),
        (
            _coverage("121") | {"order": 0},
            "dflt",
            "default: the Coverage could not be read: [order] Input should be greater than",
        ),
    ],
    ids=[
        "sopt-medicare-hmo",
        "payor-display",
        "plan-class",
        "sopt-bcbs",
        "medicaid",
        "medi-cal-is-not-medicare",
        "cancelled",
        "empty-bundle",
        "primary-by-order",
        "list-with-non-coverage",
        "type-not-concept",
        "order-below-one",
    ],
)
def test_choose_payer_cases(coverage: object, payer: str, reason: str) -> None:
    choice = choose_payer(coverage, cds_coverage_map(), "dflt")
    assert (choice.payer, choice.from_coverage) == (payer, payer != "dflt")
    assert choice.reason.startswith(reason)


def test_choose_payer_never_echoes_member_identifiers() -> None:
    coverage = _coverage("121") | {"subscriberId": "1EG4-TE5-MK73", "order": "first"}
    choice = choose_payer(coverage, cds_coverage_map(), "dflt")
    assert "1EG4" not in choice.reason
    assert "first" not in choice.reason


def test_cds_coverage_map_setting_is_validated_against_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "coverage-map.v1.yaml"
    path.write_text(
        "version: 1\nrules:\n  - {id: a, payer: nobody, description: d, class_text: [x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        cds_coverage_map(str(path))
    assert f"{path}: [rules -> 0 -> payer] unknown payer 'nobody'" in str(caught.value)


def test_cds_without_coverage_map_uses_the_default_payer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    (root / COVERAGE_MAP_FILE).unlink()
    monkeypatch.setenv("CHARTREADY_CHECKLIST_DIR", str(root))
    cds_coverage_map.cache_clear()
    try:
        choice = choose_payer(_coverage("121"), cds_coverage_map(), "dflt")
    finally:
        cds_coverage_map.cache_clear()
    assert (choice.payer, choice.reason) == (
        "dflt",
        "default: the Coverage matched no coverage-map rule",
    )


def test_cds_not_recognised_note_gets_its_own_warning_card(
    client: TestClient, auth: dict[str, str]
) -> None:
    # Procedure words (a level, guidance, an injectate) but no procedure the reader knows.
    unread = "Pt seen. Rt L4-5 blk done under fluoro, 80mg depomedrol. tolerated well."
    body = _call(
        "note-sign", {"patientId": "p1", "draftNotes": _bundle(document_reference(unread))}
    )
    response = client.post("/cds-services/chartready-note-check", json=body, headers=auth)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), RESPONSE_SCHEMA)
    cards = response.json()["cards"]
    first = cards[0]
    assert first["indicator"] == "warning"
    assert first["summary"] == (
        "ChartReady could not identify the procedure: check this note by hand"
    )
    assert "could not tell which procedure was performed" in first["detail"]
    assert first["links"][0]["type"] == "absolute" and first["overrideReasons"]
    assert first["source"]["label"].startswith("CMS Medicare Program Integrity Manual")
    # The finding that set the verdict is not repeated as a card of its own.
    assert all("Check this note by hand" not in card["summary"] for card in cards[1:])
    assert len({card["summary"] for card in cards}) == len(cards)
