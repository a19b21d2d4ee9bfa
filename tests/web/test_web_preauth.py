"""The prior-authorization page over HTTP: sign-in, the packet, downloads, and kept notes."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from markupsafe import escape
from pypdf import PdfReader

AsRole = Callable[[str | None], str]
CONSULT = (
    "NEW PATIENT CONSULTATION\n"
    "HISTORY OF PRESENT ILLNESS: Right leg pain shooting to the foot for 4 months.\n"
    "He did 8 weeks of physical therapy without relief. Pain is 8/10.\n"
    "IMAGING: MRI shows a right L4-L5 disc protrusion contacting the right L5 root.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection."
)
FOLLOW_UP = (
    "Date of service: 03/01/2024\nFOLLOW-UP VISIT\nHISTORY: The patient's leg pain continues.\n"
    'She says "it is worse at night" & <sitting> hurts.\nPLAN: Right L4-L5 TFESI.'
)
UNDATED = "FOLLOW-UP VISIT\nHISTORY: Leg pain continues. Pain is 6/10."


def _form(csrf: str, action: str = "packet", **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf": csrf,
        "action": action,
        "family": "esi",
        "levels": "L4-L5",
        "side": "right",
        "payer": "medicare",
        "planned_date": "",
        "patient": "P-9",
        "note_id": ["consult", "", ""],
        "note_date": ["2024-02-10", "", ""],
        "note_text": [CONSULT, FOLLOW_UP, ""],
    }
    data.update(changes)
    return data


def _kept(page: str, text: str) -> bool:
    """The text is in the page exactly as sent (HTML-escaped, as a textarea holds it)."""
    return str(escape(text)) in page


def test_signed_out_is_sent_to_sign_in(web_client: TestClient, as_role: AsRole) -> None:
    as_role(None)
    response = web_client.get("/preauth", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/preauth"


@pytest.mark.parametrize("role", ["provider", "coder", "quality_lead", "admin"])
def test_every_role_has_the_page_in_its_navigation(
    web_client: TestClient, as_role: AsRole, role: str
) -> None:
    as_role(role)
    home = web_client.get("/").text
    assert '<a href="/preauth">Prior authorization</a>' in home
    page = web_client.get("/preauth")
    assert page.status_code == 200
    assert 'href="/preauth" aria-current="page"' in page.text
    assert page.text.count('name="note_text"') == 3
    assert 'enctype="multipart/form-data"' in page.text
    assert '<option value="facet_rfa">Facet radiofrequency ablation</option>' in page.text


def test_packet_page_shows_the_packet_and_posts_the_notes_again(
    web_client: TestClient, as_role: AsRole
) -> None:
    csrf = as_role("coder")
    response = web_client.post("/preauth", data=_form(csrf))
    assert response.status_code == 200, response.text
    page = response.text
    assert "<h1>Prior authorization packet</h1>" in page
    assert re.search(r'class="pill v-\w+" data-ready="(true|false)"', page)
    assert "criteria met" in page
    assert '<iframe class="packet" title="The packet" sandbox srcdoc="' in page
    assert "PA-010" in page and "consult 2024-02-10" in page  # inside the escaped srcdoc
    for action in ("pdf", "fhir", "html"):
        assert f'name="action" value="{action}"' in page
    # The notes travel with the download buttons, dated and named as they were read.
    assert '<input type="hidden" name="note_id" value="note-2">' in page
    assert '<input type="hidden" name="note_date" value="2024-03-01">' in page
    assert f'<input type="hidden" name="note_text" value="{escape(FOLLOW_UP)}">' in page
    assert response.headers["cache-control"] == "no-store"


def test_pdf_and_fhir_downloads(web_client: TestClient, as_role: AsRole) -> None:
    csrf = as_role("coder")
    pdf = web_client.post("/preauth", data=_form(csrf, "pdf"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="preauth-esi-2024-03-01.pdf"'
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Patient key P-9" in " ".join(text.split())
    fhir = web_client.post("/preauth", data=_form(csrf, "fhir"))
    assert fhir.headers["content-type"] == "application/fhir+json"
    assert fhir.headers["content-disposition"].endswith('.fhir.json"')
    resource = fhir.json()
    QuestionnaireResponse.model_validate(resource)
    assert resource["subject"]["identifier"]["value"] == "P-9"
    printable = web_client.post("/preauth", data=_form(csrf, "html"))
    assert printable.headers["content-type"] == "text/html; charset=utf-8"
    assert "@media print" in printable.text and "content-disposition" not in printable.headers


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"levels": "low back"}, "&#39;low back&#39; is not a list of levels"),
        ({"payer": "blue-moon"}, "Unknown payer &#39;blue-moon&#39;"),
        ({"note_date": ["10 Feb", "", ""]}, "Note 1, date of service: not a date"),
        (
            {"note_text": [CONSULT, UNDATED, ""]},
            "Note 2 (note-2): no date of service. Enter it in the note&#39;s date box",
        ),
        ({"note_text": ["   ", FOLLOW_UP, ""]}, "Note 1, text: the note is empty (E002)."),
        (
            {"note_id": ["same", "same", ""]},
            "Note 2, note id: &#39;same&#39; is the id of an earlier",
        ),
        ({"side": "middle"}, "Side: Input should be"),
        ({"note_id": ["x" * 201, "", ""]}, "Note 1, note id: String should have at most 200"),
        ({"patient": "p" * 101}, "Patient key: String should have at most 100"),
        ({"note_id": [], "note_date": [], "note_text": [" "]}, "Paste or upload at least one note"),
    ],
)
def test_refusals_come_back_in_words_with_every_note_kept(
    web_client: TestClient, as_role: AsRole, changes: dict[str, object], message: str
) -> None:
    csrf = as_role("coder")
    form = _form(csrf, **changes)
    response = web_client.post("/preauth", data=form)
    assert response.status_code == 422
    assert "The packet was not built" in response.text and message in response.text
    texts = form["note_text"]
    assert isinstance(texts, list)
    for text in texts:
        if text.strip():
            assert _kept(response.text, text)


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("coder", 403)])
def test_signed_out_or_expired_form_keeps_the_notes(
    web_client: TestClient, as_role: AsRole, role: str | None, status: int
) -> None:
    as_role(role)
    response = web_client.post("/preauth", data=_form("stale-token"))
    assert response.status_code == status
    assert "your notes are still here" in response.text.lower()
    assert _kept(response.text, CONSULT) and _kept(response.text, FOLLOW_UP)


def test_add_a_note_box_keeps_what_was_typed(web_client: TestClient, as_role: AsRole) -> None:
    csrf = as_role("provider")
    response = web_client.post("/preauth", data=_form(csrf, "add"))
    assert response.status_code == 200
    assert response.text.count('name="note_text"') == 4  # two notes, one empty box, one added
    assert _kept(response.text, CONSULT) and 'value="2024-02-10"' in response.text


def test_uploaded_files_become_notes(web_client: TestClient, as_role: AsRole) -> None:
    csrf = as_role("coder")
    data = _form(csrf, note_id=[], note_date=[], note_text=[])
    files = [
        (
            "files",
            ("consult.txt", ("Date of service: 2024-02-10\n" + CONSULT).encode(), "text/plain"),
        ),
        ("files", ("follow.txt", FOLLOW_UP.encode(), "text/plain")),
    ]
    response = web_client.post("/preauth", data=data, files=files)
    assert response.status_code == 200, response.text
    assert '<input type="hidden" name="note_id" value="consult">' in response.text
    assert '<input type="hidden" name="note_id" value="follow">' in response.text
    undated = [("files", ("later.txt", UNDATED.encode(), "text/plain"))]
    refused = web_client.post("/preauth", data=data, files=undated)
    assert refused.status_code == 422
    assert "Note 1 (later): no date of service" in refused.text
    assert 'value="later"' in refused.text and _kept(refused.text, UNDATED)  # now a box to date
    binary = [("files", ("scan.txt", b"\xff\xfe\x00scan", "text/plain"))]
    not_text = web_client.post("/preauth", data=data, files=binary)
    assert not_text.status_code == 422 and "scan.txt: not valid UTF-8" in not_text.text
