"""Clone-note flags in the worklist, on the item page and in the mini-audit, over HTTP.

Notes are hand-written and PHI-free: one provider's March follow-ups copy the February
visit forward (new numbers and dates, the same history, exam and plan); another provider's
note in the same month is her own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.web.clones import copied_passage, match_line, matches_brief, when_label
from assistant.store import CloneScan, Database, WorklistItem
from assistant.store.clone_repository import CloneMatchView

AsRole = Callable[[str | None], str]

EXAM = (
    "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
    "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
    "Straight leg raise is negative. Strength is five of five in both legs and sensation "
    "is intact to light touch. Reflexes are symmetric at the knees and ankles."
)
HISTORY = (
    "HISTORY OF PRESENT ILLNESS: The patient returns with left low back pain rated {score}/10 "
    "on {day}. She has tried physical therapy for six weeks without relief and takes "
    "meloxicam daily. The pain is worse with standing and eases when she sits down."
)
PLAN = (
    "ASSESSMENT AND PLAN: Lumbar facet arthropathy. Continue home exercise and meloxicam; "
    "return in four weeks or sooner if worse."
)
OWN_NOTE = (
    "HISTORY OF PRESENT ILLNESS: Neck pain radiating to the right arm for a year, with "
    "numbness in the thumb and index finger, worse when looking up or driving, and morning "
    "stiffness that eases after an hour.\nPHYSICAL EXAMINATION: Spurling test positive on "
    "the right. Grip weaker on the right than the left. Biceps reflex reduced on the right; "
    "triceps and brachioradialis reflexes normal. Neck rotation limited by pain to the right."
)


def _visit(day: str, score: int) -> str:
    return "\n".join((HISTORY.format(score=score, day=day), EXAM, PLAN))


ROWS = [
    ("cl-feb", "Dr Copley", "2026-02-10", _visit("2026-02-10", 7)),
    ("cl-mar-1", "Dr Copley", "2026-03-10", _visit("2026-03-10", 6)),
    ("cl-mar-2", "Dr Copley", "2026-03-24", _visit("2026-03-24", 5)),
    ("cl-own", "Dr Distinct", "2026-03-12", OWN_NOTE),
]


def _wait_compared(database: Database, batch_id: int, seconds: float = 30.0) -> None:
    """Wait until the app's background scan has compared every note of the batch."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with database.session() as session:
            total = session.scalar(
                select(func.count())
                .select_from(WorklistItem)
                .where(WorklistItem.batch_id == batch_id)
            )
            compared = session.scalar(
                select(func.count())
                .select_from(CloneScan)
                .join(WorklistItem, WorklistItem.id == CloneScan.item_id)
                .where(WorklistItem.batch_id == batch_id)
            )
        if total and compared == total:
            return
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} not compared for clones in {seconds} s")


