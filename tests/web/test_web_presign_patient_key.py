"""The pre-sign page with a patient key: the note is compared with the stored authorization."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from authorization_support import MBB_NOTE, authorize_mbb
from fastapi.testclient import TestClient

from assistant.store import Database, WorklistItem

AsRole = Callable[[str | None], str]


@pytest.fixture(scope="module")
def stored(web_db: Database) -> None:
    for patient, side in (("PRESIGN-LEFT", "left"), ("PRESIGN-RIGHT", "right")):
        authorize_mbb(web_db, patient, side)


def _review(client: TestClient, csrf: str, **extra: str) -> str:
    form = {"note": MBB_NOTE, "payer": "medicare", "csrf": csrf, **extra}
    response = client.post("/review", data=form)
    assert response.status_code == 200, response.text
    return response.text


def test_presign_form_asks_for_an_optional_patient_key(
    web_client: TestClient, as_role: AsRole
) -> None:
    as_role("provider")
    page = web_client.get("/").text
    assert '<label for="patient_key">Patient key <small>(optional)</small></label>' in page
    assert 'name="patient_key" type="text" value=""' in page


@pytest.mark.usefixtures("stored")
def test_presign_patient_key_mismatch_is_a_gap_with_verdict_and_risk_recomputed(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("provider")
    plain = _review(web_client, csrf)
    keyed = html.unescape(_review(web_client, csrf, patient_key="PRESIGN-LEFT"))
    assert "AUTH-003" not in plain and "Verdict: ready" in plain
    assert (
        '<strong><a href="/rules#AUTH-003" title="What this rule checks and why">AUTH-003</a>'
        "</strong> Side performed is not the side authorized"
    ) in keyed
    assert "authorization UTN-PRESIGN-LEFT is for the left side" in keyed
    assert "Verdict: needs attention" in keyed
    assert keyed.count("Denial risk") == plain.count("Denial risk") == 1
    risk = keyed.split("Denial risk ", 1)[1].split("%", 1)[0]
    assert int(risk) > int(plain.split("Denial risk ", 1)[1].split("%", 1)[0])


@pytest.mark.usefixtures("stored")
def test_presign_patient_key_matching_authorization_changes_nothing(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("provider")
    keyed = _review(web_client, csrf, patient_key="PRESIGN-RIGHT")
    kept = '<input type="hidden" name="patient_key" value="PRESIGN-RIGHT">'
    assert kept in keyed  # the Save button re-submits the key with the note
    assert keyed.replace(kept, "") == _review(web_client, csrf)


@pytest.mark.usefixtures("stored")
def test_presign_without_patient_key_is_byte_for_byte_unchanged(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("provider")
    without = _review(web_client, csrf)
    assert _review(web_client, csrf, patient_key="") == without
    assert _review(web_client, csrf, patient_key="   ") == without
    assert "AUTH-" not in without


def test_presign_overlong_patient_key_comes_back_in_the_form(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("provider")
    form = {"note": MBB_NOTE, "payer": "medicare", "csrf": csrf, "patient_key": "k" * 101}
    response = web_client.post("/review", data=form)
    assert response.status_code == 422
    assert "The patient key is longer than 100 characters." in response.text
    assert f'value="{"k" * 101}"' in response.text


@pytest.mark.usefixtures("stored")
def test_presign_save_keeps_the_patient_key_on_the_worklist_item(
    web_client: TestClient, web_db: Database, as_role: AsRole
) -> None:
    csrf = as_role("provider")
    page = _review(web_client, csrf, patient_key="PRESIGN-LEFT", save="yes")
    item_id = int(page.split('href="/worklist/items/', 1)[1].split('"', 1)[0])
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.patient_key == "PRESIGN-LEFT"
        assert "AUTH-003" in {f["rule_id"] for f in item.result["findings"]}  # type: ignore[index]
