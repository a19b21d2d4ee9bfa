"""Functional test: every E/M and opioid finding rule's golden examples through ``check_note``.

Each rule in ``assistant/em/rules/findings.v1.yaml`` (E/M level, modifier 25/G2211,
prolonged time, chronic-opioid checklist) carries a ``good`` and a ``bad`` example: a short
synthetic note and the claim lines billed with it. Both go through the whole pipeline
(reader, E/M assessment, checklist and claim checks, de-duplication), as
``tests/checks/test_checks_examples.py`` does for checklist elements and coding rules: the
good case must not raise the rule, the bad one must. This pins what each rule is for in
data next to the rule, and catches a cue, threshold or de-duplication change that silently
stops a rule from firing (or makes it fire on documentation that supports the claim).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest

from assistant.checks.claims import Claim, ClaimLine
from assistant.em.loader import finding_file
from assistant.em.schema import FindingRule, RuleExample
from assistant.facts import NoteFacts
from assistant.pipeline import check_note

Kind = Literal["good", "bad"]
KINDS: tuple[Kind, ...] = ("good", "bad")


def _example(rule: FindingRule, kind: Kind) -> RuleExample:
    return rule.examples.good if kind == "good" else rule.examples.bad


def _claim(example: RuleExample) -> Claim | None:
    """The example's claim lines as a claim (``None`` when it bills no line)."""
    if not example.lines:
        return None
    return Claim(
        lines=[
            ClaimLine(cpt=line.cpt, modifiers=list(line.modifiers), units=line.units)
            for line in example.lines
        ]
    )


def _cases() -> list[tuple[FindingRule, Kind]]:
    return [(rule, kind) for rule in finding_file().rules for kind in KINDS]


def _case_id(value: object) -> str:
    return value.id if isinstance(value, FindingRule) else str(value)


def test_every_rule_has_two_different_examples() -> None:
    rules = finding_file().rules
    assert rules
    for rule in rules:
        good, bad = rule.examples.good, rule.examples.bad
        assert good.note.strip() and bad.note.strip(), rule.id
        assert good != bad, f"{rule.id}: its good and bad examples are the same"


@pytest.mark.parametrize(("rule", "kind"), _cases(), ids=_case_id)
def test_rule_example_through_check_note(
    rule: FindingRule, kind: Kind, read: Callable[[str], NoteFacts]
) -> None:
    example = _example(rule, kind)
    result = check_note(
        example.note,
        payer=rule.examples.payer,
        claim=_claim(example),
        facts=read(example.note),
    )
    raised = sorted({finding.rule_id for finding in result.findings})
    lines = [(line.cpt, line.modifiers, line.units) for line in example.lines]
    if kind == "good":
        assert rule.id not in raised, (
            f"{rule.id} raised on its good example (lines {lines}); raised: {raised}"
        )
    else:
        assert rule.id in raised, (
            f"{rule.id} not raised on its bad example (lines {lines}); raised: {raised}"
        )
