"""The rule reference generated from the data (``chartready checklists docs``, ``/rules``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.checks import load_registry
from assistant.checks.reference import describe_expr
from assistant.checks.schema import ChecklistElement
from assistant.cli import app
from assistant.em.loader import finding_file
from assistant.rule_docs import Format
from assistant.rule_reference import rule_reference


def _elements() -> list[ChecklistElement]:
    return [element for checklist in load_registry().all() for element in checklist.elements]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_rule_reference_names_every_rule_with_source_and_examples(fmt: Format) -> None:
    registry = load_registry()
    page = rule_reference(fmt)
    for element in _elements():
        assert element.id in page
        assert element.symbol in page
    for rule in registry.coding.rules:
        assert rule.id in page
    for em_rule in finding_file().rules:
        assert em_rule.id in page
        assert em_rule.symbol in page
    esi = registry.get("esi").elements[0]
    assert "A58993" in page
    assert esi.fix in page


def test_rule_reference_shows_each_coding_rule_with_its_claims() -> None:
    page = rule_reference()
    for section in page.split("\n### CLM-")[1:]:
        assert "- Example (good claim): " in section
        assert "- Example (bad claim): " in section
    assert "- Example (bad claim): 64484-LT (M54.16)\n" in page  # CLM-013's lone add-on
    assert "POS 22" in page  # CLM-030's claims name their place of service


def test_rule_reference_html_escapes_text() -> None:
    page = rule_reference("html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;" in page or "&gt;" in page or "&amp;" in page


def test_describe_expr_reads_like_the_rule() -> None:
    esi = load_registry().get("esi")
    guidance = next(e for e in esi.elements if e.id == "ESI-003")
    text = describe_expr(guidance.requires)
    assert "guidance is one of fluoroscopy, ct" in text
    assert "or" in text
    assert "detector contrast_omitted_reason" in text


def test_cli_checklists_docs_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    result = CliRunner().invoke(app, ["checklists", "docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ChartReady rule reference")
    assert "ESI-003" in text


def test_rule_reference_shows_e_m_rules_with_their_examples() -> None:
    page = rule_reference()
    section = page.split("\n## em: ", 1)[1]
    assert "### EM-01 `modifier-25-not-separately-identifiable`" in section
    assert "- Checks: <billed> is billed with modifier 25" in section
    assert "CDC 2022 opioid guideline" in section
    for rule in finding_file().rules:
        block = section.split(f"### {rule.id} ", 1)[1].split("\n### ", 1)[0]
        assert "- Example (good): " in block and "- Example (bad): " in block
