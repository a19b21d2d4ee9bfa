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
