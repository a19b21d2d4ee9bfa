"""The 835 upload and denial report pages in a real headless Chromium, over WebDriver.

Driven as ``test_web_browser.py`` drives the other pages (chromedriver + httpx, a
``chartready serve`` subprocess on a free loopback port): a quality lead signs in, uploads
a file of the wrong version and then a synthetic 835 through the form, opens the month's
denial report and an empty month, with a screenshot of each state checked. Skipped only
when Chromium or chromedriver is missing (``make test`` installs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    Browser,
    needs_browser,
    save_screenshot,
    served_app,
    sign_in,
)

from assistant.remittances.synthetic import render_835, standard_claims

pytestmark = needs_browser


MONTH = "2024-01"  # the synthetic file's dates of service
RESULT = (
    "12 claims, 13 lines: 3 paid, 8 denied, 1 left to the patient, 1 reversed by the payer; "
    "13 lines did not match a checked chart."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("denials-browser"), {"quinn": "quality_lead"}) as base:
        yield base


def _upload(browser: Browser, path: Path) -> None:
    browser.wait_for("input#file")
    browser.type("input#file", str(path))
    browser.click("form[action='/remittances'] button[type=submit]")


def test_browser_quality_lead_uploads_an_835_and_reads_the_denials(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    text = render_835(standard_claims())
    wrong = tmp_path / "era-4010.835"
    wrong.write_text(text.replace("005010X221A1", "004010X091A1", 1), encoding="utf-8")
    good = tmp_path / "era-january.835"
    good.write_text(text, encoding="utf-8")

    sign_in(browser, served, "quinn", "/remittances")
    _upload(browser, wrong)
    browser.wait_for("[data-import-error]")
    refused = browser.text("[data-import-error]")
    assert refused.startswith("Nothing was imported.")
    assert "segment GS (element GS08, loop GS_LOOP) gives version '004010X091A1'" in refused
    save_screenshot(browser, tmp_path, "remittances-refused.png", 20_000)

    _upload(browser, good)
    browser.wait_for("[data-import-result]")
    result = browser.text("[data-import-result]")
    assert f"Imported era-january.835. {RESULT}" in result
    assert "era-january.835" in browser.text("main table")  # among the files imported last
    save_screenshot(browser, tmp_path, "remittances-imported.png", 20_000)

    browser.click(f"[data-import-result] a[href='/denials?month={MONTH}']")
    browser.wait_for("[data-denial-report]")
    assert browser.text("h1") == f"Denials, dates of service {MONTH}"
    report = browser.text("[data-denial-report]")
    assert "Denial rate 66.7% (8 of 12 lines, $3700.00 denied)" in report
    assert "CO-50" in report and "Medical necessity" in report
    assert browser.text("nav a[aria-current=page]") == "Denials"
    assert browser.count(f"a[href='/denials/export.csv?month={MONTH}']") == 1
    assert browser.script("return document.getElementById('month').value;") == MONTH
    save_screenshot(browser, tmp_path, "denials-report.png", 20_000)

    browser.script("document.getElementById('month').value = '2023-12';")
    browser.click("form[action='/denials'] button[type=submit]")
    browser.wait_for("[data-empty-month]")
    assert "No remittance lines with a date of service in December 2023" in browser.text(
        "[data-empty-month]"
    )
    assert browser.count("a[href^='/denials/export.csv']") == 0
    save_screenshot(browser, tmp_path, "denials-empty-month.png", 10_000)
