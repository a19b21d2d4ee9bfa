"""Coder worklist over HTTP: import, background check, queue order, filters, status, overrides."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.fhir import document_reference
from api.routes.worklist import next_open
from assistant.store import Database, WorklistFilter, WorklistItem, WorklistRepository

AsRole = Callable[[str | None], str]


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _import(client: TestClient, token: str, name: str, body: bytes) -> int:
    files = {"file": (name, body, "text/csv")}
    response = client.post(
        "/worklist/import", data={"csrf": token}, files=files, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    match = re.search(r"batch=(\d+)", response.headers["location"])
    assert match is not None
    return int(match.group(1))


def _wait(client: TestClient, batch_id: int, seconds: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        progress: dict[str, object] = client.get(f"/worklist/batches/{batch_id}/progress").json()
        if progress["finished"]:
            return progress
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} not checked in {seconds} s")


@pytest.fixture(scope="module")
def batch(
    web_client: TestClient, session_tokens: dict[str, str], esi_note: str, office_note: str
) -> int:
    web_client.cookies.clear()
    web_client.cookies.set("chartready_session", session_tokens["coder"])
    token = re.findall(r'name="csrf" value="([^"]+)"', web_client.get("/").text)[0]
    claim = json.dumps([{"cpt": "64483", "modifiers": ["RT"], "icd10": ["M54.16"], "charge": 1800}])
    rows = [
        {
            "note_id": "w-esi-1",
            "provider": "Dr Adams",
            "date_of_service": "2026-10-03",
            "payer": "medicare",
            "note_text": esi_note,
            "claim_lines": claim,
        },
        {
            "note_id": "w-esi-2",
            "provider": "Dr Baker",
            "date_of_service": "2026-10-09",
            "payer": "commercial",
            "note_text": esi_note,
            "claim_lines": "",
        },
        {
            "note_id": "w-office",
            "provider": "Dr Baker",
            "date_of_service": "2026-09-20",
            "payer": "commercial",
            "note_text": office_note,
            "claim_lines": "",
        },
    ]
    batch_id = _import(web_client, token, "october.csv", _csv(rows))
    assert _wait(web_client, batch_id) == {
        "batch_id": batch_id,
        "total": 3,
        "done": 3,
        "failed": 0,
        "finished": True,
    }
    return batch_id


def test_worklist_queue_sorted_by_risk_times_charge(
    web_client: TestClient, as_role: AsRole, web_db: Database, batch: int
) -> None:
    as_role("coder")
    page = web_client.get(f"/worklist?batch={batch}")
    assert page.status_code == 200
    order = re.findall(r'href="/worklist/items/\d+[^"]*">(w-[a-z0-9-]+)<', page.text)
    assert order[0] == "w-esi-1"  # the only item with a charge ($1,800)
    with web_db.session() as session:
        items = WorklistRepository(session).queue(WorklistFilter(batch_id=batch))
        priorities = [item.priority for item in items]
        assert priorities == sorted(priorities, reverse=True)
        first = items[0]
        assert first.risk_probability is not None
        assert first.priority == pytest.approx(first.risk_probability * 1800)
    assert "Dollars at risk" in page.text
    assert f'<td class="num">${first.priority:,.0f}</td>' in page.text  # expected dollars lost


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("provider=Dr+Baker", {"w-esi-2", "w-office"}),
        ("payer=medicare", {"w-esi-1"}),
        ("family=esi", {"w-esi-1", "w-esi-2"}),
        ("verdict=ready&provider=Dr+Adams", set()),
    ],
)
def test_worklist_filters(
    web_client: TestClient, as_role: AsRole, batch: int, query: str, expected: set[str]
) -> None:
    as_role("quality_lead")
    page = web_client.get(f"/worklist?batch={batch}&{query}")
    found = set(re.findall(r'href="/worklist/items/\d+[^"]*">(w-[a-z0-9-]+)<', page.text))
    assert found == expected


def _item_id(database: Database, note_id: str) -> int:
    with database.session() as session:
        item_id = session.scalar(select(WorklistItem.id).where(WorklistItem.note_id == note_id))
        assert item_id is not None
        return int(item_id)


@pytest.mark.usefixtures("batch")
def test_item_page_shows_highlighted_note_and_findings(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    as_role("coder")
    page = web_client.get(f"/worklist/items/{_item_id(web_db, 'w-esi-1')}")
    assert page.status_code == 200
    assert '<mark class="ev' in page.text
    assert "Override this finding" in page.text
    assert "Why this risk" in page.text


@pytest.mark.usefixtures("batch")
@pytest.mark.parametrize("status", ["queried", "fixed", "ready_to_bill", "to_review"])
def test_item_status_moves(
    web_client: TestClient, as_role: AsRole, web_db: Database, status: str
) -> None:
    token = as_role("coder")
    item_id = _item_id(web_db, "w-esi-2")
    response = web_client.post(
        f"/worklist/items/{item_id}/status",
        data={"status": status, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.review_status == status


@pytest.mark.usefixtures("batch")
def test_item_status_refuses_unknown(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("coder")
    item_id = _item_id(web_db, "w-esi-2")
    data = {"status": "paid", "csrf": token}
    assert web_client.post(f"/worklist/items/{item_id}/status", data=data).status_code == 422


@pytest.mark.usefixtures("batch")
def test_override_needs_reason_and_is_recorded(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("coder")
    item_id = _item_id(web_db, "w-esi-1")
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.result is not None
        rule_id = item.result["findings"][0]["rule_id"]
    url = f"/worklist/items/{item_id}/overrides"
    empty = web_client.post(url, data={"rule_id": rule_id, "reason": "  ", "csrf": token})
    assert "an override needs a reason" in empty.text
    unknown = web_client.post(url, data={"rule_id": "NOPE-1", "reason": "x", "csrf": token})
    assert "has no finding" in unknown.text
    reason = "Radicular pain is documented in the referral letter."
    done = web_client.post(url, data={"rule_id": rule_id, "reason": reason, "csrf": token})
    assert done.status_code == 200 and reason in done.text and "coder-user" in done.text
    with web_db.session() as session:
        labels = WorklistRepository(session).override_labels()
    assert {"note_id": "w-esi-1", "rule_id": rule_id, "reason": reason}.items() <= labels[
        -1
    ].items()
    assert labels[-1]["user"] == "coder-user" and labels[-1]["label"] == "finding_overridden"


@pytest.mark.parametrize(
    ("name", "body", "error"),
    [
        (
            "bad.csv",
            b"note_id,provider,date_of_service,payer,note_text\nx,P,2026-13-01,m,t\n",
            "line 2 [date_of_service]",
        ),
        (
            "bad.csv",
            b"note_id,provider,date_of_service,payer\nx,P,2026-10-01,m\n",
            "give note_text or document_reference",
        ),
        (
            "dup.jsonl",
            b'{"note_id":"a","provider":"P","date_of_service":"2026-10-01",'
            b'"payer":"m","note_text":"t"}\n' * 2,
            "duplicate",
        ),
        ("bad.jsonl", b"{not json}\n", "line 1: not JSON"),
    ],
)
def test_import_refuses_bad_batches_entirely(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    name: str,
    body: bytes,
    error: str,
) -> None:
    token = as_role("coder")
    with web_db.session() as session:
        before = session.scalar(select(func.count()).select_from(WorklistItem))
    response = web_client.post(
        "/worklist/import", data={"csrf": token}, files={"file": (name, body, "text/plain")}
    )
    assert response.status_code == 422
    assert error in response.text and "Nothing was imported" in response.text
    with web_db.session() as session:
        assert session.scalar(select(func.count()).select_from(WorklistItem)) == before


def test_import_reads_fhir_document_reference(
    web_client: TestClient, as_role: AsRole, web_db: Database, esi_note: str
) -> None:
    token = as_role("admin")
    row = {
        "note_id": "fhir-1",
        "provider": "Dr Chen",
        "date_of_service": "2026-10-15",
        "payer": "medicare",
        "document_reference": document_reference(esi_note, "dr-1"),
    }
    files = {"file": ("fhir.jsonl", json.dumps(row).encode() + b"\n", "application/x-ndjson")}
    response = web_client.post(
        "/worklist/import", data={"csrf": token}, files=files, follow_redirects=False
    )
    assert response.status_code == 303
    batch_id = int(response.headers["location"].rsplit("=", 1)[1])
    assert _wait(web_client, batch_id)["done"] == 1
    with web_db.session() as session:
        item = session.scalar(select(WorklistItem).where(WorklistItem.note_id == "fhir-1"))
        assert item is not None and item.note_text == esi_note and item.family == "esi"


def test_overriding_every_blocking_finding_recomputes_verdict_and_risk(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("coder")
    unguided = (
        "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection.\nInformed consent "
        "was obtained. Contrast confirmed epidural spread; 80 mg triamcinolone was injected. "
        "No complications. Images saved. Pain 7/10 before and 2/10 after."
    )
    claim = json.dumps([{"cpt": "64483", "modifiers": ["LT"], "icd10": ["M54.17"], "charge": 900}])
    row = {
        "note_id": "w-unguided",
        "provider": "Dr Clark",
        "date_of_service": "2026-10-12",
        "payer": "medicare",
        "note_text": unguided,
        "claim_lines": claim,
    }
    _wait(web_client, _import(web_client, token, "unguided.csv", _csv([row])))
    item_id = _item_id(web_db, "w-unguided")
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.result is not None
        assert item.verdict == "not_billable_as_documented"
        before = item.risk_probability
        assert before is not None
        blocking = [f["rule_id"] for f in item.result["findings"] if f["severity"] == "block"]
    for rule_id in blocking:
        reason = "Fluoroscopy is in the signed addendum."
        data = {"rule_id": rule_id, "reason": reason, "csrf": token}
        assert web_client.post(f"/worklist/items/{item_id}/overrides", data=data).status_code == 200
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.result is not None and item.risk_probability is not None
        assert item.verdict != "not_billable_as_documented"
        assert item.risk_probability < before
        assert item.result["verdict"] == "not_billable_as_documented"  # as checked, kept
    page = web_client.get(f"/worklist/items/{item_id}").text
    assert f"after {len(blocking)} override" in page
    assert "As checked: verdict not billable as documented" in page
    assert 'class="pill v-not_billable_as_documented"' not in page


@pytest.mark.parametrize(
    ("name", "body", "media_type", "kind"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "image/png", "PNG image"),
        ("batch.csv", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "text/csv", "GIF image"),
        ("batch.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(32), "text/csv", "spreadsheet"),
        ("batch.csv", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "text/csv", "a PDF"),
        ("export.csv", b"note_id,provider\x00\x01\x02\x03" * 4, "text/csv", "binary file"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml", "image/svg"),
    ],
)
def test_import_names_a_binary_or_image_file_in_plain_words(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    name: str,
    body: bytes,
    media_type: str,
    kind: str,
) -> None:
    token = as_role("coder")
    with web_db.session() as session:
        before = session.scalar(select(func.count()).select_from(WorklistItem))
    files = {"file": (name, body, media_type)}
    response = web_client.post("/worklist/import", data={"csrf": token}, files=files)
    assert response.status_code == 422
    assert "this file is not a text CSV/JSONL export" in response.text
    assert kind in response.text and "Nothing was imported" in response.text
    assert "UTF-8" not in response.text and "no rows" not in response.text
    with web_db.session() as session:
        assert session.scalar(select(func.count()).select_from(WorklistItem)) == before


def test_worklist_names_families_in_words(
    web_client: TestClient, as_role: AsRole, batch: int
) -> None:
    as_role("coder")
    page = web_client.get(f"/worklist?batch={batch}").text
    assert "<td>Epidural steroid injection</td>" in page
    assert '<option value="esi">Epidural steroid injection</option>' in page
    assert "<td>esi</td>" not in page and ">esi<" not in page
    assert "<td>No procedure found</td>" in page  # the office visit


def _set(client: TestClient, token: str, item_id: int, status: str) -> None:
    data = {"status": status, "csrf": token}
    response = client.post(f"/worklist/items/{item_id}/status", data=data)
    assert response.status_code == 200


@pytest.mark.usefixtures("batch")
def test_status_change_is_confirmed_and_keeps_the_list_view(
    web_client: TestClient, as_role: AsRole, web_db: Database, batch: int
) -> None:
    token = as_role("coder")
    item_id = _item_id(web_db, "w-esi-2")
    response = web_client.post(
        f"/worklist/items/{item_id}/status?batch={batch}&sort=date",
        data={"status": "queried", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/worklist/items/{item_id}?batch={batch}&sort=date&done=status"
    page = web_client.get(location).text
    assert '<p class="notice" role="status">Status changed to Queried.</p>' in page
    assert f'href="/worklist?batch={batch}&amp;sort=date">← Worklist</a>' in page
    assert f'action="/worklist/items/{item_id}/status?batch={batch}&amp;sort=date"' in page
    assert "Status changed" not in web_client.get(f"/worklist/items/{item_id}").text
    _set(web_client, token, item_id, "to_review")


def test_override_is_confirmed(web_client: TestClient, as_role: AsRole, web_db: Database) -> None:
    token = as_role("coder")
    item_id = _item_id(web_db, "w-esi-2")
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.result is not None
        rule_id = item.result["findings"][-1]["rule_id"]
    response = web_client.post(
        f"/worklist/items/{item_id}/overrides?sort=provider",
        data={"rule_id": rule_id, "reason": "Documented in the addendum.", "csrf": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == (
        f"/worklist/items/{item_id}?sort=provider&done=override#overrides"
    )
    page = web_client.get(response.headers["location"]).text
    assert '<p class="notice" role="status">Override recorded.' in page


@pytest.mark.usefixtures("batch")
def test_next_item_is_the_next_open_one_in_the_list_order(
    web_client: TestClient, as_role: AsRole, web_db: Database, batch: int
) -> None:
    token = as_role("coder")
    # By date of service, newest first: w-esi-2 (10-09), w-esi-1 (10-03), w-office (09-20).
    esi_2, esi_1, office = (_item_id(web_db, n) for n in ("w-esi-2", "w-esi-1", "w-office"))
    _set(web_client, token, esi_1, "queried")  # waits for the provider: not open
    _set(web_client, token, office, "fixed")  # back from the provider: open again
    try:
        view = f"batch={batch}&amp;sort=date"
        first = web_client.get(f"/worklist/items/{esi_2}?batch={batch}&sort=date").text
        assert f'href="/worklist/items/{office}?{view}" rel="next">Next item: w-office' in first
        last = web_client.get(f"/worklist/items/{office}?batch={batch}&sort=date").text
        assert 'rel="next"' not in last and "No more open items in this list." in last
        listed = web_client.get(f"/worklist?batch={batch}&sort=date").text
        assert f'href="/worklist/items/{esi_2}?{view}">w-esi-2</a>' in listed
    finally:
        for item_id in (esi_1, office):
            _set(web_client, token, item_id, "to_review")


def test_next_open_starts_from_the_top_when_the_item_left_the_list() -> None:
    items = [SimpleNamespace(id=i, review_status=s) for i, s in ((1, "queried"), (2, "to_review"))]
    assert next_open(items, 1) == items[1]  # type: ignore[arg-type]
    assert next_open(items, 2) is None  # type: ignore[arg-type]
    assert next_open(items, 9) == items[1]  # type: ignore[arg-type]


def test_batch_filter_shows_as_a_chip_that_removes_it(
    web_client: TestClient, as_role: AsRole, batch: int
) -> None:
    as_role("coder")
    page = web_client.get(f"/worklist?batch={batch}&sort=date&payer=commercial").text
    chip = re.search(r'<a class="chip" href="([^"]+)"[^>]*>(.*?)</a>', page)
    assert chip is not None
    assert chip.group(2).startswith(f"Batch: october.csv (#{batch}) ")
    assert "×" in chip.group(2) and "remove this filter" in chip.group(2)
    assert chip.group(1) == "/worklist?payer=commercial&amp;sort=date"  # the rest stays
    cleared = web_client.get(chip.group(1).replace("&amp;", "&")).text
    assert 'class="chip"' not in cleared
    assert 'class="chip"' not in web_client.get("/worklist").text


def test_sort_and_page_links_keep_the_batch_filter(
    web_client: TestClient, as_role: AsRole, batch: int
) -> None:
    as_role("coder")
    first = web_client.get(f"/worklist?batch={batch}&per_page=2").text
    assert "3 notes (1–2 shown)" in first and "Page 1 of 2" in first
    assert f'href="/worklist?batch={batch}&amp;sort=date&amp;per_page=2" title="Sort by date"' in (
        first
    )
    following = re.search(r'rel="next" href="([^"]+)">Next page', first)
    assert following is not None
    assert following.group(1) == f"/worklist?batch={batch}&amp;page=2&amp;per_page=2"
    second = web_client.get(following.group(1).replace("&amp;", "&")).text
    assert "3 notes (3–3 shown)" in second and "Page 2 of 2" in second
    assert f"Batch: october.csv (#{batch})" in second
    assert f'rel="prev" href="/worklist?batch={batch}&amp;per_page=2">' in second
    listed = re.findall(r'href="/worklist/items/\d+[^"]*">(w-[a-z0-9-]+)<', first + second)
    assert sorted(listed) == ["w-esi-1", "w-esi-2", "w-office"]
    item_link = re.search(r'href="/worklist/items/\d+\?([^"]+)">w-', second)
    assert (
        item_link is not None and item_link.group(1) == f"batch={batch}&amp;page=2&amp;per_page=2"
    )
