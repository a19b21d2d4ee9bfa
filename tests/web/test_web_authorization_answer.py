"""The coordinator records the payer's answer on a request from the authorizations page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient

from assistant.store import AuthorizationRepository, Database, StoredAuthorization

AsRole = Callable[[str | None], str]


def _pended(database: Database) -> int:
    with database.session() as session:
        row = AuthorizationRepository(session).add_authorization(
            {"patient_key": "ANSWER-1", "payer": "medicare", "family": "esi", "status": "pended"},
            "tests",
        )
        return row.id


def _stored(database: Database, authorization_id: int) -> StoredAuthorization:
    with database.session() as session:
        row = session.get(StoredAuthorization, authorization_id)
        assert row is not None
        session.expunge(row)
        return row


def test_each_recorded_authorization_has_an_answer_form(
    web_client: TestClient, web_db: Database, as_role: AsRole
) -> None:
    authorization_id = _pended(web_db)
    as_role("coder")
    page = web_client.get("/authorizations").text
    assert f'action="/authorizations/{authorization_id}/status"' in page
    assert f'<select id="st-{authorization_id}" name="status">' in page


def test_the_answer_is_recorded_and_the_page_says_so(
    web_client: TestClient, web_db: Database, as_role: AsRole
) -> None:
    authorization_id = _pended(web_db)
    csrf = as_role("coder")
    response = web_client.post(
        f"/authorizations/{authorization_id}/status",
        data={"csrf": csrf, "status": "approved", "number": "UTN-77", "decided_on": "2026-12-01"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/authorizations?saved=status"
    assert "Payer&#39;s answer recorded." in web_client.get(response.headers["location"]).text
    row = _stored(web_db, authorization_id)
    assert (row.status, row.number, row.decided_on) == ("approved", "UTN-77", dt.date(2026, 12, 1))


def test_a_bad_answer_changes_nothing_and_says_why(
    web_client: TestClient, web_db: Database, as_role: AsRole
) -> None:
    authorization_id = _pended(web_db)
    csrf = as_role("coder")
    for data, words in (
        ({"status": "granted"}, "Status: choose one of"),
        ({"status": "denied", "decided_on": "soon"}, "Decided on: enter a date"),
    ):
        response = web_client.post(
            f"/authorizations/{authorization_id}/status", data={"csrf": csrf, **data}
        )
        assert response.status_code == 422 and words in response.text
        assert "Traceback" not in response.text
    assert _stored(web_db, authorization_id).status == "pended"
    missing = web_client.post(
        "/authorizations/999999/status", data={"csrf": csrf, "status": "denied"}
    )
    assert missing.status_code == 422 and "There is no authorization #999999." in missing.text
