"""The coordinator's authorizations page in a real headless Chromium, over WebDriver.

Driven as ``test_web_browser.py`` drives the other pages (chromedriver + httpx, a
``chartready serve`` subprocess on a free loopback port): a coder signs in, reads the four
queues over a seeded store, schedules a procedure through the form, records its
authorization and sees it leave the queue, and has a bad form sent back with what was
typed; a provider is refused. A screenshot of each state is checked. Skipped only when
Chromium or chromedriver is missing (``make test`` installs them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    Browser,
    needs_browser,
    save_screenshot,
    served_app,
    switch_user,
)

from assistant.store import AuthorizationRepository, Database

pytestmark = needs_browser


TODAY = dt.date.today()


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def _seed(database: Database) -> None:
    """One patient in each queue: expiring, pended, and facet care waiting for MBB 2."""
    with database.session() as session:
        repo = AuthorizationRepository(session)
        repo.add_authorization(
            {
                "patient_key": "B-EXPIRING",
                "payer": "medicare",
                "family": "facet_rfa",
                "cpt_codes": ["64635"],
                "levels": ["L4-L5"],
                "side": "right",
                "status": "approved",
                "number": "UTN-EXP",
                "valid_from": _day(-50),
                "valid_to": _day(6),
            },
            "seed",
        )
        repo.add_authorization(
            {
                "patient_key": "B-PENDED",
                "payer": "medicare",
                "family": "scs_trial",
                "status": "pended",
                "submitted_on": _day(-12),
                "note": "psychological evaluation asked for",
            },
            "seed",
        )
        repo.schedule(
            {
                "patient_key": "B-STAGED",
                "payer": "medicare",
                "family": "facet_mbb",
                "levels": ["L4-L5", "L5-S1"],
                "side": "left",
                "date": _day(-20),
                "place_of_service": "22",
            },
            "seed",
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(
        tmp_path_factory.mktemp("authorizations-browser"),
        {"cody": "coder", "pat": "provider"},
        _seed,
    ) as base:
        yield base


def _queue(browser: Browser, name: str) -> str:
    return browser.text(f"section[data-queue='{name}']")


def _set(browser: Browser, element_id: str, value: str) -> None:
    """Set a select or date box at once (as picking from the control would)."""
    browser.script("document.getElementById(arguments[0]).value = arguments[1];", element_id, value)


def test_browser_coordinator_reads_the_four_queues(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    switch_user(browser, served, "cody", "/authorizations")
    browser.wait_for("section[data-queue='pended']")
    assert browser.text("h1") == "Prior authorizations"
    assert browser.text("header.top nav a[aria-current='page']") == "Authorizations"
    assert "B-EXPIRING" in _queue(browser, "expiring")
    assert "UTN-EXP" in _queue(browser, "expiring")
    assert "B-PENDED" in _queue(browser, "pended")
    assert "psychological evaluation asked for" in _queue(browser, "pended")
    staged = _queue(browser, "next_steps")
    assert "B-STAGED" in staged and "Step 2 of 3: Facet medial branch block" in staged
    assert "Nothing here" in _queue(browser, "unauthorized")
    save_screenshot(browser, tmp_path, "authorizations-queues.png", 20_000)


def test_browser_coordinator_schedules_then_authorizes_a_procedure(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    switch_user(browser, served, "cody", "/authorizations")
    browser.wait_for("form[data-form='procedure']")
    browser.type("#s-patient_key", "B-NEW")
    _set(browser, "s-family", "facet_rfa")
    browser.type("#s-levels", "L4-L5")
    _set(browser, "s-side", "right")
    _set(browser, "s-date", _day(9).isoformat())
    _set(browser, "s-place_of_service", "22")
    browser.click("form[data-form='procedure'] button[type=submit]")
    browser.wait_for("p.notice[role=status]")
    assert browser.text("p.notice[role=status]") == "Scheduled procedure added."
    waiting = _queue(browser, "unauthorized")
    assert "B-NEW" in waiting and "no authorization on file" in waiting
    save_screenshot(browser, tmp_path, "authorizations-scheduled.png", 20_000)

    browser.type("#a-patient_key", "B-NEW")
    _set(browser, "a-family", "facet_rfa")
    browser.type("#a-cpt_codes", "64635")
    browser.type("#a-levels", "L4-5")
    _set(browser, "a-side", "right")
    _set(browser, "a-status", "approved")
    browser.type("#a-number", "UTN-NEW")
    _set(browser, "a-valid_from", _day(0).isoformat())
    _set(browser, "a-valid_to", _day(60).isoformat())
    browser.type("#a-units_allowed", "1")
    browser.click("form[data-form='authorization'] button[type=submit]")
    # the previous notice stays on screen until the next page has loaded
    notice = browser.wait_text_change("p.notice[role=status]", "Scheduled procedure added.")
    assert notice == "Authorization recorded."
    assert "B-NEW" not in _queue(browser, "unauthorized")
    listed = browser.text("section[data-list='authorizations']")
    assert "UTN-NEW" in listed and "L4-L5" in listed and "approved" in listed
    save_screenshot(browser, tmp_path, "authorizations-recorded.png", 20_000)


def test_browser_coordinator_bad_form_comes_back_with_what_was_typed(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    switch_user(browser, served, "cody", "/authorizations")
    browser.wait_for("form[data-form='authorization']")
    browser.type("#a-patient_key", "B-TYPO")
    browser.type("#a-levels", "L4-L5, L9")
    browser.type("#a-note", "called the payer")
    browser.click("form[data-form='authorization'] button[type=submit]")
    browser.wait_for("[data-errors='authorization']")
    assert "Levels: 'L9' is not a spinal level" in browser.text("[data-errors='authorization']")
    kept = "return arguments[0].map(id => document.getElementById(id).value);"
    boxes = ["a-patient_key", "a-levels", "a-note"]
    assert browser.script(kept, boxes) == ["B-TYPO", "L4-L5, L9", "called the payer"]
    save_screenshot(browser, tmp_path, "authorizations-refused.png", 20_000)


def test_browser_provider_is_not_offered_the_page(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    switch_user(browser, served, "pat", "/authorizations")
    browser.wait_for("h1")
    assert browser.text("h1") == "Not allowed"
    assert not browser.count("header.top nav a[href='/authorizations']")
    save_screenshot(browser, tmp_path, "authorizations-not-allowed.png", 5_000)
