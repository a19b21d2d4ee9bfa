from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def _csrf(client: TestClient) -> str:
    page = client.get("/")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def test_pages_index_has_form_and_asks_key_off_loopback(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'action="/review"' in page.text
    assert 'name="api_key"' in page.text  # TestClient's host is not loopback


@pytest.mark.parametrize(
    ("with_key", "text", "with_csrf", "status", "marker"),
    [
        (True, None, "valid", 200, "Verdict"),
        (False, None, "valid", 401, "API key refused"),
        (True, "   ", "valid", 422, "The note is empty"),
        (True, None, "forged", 403, "form expired"),
        (True, None, "absent", 200, "Verdict"),  # anonymous, unsaved: nothing to forge
    ],
)
def test_pages_review_checks_the_pasted_note(
    client: TestClient,
    api_key: str,
    note: str,
    with_key: bool,
    text: str | None,
    with_csrf: str,
    status: int,
    marker: str,
) -> None:
    form = {"note": note if text is None else text, "payer": "medicare"}
    if with_csrf != "absent":
        form["csrf"] = _csrf(client) if with_csrf == "valid" else "forged"
    if with_key:
        form["api_key"] = api_key
    response = client.post("/review", data=form)
    assert response.status_code == status
    assert marker in response.text
