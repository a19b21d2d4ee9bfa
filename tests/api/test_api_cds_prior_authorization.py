"""CDS Hooks ``order-sign`` prior-authorization service: needed or not, on file or missing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jsonschema
import pytest
from cds_card_schema import RESPONSE_SCHEMA
from fastapi.testclient import TestClient

from api.cds.discovery import PREAUTH_SERVICE_ID
from api.cds.inputs import CPT_SYSTEM, POS_SYSTEM
from api.problems import PROBLEM_BASE
from assistant.store import AuthorizationRepository, Database

URL = f"/cds-services/{PREAUTH_SERVICE_ID}"
SOPT = "https://nahdo.org/sopt"
TODAY = dt.date.today()


def _medicare() -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "status": "active",
        "type": {"coding": [{"system": SOPT, "code": "121"}]},
        "beneficiary": {"reference": "Patient/p1"},
        "payor": [{"display": "Medicare"}],
    }


def _order(
    cpt: str = "64493",
    *,
    place: str | None = "22",
    site: str | None = "Left L4-L5",
    **extra: Any,
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": "sr-1",
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": CPT_SYSTEM, "code": cpt}]},
        "subject": {"reference": "Patient/p1"},
    }
    if place is not None:
        order["locationCode"] = [{"coding": [{"system": POS_SYSTEM, "code": place}]}]
    if site is not None:
        order["bodySite"] = [{"text": site}]
    return order | extra


def _call(
    patient: str | None, *orders: dict[str, Any], coverage: object = None, hook: str = "order-sign"
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/1",
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": o} for o in orders],
        },
    }
    if patient is not None:
        context["patientId"] = patient
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    body["prefetch"] = {"coverage": coverage if coverage is not None else _medicare()}
    return body


def _authorize(database: Database, patient: str, family: str, **kw: Any) -> None:
    values: dict[str, Any] = {
        "patient_key": patient,
        "payer": "medicare",
        "family": family,
        "levels": ["L4-L5"],
        "side": "left",
        "status": "approved",
        "number": f"UTN-{patient}",
        "valid_from": TODAY - dt.timedelta(days=10),
        "valid_to": TODAY + dt.timedelta(days=30),
    }
    with database.session() as session:
        AuthorizationRepository(session).add_authorization(values | kw, created_by="tests")


@pytest.fixture(scope="module")
def stored(client: TestClient, db_url: str) -> None:
    assert client.app is not None  # the store's tables exist once the app has started
    database = Database(db_url)
    _authorize(database, "CDS-MBB", "facet_mbb", cpt_codes=["64493", "64494"])
    _authorize(database, "CDS-TRIAL", "scs_trial", levels=[], side=None)
    database.dispose()


def _cards(client: TestClient, auth: dict[str, str], body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), RESPONSE_SCHEMA)
    return list(response.json()["cards"])


def test_cds_prior_authorization_is_discovered(client: TestClient) -> None:
    services = {s["id"]: s for s in client.get("/cds-services").json()["services"]}
    service = services[PREAUTH_SERVICE_ID]
    assert service["hook"] == "order-sign"
    assert service["prefetch"] == {
        "coverage": "Coverage?patient={{context.patientId}}&status=active"
    }


@pytest.mark.usefixtures("stored")
def test_cds_prior_authorization_needed_and_missing_warns_with_packet_link(
    client: TestClient, auth: dict[str, str]
) -> None:
    (card,) = _cards(client, auth, _call("CDS-NOBODY", _order()))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Prior authorization needed for CPT 64493 (medicare)")
    assert "Facet joint interventions in a hospital outpatient department" in card["detail"]
    assert "**Missing:** an approved authorization" in card["detail"]
    assert "no authorization on file" in card["detail"]
    assert "**Payer profile:** medicare (from Coverage" in card["detail"]
    assert card["source"]["label"].startswith("42 CFR 419.83(a)(3)")
    (link,) = card["links"]
    assert (link["type"], link["url"]) == ("absolute", "http://testserver/preauth")


@pytest.mark.usefixtures("stored")
def test_cds_prior_authorization_needed_and_on_file_says_so(
    client: TestClient, auth: dict[str, str]
) -> None:
    (card,) = _cards(client, auth, _call("CDS-MBB", _order()))
    assert card["indicator"] == "info"
    assert card["summary"] == "Prior authorization on file for CPT 64493: authorization UTN-CDS-MBB"
    assert "**On file:** authorization UTN-CDS-MBB" in card["detail"]
    assert "links" not in card
    # A trial's authorization carries over to the permanent implant (63650 is either).
    (scs,) = _cards(client, auth, _call("CDS-TRIAL", _order("63650", site=None)))
    assert scs["indicator"] == "info" and "UTN-CDS-TRIAL" in scs["summary"]


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    ("order", "missing"),
    [
        (_order(site="Right L4-L5"), "authorization UTN-CDS-MBB: authorized for the left side"),
        (_order(site="Left L5-S1"), "authorization UTN-CDS-MBB: L5-S1 not authorized"),
        (
            _order("64635"),
            "no authorization on file",  # an MBB authorization is not one for the RFA
        ),
        (
            _order(occurrenceDateTime=(TODAY + dt.timedelta(days=60)).isoformat() + "T09:00:00Z"),
            "authorization UTN-CDS-MBB: valid ",
        ),
    ],
    ids=["side", "level", "other-family", "outside-window"],
)
def test_cds_prior_authorization_on_file_that_does_not_cover_names_the_gap(
    client: TestClient, auth: dict[str, str], order: dict[str, Any], missing: str
) -> None:
    (card,) = _cards(client, auth, _call("CDS-MBB", order))
    assert card["indicator"] == "warning"
    assert missing in card["detail"]


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    ("order", "words"),
    [
        (_order(place="11"), "Place of service 11."),  # office: outside the OPD program
        (_order("64483", place=None, site="Left L5-S1"), "No CMS place of service on the order"),
    ],
    ids=["facet-in-office", "esi-medicare"],
)
def test_cds_prior_authorization_not_needed_is_an_info_card(
    client: TestClient, auth: dict[str, str], order: dict[str, Any], words: str
) -> None:
    (card,) = _cards(client, auth, _call("CDS-NOBODY", order))
    assert card["indicator"] == "info"
    assert card["summary"].startswith("No prior authorization needed: CPT ")
    assert words in card["detail"]
    assert "links" not in card


@pytest.mark.usefixtures("stored")
def test_cds_prior_authorization_one_card_per_procedure_order(
    client: TestClient, auth: dict[str, str]
) -> None:
    other = {"resourceType": "MedicationRequest", "status": "draft"}
    imaging = _order("77003", site=None)  # fluoroscopic guidance: a known code, no procedure
    no_cpt = {"resourceType": "ServiceRequest", "code": {"text": "Physical therapy"}}
    body = _call("CDS-MBB", _order(), other, imaging, no_cpt, _order(place="11"))
    assert [c["indicator"] for c in _cards(client, auth, body)] == ["info", "info"]
    assert _cards(client, auth, _call("CDS-MBB", other, no_cpt)) == []


def _broken(change: dict[str, Any]) -> dict[str, Any]:
    body = _call("CDS-MBB", _order())
    body["context"] = {**body["context"], **change}
    return body


@pytest.mark.parametrize(
    ("body", "slug", "words"),
    [
        (_broken({"draftOrders": None}), "draft-orders", "context.draftOrders must be a FHIR"),
        (_broken({"draftOrders": [_order()]}), "draft-orders", "must be a FHIR Bundle"),
        (
            _broken({"draftOrders": {"resourceType": "Bundle", "entry": {"resource": 1}}}),
            "draft-orders",
            "context.draftOrders.entry must be a list of objects",
        ),
        (
            _broken({"draftOrders": {"resourceType": "Bundle", "entry": [{"fullUrl": "x"}]}}),
            "draft-orders",
            "draftOrders entry 1 has no resource object",
        ),
        (_call("P", _order(code="64493")), "draft-orders", "code must be a CodeableConcept"),
        (_call("P", _order(code={"coding": "64493"})), "draft-orders", "must be a list"),
        (
            _call("P", _order(code={"coding": [{"system": CPT_SYSTEM, "code": 64493}]})),
            "draft-orders",
            "a code must be a string",
        ),
        (_call("P", _order("6449X")), "draft-orders", "is not a CPT code"),
        (_call("P", _order(occurrenceDateTime="soon")), "draft-orders", "with a day"),
        (_call("P", _order(place="HOPD")), "draft-orders", "two-digit code"),
        (_call("P", _order("33533")), "unknown-cpt", "CPT 33533 is not a procedure code"),
        (_call(None, _order()), "cds-context", "context.patientId must be"),
        (_call("P", _order(), hook="note-sign"), "unknown-hook", "it answers order-sign"),
    ],
    ids=[
        "no-draft-orders",
        "orders-not-a-bundle",
        "entries-not-a-list",
        "entry-without-resource",
        "code-not-a-concept",
        "coding-not-a-list",
        "code-not-a-string",
        "malformed-cpt",
        "date-without-day",
        "place-not-a-pos-code",
        "unknown-cpt",
        "no-patient",
        "other-hook",
    ],
)
def test_cds_prior_authorization_malformed_input_is_a_400_problem(
    client: TestClient, auth: dict[str, str], body: dict[str, Any], slug: str, words: str
) -> None:
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + slug
    assert problem["status"] == 400 and problem["request_id"]
    assert words in problem["detail"]
    assert "6449X" not in problem["detail"] and "soon" not in problem["detail"]


def test_cds_prior_authorization_refuses_callers_without_a_key(client: TestClient) -> None:
    assert client.post(URL, json=_call("P", _order())).status_code == 401
