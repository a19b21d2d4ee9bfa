"""Worklist import over HTTP: an unknown payer is refused when the batch is imported."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.store import Database, WorklistItem
from assistant.store.importing import known_payers

AsRole = Callable[[str | None], str]


def test_import_refuses_an_unknown_payer_with_the_allowed_list(
    web_client: TestClient, as_role: AsRole, web_db: Database, esi_note: str
) -> None:
    token = as_role("coder")
    body = (
        "note_id,provider,date_of_service,payer,note_text\n"
        f'payer-ok,Dr Payer,2026-10-01,medicare,"{esi_note}"\n'
        f'payer-bad,Dr Payer,2026-10-02,blue-moon,"{esi_note}"\n'
    ).encode()
    with web_db.session() as session:
        before = session.scalar(select(func.count()).select_from(WorklistItem))
    files = {"file": ("payers.csv", body, "text/csv")}
    response = web_client.post("/worklist/import", data={"csrf": token}, files=files)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "line 3 (note &#39;payer-bad&#39;) [payer] unknown payer &#39;blue-moon&#39;" in (
        response.text
    )
    assert f"the allowed payer ids are: {', '.join(known_payers())}" in response.text
    with web_db.session() as session:
        assert session.scalar(select(func.count()).select_from(WorklistItem)) == before
