"""``POST /v1/checks`` with a patient key: the note is compared with the stored authorization."""

from __future__ import annotations

from typing import Any

import pytest
from authorization_support import MBB_NOTE, authorize_mbb
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from api.service import to_public
from assistant.pipeline import check_note
from assistant.store import CheckRepository, Database

WRONG_SIDE = "API-LEFT"  # authorized for the left side; the note treats the right
MATCHING = "API-RIGHT"


@pytest.fixture(scope="module")
def stored(client: TestClient, db_url: str) -> None:
    assert client.app is not None  # the store's tables exist once the app has started
    database = Database(db_url)
    authorize_mbb(database, WRONG_SIDE, "left")
    authorize_mbb(database, MATCHING, "right")
    database.dispose()


def _check(client: TestClient, auth: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {"note": MBB_NOTE, "note_id": "mbb", "payer": "medicare", **extra}
    response = client.post("/v1/checks", json=body, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _rule_ids(result: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in result["findings"]]


@pytest.mark.usefixtures("stored")
def test_check_patient_key_mismatch_is_a_finding_with_verdict_and_risk_recomputed(
    client: TestClient, auth: dict[str, str]
) -> None:
    plain = _check(client, auth)
    keyed = _check(client, auth, patient_key=WRONG_SIDE)
    assert "AUTH-003" in _rule_ids(keyed) and "AUTH-003" not in _rule_ids(plain)
    finding = next(f for f in keyed["findings"] if f["rule_id"] == "AUTH-003")
    assert f"authorization UTN-{WRONG_SIDE} is for the left side" in finding["message"]
    assert MBB_NOTE[finding["evidence"][0]["start"] : finding["evidence"][0]["end"]] == "Right"
    assert (plain["verdict"], keyed["verdict"]) == ("ready", "needs_attention")
    assert keyed["risk"]["probability"] > plain["risk"]["probability"]


@pytest.mark.usefixtures("stored")
def test_check_patient_key_matching_authorization_adds_nothing(
    client: TestClient, auth: dict[str, str]
) -> None:
    plain = _check(client, auth)
    keyed = _check(client, auth, patient_key=MATCHING)
    assert not [r for r in _rule_ids(keyed) if r.startswith("AUTH-")]
    assert keyed == plain


@pytest.mark.usefixtures("stored")
def test_check_without_patient_key_is_byte_for_byte_the_plain_check(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = {"note": MBB_NOTE, "note_id": "mbb", "payer": "medicare"}
    without = client.post("/v1/checks", json=body, headers=auth)
    null_key = client.post("/v1/checks", json={**body, "patient_key": None}, headers=auth)
    assert without.content == null_key.content
    expected = jsonable_encoder(
        to_public(check_note(MBB_NOTE, note_id="mbb", payer="medicare"), "mbb")
    )
    assert without.json() == expected


@pytest.mark.usefixtures("stored")
def test_check_patient_key_in_a_batch_and_stored_with_its_findings(
    client: TestClient, auth: dict[str, str], db_url: str
) -> None:
    items = [
        {"note": MBB_NOTE, "payer": "medicare", "patient_key": WRONG_SIDE, "store": True},
        {"note": MBB_NOTE, "payer": "medicare"},
    ]
    response = client.post("/v1/checks/batch", json={"items": items}, headers=auth)
    assert response.status_code == 200, response.text
    first, second = (item["result"] for item in response.json()["items"])
    assert "AUTH-003" in _rule_ids(first) and "AUTH-003" not in _rule_ids(second)
    database = Database(db_url)
    with database.session() as session:
        row = CheckRepository(session).get(first["stored_id"])
        assert row is not None
        assert "AUTH-003" in [f["rule_id"] for f in row.result["findings"]]
        assert row.verdict == "needs_attention"
    database.dispose()


@pytest.mark.parametrize("key", ["", "k" * 101])
def test_check_patient_key_out_of_bounds_is_422(
    client: TestClient, auth: dict[str, str], key: str
) -> None:
    body = {"note": MBB_NOTE, "patient_key": key}
    response = client.post("/v1/checks", json=body, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