@pytest.fixture(scope="module")
def clone_batch(
    web_client: TestClient,
    web_db: Database,
    session_tokens: dict[str, str],
) -> int:
    web_client.cookies.clear()
    web_client.cookies.set("chartready_session", session_tokens["coder"])
    token = re.findall(r'name="csrf" value="([^"]+)"', web_client.get("/").text)[0]
    lines = ["note_id,provider,date_of_service,payer,note_text"]
    for note_id, provider, day, text in ROWS:
        escaped = text.replace('"', '""')
        lines.append(f'{note_id},{provider},{day},medicare,"{escaped}"')
    files = {"file": ("march-clones.csv", "\n".join(lines).encode(), "text/csv")}
    response = web_client.post(
        "/worklist/import", data={"csrf": token}, files=files, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    batch_id = int(response.headers["location"].rsplit("=", 1)[1])
    deadline = time.monotonic() + 60
    while not web_client.get(f"/worklist/batches/{batch_id}/progress").json()["finished"]:
        assert time.monotonic() < deadline, "the batch was not checked in 60 s"
        time.sleep(0.1)
    _wait_compared(web_db, batch_id)
    return batch_id


def _item_id(database: Database, note_id: str) -> int:
    with database.session() as session:
        found = session.scalar(select(WorklistItem.id).where(WorklistItem.note_id == note_id))
        assert found is not None
        return int(found)


def _row_of(page: str, note_id: str) -> str:
    start = page.index(f">{note_id}</a>")
    return page[start : page.index("</tr>", start)]


def test_worklist_marks_possible_clones_with_their_matches(
    web_client: TestClient, as_role: AsRole, clone_batch: int
) -> None:
    as_role("coder")
    page = web_client.get(f"/worklist?batch={clone_batch}&sort=date").text
    copied = _row_of(page, "cl-mar-2")
    assert '<span class="pill clone"' in copied and ">Possible clone</span>" in copied
    brief = re.search(r"<small>(Matches [^<]+)</small>", copied)
    assert brief is not None
    assert re.fullmatch(
        r"Matches cl-(feb|mar-1) \(earlier note\): 100% alike; identical: history of present "
        r"illness, assessment and plan, physical exam; and 1 more",
        brief.group(1),
    ), brief.group(1)
    assert "Possible clone" in _row_of(page, "cl-feb")  # the original is matched too
    assert "Possible clone" not in _row_of(page, "cl-own")


def test_item_page_lists_the_matching_notes(
    web_client: TestClient, as_role: AsRole, web_db: Database, clone_batch: int
) -> None:
    as_role("coder")
    item_id = _item_id(web_db, "cl-mar-1")
    page = web_client.get(f"/worklist/items/{item_id}?batch={clone_batch}").text
    box = page.split('<section class="clone-box"', 1)[1].split("</section>", 1)[0]
    assert "This note repeats 2 other stored notes" in box
    feb = _item_id(web_db, "cl-feb")
    assert f'<a href="/worklist/items/{feb}?batch={clone_batch}">cl-feb</a>' in box
    assert "earlier note" in box and "same day or later note" in box  # cl-feb and cl-mar-2
    assert "Dr Copley <small>(same provider)</small>" in box
    assert "history of present illness, assessment and plan, physical exam" in box
    assert "“PHYSICAL EXAMINATION" in box or "“HISTORY OF PRESENT ILLNESS" in box
    own = web_client.get(f"/worklist/items/{_item_id(web_db, 'cl-own')}").text
    assert 'class="clone-box"' not in own


def test_audit_summarises_copied_documentation_per_provider(
    web_client: TestClient, as_role: AsRole, clone_batch: int
) -> None:
    assert clone_batch
    token = as_role("quality_lead")
    response = web_client.post(
        "/audits", data={"month": "2026-03", "per_provider": "5", "seed": "3", "csrf": token}
    )
    assert response.status_code == 200
    page = response.text
    findings = page.split('<ul class="clone-findings">', 1)[1].split("</ul>", 1)[0]
    sentences = re.findall(r"<li>([^<]+)</li>", findings)
    for part in ("histories of present illness", "physical exams"):
        expected = f"100% of Dr Copley&#39;s {part} in March 2026 are identical to an earlier note"
        assert f"{expected} (2 of 2)." in sentences, sentences
    assert (
        "100% of Dr Copley&#39;s notes in March 2026 are near-copies of an earlier note (2 of 2)."
    ) in sentences
    assert not any("Dr Distinct" in sentence for sentence in sentences)
    table = page.split('<h2 id="clones">', 1)[1].split("</table>", 1)[0]
    assert re.search(
        r"<td>Dr Distinct</td><td>physical exam</td><td class=\"num\">1</td>"
        r"<td class=\"num\">0</td><td class=\"num\">0%</td>",
        table,
    ), table


def _match(earlier: bool | None, evidence: list[dict[str, object]]) -> CloneMatchView:
    return CloneMatchView(
        item_id=1,
        note_id="n-1",
        provider="Dr A",
        date_of_service=date(2026, 3, 1),
        similarity=0.934,
        whole_note=True,
        earlier=earlier,
        same_provider=True,
        sections=[],
        identical_sections=["physical_exam", "observation_and_plan"],
        evidence=evidence,
    )


def test_clone_wording_for_the_pages() -> None:
    one = _match(True, [{"start": 0, "end": 5}, {"start": 6, "end": 30}])
    assert match_line(one) == (
        "n-1 (earlier note): 93% alike; identical: physical exam, assessment and plan"
    )
    assert matches_brief([one, _match(False, [])]) == f"Matches {match_line(one)}; and 1 more"
    assert matches_brief([]) == ""
    assert [when_label(_match(v, [])) for v in (True, False, None)] == [
        "earlier note",
        "same day or later note",
        "date unknown",
    ]
    text = "Exam:  alert\n and   oriented, gait slow and steady."
    assert copied_passage(one, text) == "alert and oriented,"
    assert copied_passage(one, text, limit=10) == "alert and…"
    assert copied_passage(_match(True, []), text) == ""
