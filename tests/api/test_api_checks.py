from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.fhir import document_reference
from assistant.errors import Errors, ReaderUnavailable
from assistant.store import CheckRepository, Database


def test_checks_returns_verdict_findings_and_versions(
    client: TestClient, auth: dict[str, str], note: str
) -> None:
    response = client.post(
        "/v1/checks", json={"note": note, "note_id": "c1", "payer": "medicare"}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["note_id"] == "c1"
    assert body["payer"] == "medicare"
    assert body["verdict"] in ("ready", "needs_attention", "not_billable_as_documented")
    assert body["versions"]["checklists"] == {c["id"]: c["version"] for c in body["checklists"]}
    assert body["versions"]["reader"].startswith("chartready-reader/")
    assert body["stored_id"] is None
    for finding in body["findings"]:
        for span in finding["evidence"]:
            assert note[span["start"] : span["end"]] == span["text"]


def test_checks_document_reference_equals_text(
    client: TestClient, auth: dict[str, str], note: str
) -> None:
    as_text = client.post("/v1/checks", json={"note": note}, headers=auth).json()
    fhir_body = {"document_reference": document_reference(note, "d1")}
    as_fhir = client.post("/v1/checks", json=fhir_body, headers=auth).json()
    assert [f["rule_id"] for f in as_fhir["findings"]] == [
        f["rule_id"] for f in as_text["findings"]
    ]
    assert as_fhir["note_id"] == "d1"


def test_checks_stores_only_when_asked(
    client: TestClient, auth: dict[str, str], note: str, db_url: str
) -> None:
    unstored = client.post("/v1/checks", json={"note": note}, headers=auth).json()
    stored = client.post("/v1/checks", json={"note": note, "store": True}, headers=auth).json()
    assert unstored["stored_id"] is None
    database = Database(db_url)
    with database.session() as session:
        row = CheckRepository(session).get(stored["stored_id"])
        assert row is not None
        assert row.verdict == stored["verdict"]
        assert note not in str(row.result.get("findings"))
    database.dispose()


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"payer": "no-such-payer"}, 422),
        ({"claim": {"lines": [{"cpt": "12"}]}}, 422),
        ({"claim": {"lines": []}}, 422),
    ],
)
def test_checks_bad_payer_or_claim_is_422(
    client: TestClient, auth: dict[str, str], note: str, payload: dict[str, object], status: int
) -> None:
    response = client.post("/v1/checks", json={"note": note, **payload}, headers=auth)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_checks_claim_lines_are_checked(
    client: TestClient, auth: dict[str, str], note: str
) -> None:
    claim = {"lines": [{"cpt": "62323", "icd10": ["M54.16"]}]}
    response = client.post("/v1/checks", json={"note": note, "claim": claim}, headers=auth)
    assert response.status_code == 200
    assert "coding" in response.json()["versions"]["checklists"]


def test_checks_batch_isolates_bad_items(
    client: TestClient, auth: dict[str, str], note: str
) -> None:
    items = [{"note": note, "note_id": "ok"}, {"note": "  "}, {"note": note, "payer": "nope"}]
    response = client.post("/v1/checks/batch", json={"items": items}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 3
    assert body["items"][0]["result"]["note_id"] == "ok"
    assert body["items"][1]["error"]["code"] == "E002"
    assert body["items"][2]["error"]["status"] == 422


def test_checks_batch_over_limit_is_refused(
    client: TestClient, auth: dict[str, str], note: str
) -> None:
    items = [{"note": note}] * 4  # the test app's limit is 3
    response = client.post("/v1/checks/batch", json={"items": items}, headers=auth)
    assert response.status_code == 422
    assert response.json()["type"].endswith("batch-too-large")


def test_checklists_list_and_get(client: TestClient, auth: dict[str, str]) -> None:
    listing = client.get("/v1/checklists", headers=auth).json()
    assert listing["count"] == len(listing["data"]) > 0
    first = listing["data"][0]["id"]
    one = client.get(f"/v1/checklists/{first}", headers=auth)
    assert one.status_code == 200
    assert one.json()["id"] == first
    assert client.get("/v1/checklists/nope", headers=auth).status_code == 404


def test_checks_answer_503_with_retry_after_when_a_reader_stops(
    client: TestClient, auth: dict[str, str], note: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stopped(*_args: object, **_kwargs: object) -> None:
        raise ReaderUnavailable(Errors.E503, reason="a reader process stopped during this check")

    runner = client.app.state.runner  # type: ignore[attr-defined]
    monkeypatch.setattr(runner, "run", stopped)
    response = client.post("/v1/checks", json={"note": note}, headers=auth)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("reader-unavailable")
    assert body["code"] == "E503"
    assert body["detail"].startswith("a reader process stopped during this check; please retry.")
    assert note not in response.text
