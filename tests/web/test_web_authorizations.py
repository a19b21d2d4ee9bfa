"""The coordinator page over HTTP, and worklist checks against stored authorizations."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.routes.authorizations import ROLES
from api.web.access import SESSION_COOKIE
from assistant.store import (
    AuthorizationRepository,
    Database,
    StoredAuthorization,
    StoredScheduledProcedure,
    WorklistItem,
)

AsRole = Callable[[str | None], str]
WaitBatch = Callable[[int], None]
TODAY = dt.date.today()
SELECTS = ("payer", "family", "side", "status", "place_of_service")
MBB_NOTE = (
    "PROCEDURE: Right L4-L5 and L5-S1 medial branch block under fluoroscopic guidance. "
    "Second diagnostic block.\nInformed consent was obtained after discussing risks. "
    "No sedation was given.\nThe patient tolerated the procedure well with no complications."
)


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def _authorization_form(csrf: str, patient: str, **kw: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "patient_key": patient,
        "payer": "medicare",
        "family": "facet_mbb",
        "cpt_codes": "64493, 64494",
        "levels": "L4-L5, L5-S1",
        "side": "left",
        "status": "approved",
        "number": f"UTN-{patient}",
        "valid_from": _day(-10),
        "valid_to": _day(5),
        "units_allowed": "2",
        "submitted_on": _day(-15),
        "decided_on": _day(-11),
        "note": "",
    }
    return form | kw


def _procedure_form(csrf: str, patient: str, **kw: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "patient_key": patient,
        "payer": "medicare",
        "family": "facet_mbb",
        "levels": "L4-L5",
        "side": "left",
        "date": _day(3),
        "place_of_service": "22",
    }
    return form | kw


def _queue(html: str, name: str) -> str:
    """The HTML of one queue section of the page."""
    match = re.search(rf'<section[^>]*data-queue="{name}".*?</section>', html, re.S)
    assert match is not None, f"no {name} queue"
    return match.group(0)


@pytest.mark.parametrize("role", ["coder", "admin"])
def test_web_authorizations_page_shows_four_queues_to_coordinators(
    web_client: TestClient, as_role: AsRole, role: str
) -> None:
    as_role(role)
    page = web_client.get("/authorizations")
    assert page.status_code == 200
    for queue in ("unauthorized", "expiring", "next_steps", "pended"):
        _queue(page.text, queue)
    assert '<a href="/authorizations" aria-current="page">Authorizations</a>' in page.text
    assert 'action="/authorizations"' in page.text
    assert 'action="/authorizations/scheduled"' in page.text
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("role", ["provider", "quality_lead"])
def test_web_authorizations_refused_to_other_roles(
    web_client: TestClient, as_role: AsRole, role: str
) -> None:
    assert role not in ROLES
    as_role(role)
    page = web_client.get("/authorizations")
    assert page.status_code == 403
    assert f"Your role ({role}) cannot open this page." in page.text
    assert 'href="/authorizations"' not in web_client.get("/").text


def test_web_authorizations_signed_out_goes_to_sign_in(
    web_client: TestClient, as_role: AsRole
) -> None:
    as_role(None)
    response = web_client.get("/authorizations", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/authorizations"


def test_web_authorizations_record_then_see_it_expiring(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    csrf = as_role("coder")
    response = web_client.post(
        "/authorizations", data=_authorization_form(csrf, "W-EXP"), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/authorizations?saved=authorization"
    page = web_client.get(response.headers["location"]).text
    assert "Authorization recorded." in page
    assert "W-EXP" in _queue(page, "expiring") and "UTN-W-EXP" in page
    with web_db.session() as session:
        (row,) = AuthorizationRepository(session).authorizations("W-EXP")
        assert row.levels == ["L4-L5", "L5-S1"] and row.created_by == "coder-user"
    shorter = web_client.get("/authorizations?days=3").text
    assert "W-EXP" not in _queue(shorter, "expiring")


def test_web_authorizations_scheduled_procedure_without_one_is_queued(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("admin")
    response = web_client.post(
        "/authorizations/scheduled", data=_procedure_form(csrf, "W-SCH"), follow_redirects=False
    )
    assert response.status_code == 303
    page = web_client.get(response.headers["location"]).text
    assert "Scheduled procedure added." in page
    queued = _queue(page, "unauthorized")
    assert "W-SCH" in queued and "no authorization on file" in queued
    assert "Facet joint interventions in a hospital outpatient department" in queued
    staged = _queue(page, "next_steps")
    assert "W-SCH" in staged and "Step 2 of 3" in staged
    web_client.post(
        "/authorizations",
        data=_authorization_form(csrf, "W-SCH", status="pended", valid_from="", valid_to=""),
    )
    page = web_client.get("/authorizations").text
    assert "pended for records" in _queue(page, "unauthorized")
    assert "W-SCH" in _queue(page, "pended")
    assert "W-SCH" not in _queue(page, "next_steps")  # a request is open


def test_web_authorizations_commercial_example_policy_is_marked(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("coder")
    form = _procedure_form(csrf, "W-COM", payer="commercial", family="esi", place_of_service="11")
    web_client.post("/authorizations/scheduled", data=form)
    queued = _queue(web_client.get("/authorizations").text, "unauthorized")
    row = next(r for r in queued.split("<tr>") if "W-COM" in r)
    assert "example policy" in row


@pytest.mark.parametrize(
    ("path", "form", "words"),
    [
        ("/authorizations", {"levels": "L9"}, "Levels: 'L9' is not a spinal level"),
        ("/authorizations", {"payer": "acme"}, "Payer: 'acme' is not a payer profile"),
        ("/authorizations", {"valid_to": "2020-01-01"}, "valid_to is before valid_from"),
        ("/authorizations", {"units_allowed": "two"}, "Visits allowed:"),
        ("/authorizations", {"cpt_codes": "6449"}, "CPT codes:"),
        ("/authorizations/scheduled", {"date": ""}, "Date:"),
        ("/authorizations/scheduled", {"place_of_service": "HOPD"}, "Place of service:"),
        ("/authorizations/scheduled", {"patient_key": " "}, "Patient key:"),
    ],
)
def test_web_authorizations_refused_form_keeps_what_was_typed(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    path: str,
    form: dict[str, str],
    words: str,
) -> None:
    csrf = as_role("coder")
    build = _authorization_form if path == "/authorizations" else _procedure_form
    data = build(csrf, "W-BAD", **form)
    response = web_client.post(path, data=data)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert words in page
    assert 'role="alert"' in page
    key, kept = next((k, v) for k, v in data.items() if k in form)
    if kept.strip() and key not in SELECTS:  # a typed box shows what was typed
        assert f'value="{kept}"' in page or f">{kept}<" in page
    with web_db.session() as session:
        for model in (StoredAuthorization, StoredScheduledProcedure):
            assert session.scalars(select(model).where(model.patient_key == "W-BAD")).all() == []


def test_web_authorizations_stale_form_is_refused(web_client: TestClient, as_role: AsRole) -> None:
    as_role("coder")
    data = _procedure_form("not-the-token", "W-CSRF")
    response = web_client.post("/authorizations/scheduled", data=data)
    assert response.status_code == 403
    assert "W-CSRF" not in web_client.get("/authorizations").text


def _import(client: TestClient, csrf: str, rows: list[dict[str, str]]) -> int:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    files = {"file": ("auth.csv", buffer.getvalue().encode(), "text/csv")}
    response = client.post(
        "/worklist/import", data={"csrf": csrf}, files=files, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("=", 1)[1])


def test_web_authorizations_worklist_check_warns_on_mismatch(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    wait_batch: WaitBatch,
    session_tokens: dict[str, str],
) -> None:
    csrf = as_role("coder")
    web_client.post("/authorizations", data=_authorization_form(csrf, "W-MIS"))
    web_client.post(
        "/authorizations", data=_authorization_form(csrf, "W-OK", side="right", number="UTN-OK")
    )
    base = {"provider": "Dr Auth", "date_of_service": _day(0), "payer": "medicare"}
    rows = [
        {**base, "note_id": "auth-mismatch", "patient_key": "W-MIS", "note_text": MBB_NOTE},
        {**base, "note_id": "auth-match", "patient_key": "W-OK", "note_text": MBB_NOTE},
        {**base, "note_id": "auth-none", "patient_key": "", "note_text": MBB_NOTE},
    ]
    batch_id = _import(web_client, csrf, rows)
    web_client.cookies.set(SESSION_COOKIE, session_tokens["coder"])
    wait_batch(batch_id)
    with web_db.session() as session:
        items = {
            i.note_id: i
            for i in session.scalars(select(WorklistItem).where(WorklistItem.batch_id == batch_id))
        }
    assert items["auth-mismatch"].patient_key == "W-MIS"
    rule_ids = {
        note: [f["rule_id"] for f in (item.result or {})["findings"]]
        for note, item in items.items()
    }
    assert "AUTH-003" in rule_ids["auth-mismatch"]
    assert not any(r.startswith("AUTH-") for r in rule_ids["auth-match"] + rule_ids["auth-none"])
    mismatch = items["auth-mismatch"]
    assert mismatch.verdict != "ready"
    page = web_client.get(f"/worklist/items/{mismatch.id}").text
    assert "Side performed is not the side authorized" in page
    assert "authorization UTN-W-MIS is for the left side" in page
