"""A worklist item that could not be checked: explained in plain words, retried over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.web.failures import explain_failure
from assistant.errors import Errors
from assistant.store import Database, WorklistItem
from assistant.store.worklist_queue import EXHAUSTED

AsRole = Callable[[str | None], str]
ImportChecked = Callable[[str, list[tuple[str, str, str, str]]], int]


def _fail_item(database: Database, note_id: str, error: str) -> int:
    """Set a checked item back to ``failed`` with ``error``, as the queue records one."""
    with database.session() as session:
        item_id = session.scalar(select(WorklistItem.id).where(WorklistItem.note_id == note_id))
        assert item_id is not None
        session.execute(
            update(WorklistItem)
            .where(WorklistItem.id == item_id)
            .values(queue_status="failed", error=error, attempts=1, result=None, verdict=None)
        )
    return item_id


def _item(database: Database, item_id: int) -> WorklistItem:
    with database.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None
        return item


def test_failed_item_is_explained_and_retried(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    esi_note: str,
    import_checked: ImportChecked,
    wait_batch: Callable[[int], None],
) -> None:
    token = as_role("coder")
    batch_id = import_checked(token, [("retry-1", "Dr Retry", "2024-02-05", esi_note)])
    item_id = _fail_item(web_db, "retry-1", Errors.E503.code)

    page = web_client.get(f"/worklist/items/{item_id}").text
    assert "This note could not be checked: the checker was busy or restarting." in page
    assert "Nothing is wrong with the note. Retry" in page
    assert f'action="/worklist/items/{item_id}/retry"' in page
    listing = web_client.get(f"/worklist?batch={batch_id}").text
    assert "not checked</span> the checker was busy or restarting" in listing
    assert f'action="/worklist/items/{item_id}/retry?batch={batch_id}"' in listing

    refused = web_client.post(f"/worklist/items/{item_id}/retry", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert _item(web_db, item_id).queue_status == "failed"

    retried = web_client.post(
        f"/worklist/items/{item_id}/retry", data={"csrf": token}, follow_redirects=False
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/worklist/items/{item_id}?done=retry"
    wait_batch(batch_id)
    item = _item(web_db, item_id)
    assert (item.queue_status, item.error, item.attempts) == ("done", None, 1)
    assert item.verdict is not None
    assert "Queued to be checked again." in web_client.get(retried.headers["location"]).text

    again = web_client.post(f"/worklist/items/{item_id}/retry", data={"csrf": token})
    assert "Only a note that could not be checked can be retried." in again.text
    assert web_client.post("/worklist/items/999999/retry", data={"csrf": token}).status_code == 404


def test_retry_is_for_editors_only(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    esi_note: str,
    import_checked: ImportChecked,
) -> None:
    coder = as_role("coder")
    import_checked(coder, [("retry-2", "Dr Retry", "2024-02-06", esi_note)])
    item_id = _fail_item(web_db, "retry-2", Errors.E002.code)
    token = as_role("quality_lead")
    page = web_client.get(f"/worklist/items/{item_id}").text
    assert "the note could not be read" in page and "/retry" not in page
    response = web_client.post(f"/worklist/items/{item_id}/retry", data={"csrf": token})
    assert response.status_code == 403
    assert _item(web_db, item_id).queue_status == "failed"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (Errors.E002.code, "the note could not be read"),
        (Errors.E010.code, "the claim lines could not be read"),
        (Errors.E011.code, "the payer is not one ChartReady knows"),
        (EXHAUSTED, "checking this note kept stopping the checker"),
        ("KeyError", "ChartReady hit an unexpected problem while checking it"),
        (None, "ChartReady hit an unexpected problem while checking it"),
    ],
)
def test_every_failure_reads_in_plain_words(error: str | None, reason: str) -> None:
    failure = explain_failure(error)
    assert failure.reason == reason
    assert failure.reference == (error or "unknown")
    assert not re.search(r"\bE\d{3}\b", failure.reason + failure.advice)
