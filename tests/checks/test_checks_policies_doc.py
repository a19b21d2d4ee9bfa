"""docs/policies.md explains every public source the checklist elements and coding rules cite."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.checks import load_registry

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
_POLICY_ID = re.compile(r"\b(?:D?L\d{5}|A\d{5}|NCD \d+\.\d+)\b")


def test_policies_doc_names_every_cited_policy() -> None:
    doc = DOC.read_text(encoding="utf-8")
    cited = {
        policy_id
        for checklist in load_registry().all()
        for element in checklist.elements
        for policy_id in _POLICY_ID.findall(element.source.policy)
    }
    assert cited
    assert sorted(p for p in cited if p not in doc) == []


def test_no_checklist_element_cites_a_file_outside_the_repository() -> None:
    for checklist in load_registry().all():
        for element in checklist.elements:
            text = f"{element.source.policy} {element.source.section or ''}"
            assert "payer-rules" not in text, element.id
            assert ".md" not in text, element.id


def test_policies_doc_names_every_policy_the_coding_table_cites() -> None:
    doc = DOC.read_text(encoding="utf-8")
    coding = load_registry().coding
    texts = [rule.source.policy for rule in coding.rules]
    texts += [dx_list.source for dx_list in coding.covered_dx.values()]
    cited = {policy_id for text in texts for policy_id in _POLICY_ID.findall(text)}
    assert cited
    assert sorted(p for p in cited if p not in doc) == []


def test_policies_doc_lists_every_new_claim_rule() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for rule_id in [f"CLM-{n:03d}" for n in range(26, 34)]:
        assert rule_id in doc, rule_id
