from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_pages_index_has_form_and_asks_key_off_loopback(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'action="/review"' in page.text
    assert 'name="api_key"' in page.text  # TestClient's host is not loopback


@pytest.mark.parametrize(
    ("with_key", "text", "status", "marker"),
    [
        (True, None, 200, "Verdict"),
        (False, None, 401, "API key refused"),
        (True, "   ", 422, "E002"),
    ],
)
def test_pages_review_checks_the_pasted_note(
    client: TestClient,
    api_key: str,
    note: str,
    with_key: bool,
    text: str | None,
    status: int,
    marker: str,
) -> None:
    form = {"note": note if text is None else text, "payer": "medicare"}
    if with_key:
        form["api_key"] = api_key
    response = client.post("/review", data=form)
    assert response.status_code == status
    assert marker in response.text
