"""The provider's pre-sign page: evidence, gaps, verdict and risk; stored only when saved."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.web.rendering import Segment, group_findings, highlight_segments, query_text, top_factors
from assistant.findings import Finding
from assistant.risk.schema import RiskScore
from assistant.store import ApiKeyRepository, Batch, Database, StoredCheck, WorklistItem

AsRole = Callable[[str | None], str]


def _stored(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(StoredCheck)) or 0)


def test_presign_signed_in_needs_no_api_key(web_client: TestClient, as_role: AsRole) -> None:
    as_role("provider")
    page = web_client.get("/")
    assert page.status_code == 200
    assert 'name="api_key"' not in page.text
    assert 'for="note"' in page.text and 'for="payer"' in page.text and 'for="cpt"' in page.text


def test_presign_review_shows_evidence_gaps_verdict_and_risk(
    web_client: TestClient, web_db: Database, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    before = _stored(web_db)
    form = {"note": esi_note, "payer": "medicare", "cpt": "64483", "icd10": "M54.16"}
    response = web_client.post("/review", data={**form, "modifiers": "RT", "csrf": token})
    assert response.status_code == 200
    html = response.text
    assert "Verdict:" in html and "Denial risk" in html and "Why this risk" in html
    assert 'class="ev f-proc a-affirmed"' in html  # procedure evidence
    assert "a-negated" in html  # "No sedation" is negated evidence
    assert re.search(r"<h3>(Blocks billing|Needs attention|For information) \(\d+\)</h3>", html)
    assert 'class="query" readonly' in html
    assert "Save this check" in html
    assert _stored(web_db) == before  # nothing stored unless saved


def test_presign_unread_procedure_is_not_recognised_never_ready(
    web_client: TestClient, as_role: AsRole
) -> None:
    token = as_role("provider")
    note = "Pt seen. Rt L4-5 blk done under fluoro, 80mg depomedrol. tolerated well."
    response = web_client.post("/review", data={"note": note, "payer": "medicare", "csrf": token})
    assert response.status_code == 200
    html = response.text
    assert 'class="pill v-not_recognised">Verdict: not recognised' in html
    assert "could not identify the procedure" in html and "check this note by hand" in html
    assert "v-ready" not in html


def test_not_found_lists_what_the_payer_requires_and_folds_the_rest(
    web_client: TestClient, as_role: AsRole
) -> None:
    token = as_role("provider")
    note = (
        "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection under fluoroscopy.\n"
        "Contrast confirmed epidural spread. 80 mg triamcinolone injected. No complications."
    )
    html = web_client.post("/review", data={"note": note, "payer": "medicare", "csrf": token}).text
    required = html.split("Required here and not found", 1)[1].split("</table>", 1)[0]
    folded = html.split('<details class="also-absent">', 1)[1].split("</details>", 1)[0]
    assert "opioid risk monitoring" not in required and "total time" not in required
    assert "opioid risk monitoring" in folded and "total time" in folded
    assert "informed consent" in required  # a finding asks for it; the note lacks it


def test_presign_save_keeps_the_check_as_a_worklist_item_and_links_to_it(
    web_client: TestClient, web_db: Database, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    before = _stored(web_db)
    form = {"note": esi_note, "payer": "medicare", "cpt": "64483", "icd10": "M54.16"}
    response = web_client.post("/review", data={**form, "csrf": token, "save": "yes"})
    assert response.status_code == 200
    saved = re.search(
        r'<p class="notice saved" role="status">Saved\. This note and its check are kept in the '
        r"worklist for your coders as note (pre-sign-[0-9a-f]{12})\. "
        r'<a href="/worklist/items/(\d+)">Open the saved check</a></p>',
        response.text,
    )
    assert saved is not None, response.text
    note_id, item_id = saved.group(1), int(saved.group(2))
    assert _stored(web_db) == before  # no separate API check row: the worklist keeps it
    with web_db.session() as session:
        item = session.get(WorklistItem, item_id)
        assert item is not None and item.note_id == note_id
        assert item.queue_status == "done" and item.verdict == item.result["verdict"]  # type: ignore[index]
        assert item.provider == "provider-user" and item.payer == "medicare"
        assert item.note_text.replace("\r\n", "\n") == esi_note
        assert item.claim is not None and item.claim["lines"][0]["cpt"] == "64483"
        batch = session.get(Batch, item.batch_id)
        assert batch is not None and batch.imported_by == "provider-user"
    # Saving the same draft again keeps one item.
    again = web_client.post("/review", data={**form, "csrf": token, "save": "yes"})
    assert f'href="/worklist/items/{item_id}"' in again.text
    # The provider opens what they saved; the coders find it in their worklist.
    page = web_client.get(f"/worklist/items/{item_id}")
    assert page.status_code == 200 and f"Note {note_id}" in page.text
    assert "← Check another note" in page.text and "Next item" not in page.text
    as_role("coder")
    assert f">{note_id}</a>" in web_client.get("/worklist").text


def test_presign_save_button_only_for_signed_in_staff(
    web_client: TestClient, web_db: Database, as_role: AsRole, esi_note: str
) -> None:
    with web_db.session() as session:
        key = ApiKeyRepository(session).create("presign-save-button").secret
    token = as_role(None)
    form = {"note": esi_note, "payer": "medicare", "csrf": token}
    anonymous = web_client.post("/review", data={**form, "api_key": key}).text
    assert "Pre-sign review" in anonymous and "Save this check" not in anonymous
    token = as_role("provider")
    signed_in = web_client.post("/review", data={**form, "csrf": token}).text
    assert "Save this check" in signed_in
    assert "Keeps the note and its check in the worklist for your coders." in signed_in


def test_provider_cannot_open_items_saved_by_others(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("coder")
    response = web_client.post(
        "/review", data={"note": esi_note + "\nSaved by the coder.", "csrf": token, "save": "yes"}
    )
    saved = re.search(r'href="/worklist/items/(\d+)">Open the saved check', response.text)
    assert saved is not None
    as_role("provider")
    assert web_client.get(f"/worklist/items/{saved.group(1)}").status_code == 403
    assert web_client.get("/worklist/items/999999").status_code == 403  # not even whether


@pytest.mark.parametrize(
    ("form", "status", "marker"),
    [
        (
            {"cpt": "6448"},
            422,
            "&#39;6448&#39; is not a CPT code: 5 digits (or 4 digits and F or T), or a HCPCS "
            "letter + 4 digits",
        ),
        (
            {"cpt": "64483", "icd10": "nope"},
            422,
            "&#39;NOPE&#39; is not an ICD-10-CM code (e.g. M54.16)",
        ),
        ({"payer": "nobody"}, 422, "Unknown payer"),
        ({"note": ""}, 422, "The note is empty"),
        ({"note": "x" * 300_000}, 422, "The note has 300,000 characters; the limit is"),
    ],
)
def test_presign_form_errors_keep_the_form(
    web_client: TestClient,
    as_role: AsRole,
    esi_note: str,
    form: dict[str, str],
    status: int,
    marker: str,
) -> None:
    token = as_role("provider")
    data = {"note": esi_note, "payer": "medicare", "csrf": token, **form}
    response = web_client.post("/review", data=data)
    assert response.status_code == status
    assert marker in response.text
    assert 'role="alert"' in response.text
    assert "E010" not in response.text and "E002" not in response.text  # codes are for the API
    assert "lines -&gt;" not in response.text and "Value error" not in response.text
    kept = form.get("note", esi_note)[:200]
    assert kept in response.text  # the pasted note is never lost


def test_presign_save_requires_sign_in(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role(None)
    data = {"note": esi_note, "payer": "medicare", "csrf": token, "save": "yes"}
    response = web_client.post("/review", data=data)
    assert response.status_code == 401
    assert "Sign in to save" in response.text


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("abc", [], [Segment("abc")]),
        (
            "no pain here",
            [{"start": 3, "end": 7, "field": "f", "assertion": "negated", "value": "v"}],
            [Segment("no "), Segment("pain", "f", "negated", "v"), Segment(" here")],
        ),
        (  # overlapping spans: the first (longer) wins; out-of-range spans are ignored
            "abcdef",
            [
                {"start": 0, "end": 4, "field": "a", "assertion": "affirmed", "value": "1"},
                {"start": 2, "end": 5, "field": "b", "assertion": "affirmed", "value": "2"},
                {"start": 4, "end": 99, "field": "c", "assertion": "affirmed", "value": "3"},
            ],
            [Segment("abcd", "a", "affirmed", "1"), Segment("ef")],
        ),
    ],
)
def test_highlight_segments_cover_text_once(
    text: str, spans: list[dict[str, object]], expected: list[Segment]
) -> None:
    segments = highlight_segments(text, spans)  # type: ignore[arg-type]
    assert segments == expected
    assert "".join(s.text for s in segments) == text


def test_group_findings_orders_by_severity_and_adds_query() -> None:
    findings = [
        {"rule_id": "A", "severity": "info", "query": {"question": "Q?", "options": ["x"]}},
        {"rule_id": "B", "severity": "block", "query": {"question": "R?", "options": []}},
    ]
    groups = group_findings(findings)
    assert [sev for sev, _ in groups] == ["block", "info"]
    assert groups[1][1][0]["query_text"] == "Q?\n[ ] x"
    assert query_text({}) == ""


def _risk(logit: float, factors: list[dict[str, object]]) -> RiskScore:
    """A risk score with these factors (value 1 each) and the probability of ``logit``."""
    return RiskScore.model_validate(
        {
            "logit": logit,
            "probability": 1 / (1 + math.exp(-logit)),
            "band": "medium",
            "model_version": "test",
            "factors": [{"value": 1.0, **f} for f in factors],
        }
    )


def test_top_factors_skip_baseline_and_lowering_factors() -> None:
    risk = _risk(
        -1.0,
        [
            {"name": "baseline", "label": "baseline", "contribution": -3.0},
            {"name": "payer.medicare", "label": "payer: medicare", "contribution": 0.2},
            {"name": "family.esi", "label": "procedure family: esi", "contribution": -0.4},
            {
                "name": "findings.block.missing",
                "label": "block findings: missing",
                "contribution": 1.5,
                "finding_ids": ["ESI-002"],
            },
        ],
    )
    findings = [
        Finding.model_construct(
            rule_id="ESI-002", message="Laterality not documented: add the side"
        )
    ]
    factors = top_factors(risk, findings)
    assert [f.label for f in factors] == [
        "Documentation gaps (blocks billing, missing)",
        "Payer (medicare)",
    ]
    # Points: the risk shown (26.9 %) minus the risk without the factor (7.6 % and 23.1 %).
    assert [f.points for f in factors] == [19, 4]
    assert factors[0].rules == ["ESI-002 Laterality not documented"]
    assert top_factors(None, []) == []


def test_review_explains_risk_in_points_not_log_odds(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    form = {"note": esi_note, "payer": "medicare", "cpt": "64483", "csrf": token}
    html = web_client.post("/review", data=form).text
    assert "log-odds" not in html and "findings: missing" not in html
    assert "if it is billed as the note stands now" in html
    assert re.search(r"<strong>\+\d+ points</strong>", html)


@pytest.mark.parametrize("csrf", ["", "forged"])
def test_presign_signed_in_form_needs_csrf(
    web_client: TestClient, as_role: AsRole, esi_note: str, csrf: str
) -> None:
    as_role("provider")
    data = {"note": esi_note, "payer": "medicare", "csrf": csrf}
    response = web_client.post("/review", data=data)
    assert response.status_code == 403
    assert "form expired" in response.text


def test_review_has_one_query_box_to_copy_into_the_ehr_and_prints_cleanly(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    form = {"note": esi_note, "payer": "medicare", "cpt": "64483", "csrf": token}
    html = web_client.post("/review", data=form).text
    box = re.search(r'<textarea id="ehr-query" class="query query-all" readonly rows="(\d+)"', html)
    assert box is not None and int(box.group(1)) >= 4
    combined = html.split('id="ehr-query"', 1)[1].split("</textarea>", 1)[0]
    questions = re.findall(r'<textarea id="q-[^"]+" class="query" readonly>([^\n<]+)', html)
    assert len(questions) >= 2 and all(question in combined for question in questions)
    assert '<button type="button" data-copy="ehr-query" hidden>Copy for the EHR</button>' in html
    assert "data-print hidden>Print or save as PDF</button>" in html
    assert "button[data-print]" in web_client.get("/static/app.js").text
    css = web_client.get("/static/app.css").text
    printed = css.split("@media print {", 1)[1]
    hidden = re.search(r"([^{}]*)\{ display: none !important; \}", printed)
    assert hidden is not None
    assert all(part in hidden.group(1) for part in ("header.top", "form", ".no-print", "button"))
    assert re.search(r"\.note \{ max-height: none; overflow: visible;", printed)


def test_review_names_the_procedure_in_words(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    html = web_client.post("/review", data={"note": esi_note, "csrf": token}).text
    table = html.split("<h2>Procedures found</h2>", 1)[1].split("</table>", 1)[0]
    assert "<td>Transforaminal epidural steroid injection</td>" in table
    assert "<td>esi</td>" not in table


CONSENT_NOTE = (
    "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection under fluoroscopy.\n"
    "Risks and benefits were discussed, including possible complications such as infection "
    "and bleeding, and written informed consent was obtained.\n"
    "Contrast confirmed epidural spread. 80 mg triamcinolone injected. No complications."
)


def test_review_does_not_mark_consent_text_as_planned_or_uncertain(
    web_client: TestClient, as_role: AsRole
) -> None:
    token = as_role("provider")
    form = {"note": CONSENT_NOTE, "payer": "medicare", "csrf": token}
    html = web_client.post("/review", data=form).text
    marks = re.findall(r'<mark class="ev ([^"]+)" title="([^"]+)">([^<]*)</mark>', html)
    consent = [(classes, text) for classes, title, text in marks if "informed_consent" in title]
    assert consent, marks  # the consent sentence is highlighted as documentation
    for classes, text in consent:
        assert "a-hypothetical" not in classes and "a-uncertain" not in classes, (classes, text)
        assert "f-elem a-affirmed" in classes


@pytest.mark.parametrize(
    ("field", "assertion", "shown"),
    [
        ("elements.informed_consent", "hypothetical", "affirmed"),  # "risks ... discussed"
        ("elements.conservative_therapy", "historical", "affirmed"),
        ("elements.complications", "uncertain", "affirmed"),
        ("elements.sedation_or_anesthesia", "negated", "negated"),  # "No sedation"
        ("planned_procedures", "hypothetical", "hypothetical"),
        ("procedures[0].family", "uncertain", "uncertain"),
    ],
)
def test_highlight_shows_element_evidence_as_documented_unless_negated(
    field: str, assertion: str, shown: str
) -> None:
    span = {"start": 0, "end": 7, "field": field, "assertion": assertion, "value": True}
    assert highlight_segments("consent", [span])[0].assertion == shown
