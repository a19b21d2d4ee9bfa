"""The prior-authorization page in a real headless Chromium, driven over WebDriver.

As ``test_web_browser.py`` does: a ``chartready serve`` subprocess on a free loopback port,
chromedriver spoken to with httpx, a screenshot of each page state checked. The coordinator
signs in, pastes two notes with their dates, builds the packet, reads it in its frame and
fetches the PDF the download button posts; a refused form keeps what was pasted. Skipped
only when Chromium or chromedriver is missing (``make test`` installs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    PASSWORD,
    Browser,
    needs_browser,
    save_screenshot,
    served_app,
)

pytestmark = needs_browser


CONSULT = (
    "NEW PATIENT CONSULTATION\n"
    "HISTORY OF PRESENT ILLNESS: Right leg pain shooting to the foot for 4 months.\n"
    "He did 8 weeks of physical therapy without relief. Pain is 8/10.\n"
    "He cannot sit for more than 20 minutes.\n"
    "IMAGING: MRI shows a right L4-L5 disc protrusion contacting the right L5 root.\n"
    "PHYSICAL EXAMINATION: Straight leg raise is positive on the right.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection."
)
FOLLOW_UP = (
    "FOLLOW-UP VISIT\nHISTORY: Right leg pain continues. Pain is 7/10.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("preauth-browser"), {"cody": "coder"}) as base:
        yield base


def _open_form(browser: Browser, base: str) -> None:
    """Signed in as the coder, on the prior-authorization form."""
    browser.go(f"{base}/preauth")
    if browser.count("input#username"):
        browser.type("#username", "cody")
        browser.type("#password", PASSWORD)
        browser.click("form[action='/login'] button[type=submit]")
    browser.wait_for("textarea#note_text_1")


def _paste(browser: Browser, box: int, text: str, date: str) -> None:
    """Paste a note into box ``box`` (set at once, as a paste would) and set its date."""
    browser.script(
        "document.getElementById(arguments[0]).value = arguments[1];", f"note_text_{box}", text
    )
    browser.script(
        "document.getElementById(arguments[0]).value = arguments[1];", f"note_date_{box}", date
    )


def test_browser_preauth_packet_from_pasted_notes(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    _open_form(browser, served)
    assert browser.text("nav a[aria-current=page]") == "Prior authorization"
    browser.script("document.getElementById('family').value = 'esi';")
    browser.script("document.getElementById('side').value = 'right';")
    browser.script("document.getElementById('payer').value = 'medicare';")
    browser.type("#levels", "L4-L5")
    browser.type("#patient", "P-1042")
    _paste(browser, 1, CONSULT, "2024-02-10")
    _paste(browser, 2, FOLLOW_UP, "2024-03-01")
    browser.click("button[name=action][value=packet]")
    browser.wait_for(".pill[data-ready]", seconds=90)  # the first packet builds the reader
    assert browser.text("h1") == "Prior authorization packet"
    assert "criteria met" in browser.text(".pill")
    assert "2 notes read" in browser.text("main")
    for action in ("pdf", "fhir"):
        assert browser.count(f"button[name=action][value={action}]") == 1
    browser.into_frame("iframe.packet")
    try:
        assert browser.text("h1").startswith("Prior authorization: Epidural steroid injection")
        assert browser.count("td.status") >= 10
        assert "PA-013" in browser.text("table")
    finally:
        browser.out_of_frame()
    save_screenshot(browser, tmp_path, "preauth-packet.png", 20_000)
    # What "Download PDF" posts: the same notes again, answered with a PDF.
    fetched = browser.script(
        "const form = document.querySelector('form.downloads');"
        "const data = new FormData(form); data.set('action', 'pdf');"
        "return fetch(form.getAttribute('action'), {method: 'POST', body: data})"
        ".then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'),"
        " String.fromCharCode(...new Uint8Array(b).slice(0, 5))]));"
    )
    assert fetched == [200, "application/pdf", "%PDF-"]


def test_browser_preauth_refusal_keeps_the_pasted_notes(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    _open_form(browser, served)
    _paste(browser, 1, CONSULT, "2024-02-10")
    _paste(browser, 2, FOLLOW_UP, "")  # no date anywhere: refused
    browser.click("button[name=action][value=packet]")
    browser.wait_for(".error[role=alert] li")
    assert "Note 2 (note-2): no date of service" in browser.text(".error[role=alert]")
    kept = browser.script(
        "return [1, 2].map(n => document.getElementById('note_text_' + n).value);"
    )
    assert kept == [CONSULT, FOLLOW_UP]
    assert browser.script("return document.getElementById('note_date_1').value;") == "2024-02-10"
    save_screenshot(browser, tmp_path, "preauth-refused.png", 20_000)
