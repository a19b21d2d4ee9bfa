"""The rule reference page (``/rules``): every rule from the data, linked from each finding."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from assistant.pipeline import rule_severities

AsRole = Callable[[str | None], str]


def test_rules_page_lists_every_rule_signed_out(web_client: TestClient, as_role: AsRole) -> None:
    as_role(None)
    page = web_client.get("/rules")
    assert page.status_code == 200
    anchors = set(re.findall(r'<article id="([^"]+)">', page.text))
    authorization = {f"AUTH-00{n}" for n in range(1, 7)}
    assert anchors == set(rule_severities()) | authorization  # every rule a finding can name
    assert {"EM-01", "OPI-01", "CLM-001", "ESI-003"} <= anchors
    body = page.text.split('<div class="rule-reference">', 1)[1].split("</main>", 1)[0]
    assert "<script" not in body  # rule text is escaped


def test_rules_page_is_in_every_role_s_navigation(web_client: TestClient, as_role: AsRole) -> None:
    as_role("coder")
    page = web_client.get("/rules")
    assert '<a href="/rules" aria-current="page">Rules</a>' in page.text


def test_each_finding_links_to_its_rule(
    web_client: TestClient, as_role: AsRole, esi_note: str
) -> None:
    token = as_role("provider")
    form = {"note": esi_note, "payer": "medicare", "cpt": "64483", "icd10": "M54.16"}
    html = web_client.post("/review", data={**form, "modifiers": "RT", "csrf": token}).text
    linked = re.findall(r'<a href="/rules#([A-Z]+-\d+[A-Z]?)"', html)
    assert linked
    reference = web_client.get("/rules").text
    for rule_id in linked:
        assert f'<article id="{rule_id}">' in reference


def test_a_finding_names_the_rules_folded_into_it() -> None:
    """One problem, one finding: the rules folded into it are named and linked too."""
    from api.web.rendering import templates

    finding = {
        "rule_id": "RFA-004",
        "message": "Two prior diagnostic blocks with at least 80 % relief not documented",
        "also": ["CLM-017"],
        "fix": "Document both blocks.",
        "evidence": [],
        "query_text": "What relief did each prior diagnostic block provide?",
        "source": {"policy": "LCD L38801", "url": None, "section": None},
    }
    macro = templates.env.get_template("_check.html").module.findings_view
    html = str(macro([("block", [finding])], {"block": "Not billable"}))
    assert '(also <a href="/rules#CLM-017">CLM-017</a>)' in html
