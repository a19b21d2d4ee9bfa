"""Functional test, pylint style: every rule's examples through ``check_note``.

Each checklist element's example is a short synthetic note (the element's snippet in its
checklist's note frame) checked by the whole pipeline (reader, scope, ``applies_when``,
payer profile, de-duplication): the ``present`` note must not raise the element's finding,
the ``missing`` note must. Each coding rule's examples are a note with a good and a bad
claim (and history) checked the same way: the good claim must not raise the rule, the bad
claim must.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import CodingRule
from assistant.checks.schema import Checklist, ChecklistElement
from assistant.facts import NoteFacts
from assistant.pipeline import check_note

Kind = Literal["present", "missing"]
ClaimKind = Literal["good", "bad"]


def _cases() -> list[tuple[Checklist, ChecklistElement, Kind]]:
    return [
        (checklist, element, kind)
        for checklist in load_registry().all()
        for element in checklist.elements
        for kind in ("present", "missing")
    ]


def _case_id(case: object) -> str:
    if isinstance(case, ChecklistElement):
        return case.id
    if isinstance(case, Checklist):
        return case.id
    return str(case)


def test_every_element_has_two_different_examples() -> None:
    for checklist in load_registry().all():
        for element in checklist.elements:
            present = checklist.example_note(element, "present")
            missing = checklist.example_note(element, "missing")
            assert element.examples.present.strip(), element.id
            assert element.examples.missing.strip(), element.id
            assert present != missing, element.id


@pytest.mark.parametrize(("checklist", "element", "kind"), _cases(), ids=_case_id)
def test_element_example_through_check_note(
    checklist: Checklist, element: ChecklistElement, kind: Kind, read: Callable[[str], NoteFacts]
) -> None:
    text = checklist.example_note(element, kind)
    result = check_note(text, payer=element.examples.payer, facts=read(text))
    raised = {finding.rule_id for finding in result.findings}
    if kind == "present":
        assert element.id not in raised, f"{element.id} raised on its present example"
    else:
        assert element.id in raised, f"{element.id} not raised on its missing example: {raised}"


def _coding_cases() -> list[tuple[CodingRule, ClaimKind]]:
    return [(rule, kind) for rule in load_registry().coding.rules for kind in ("good", "bad")]


def test_every_coding_rule_has_two_different_cases() -> None:
    for rule in load_registry().coding.rules:
        assert rule.examples.case("good") != rule.examples.case("bad"), rule.id


@pytest.mark.parametrize(
    ("rule", "kind"), _coding_cases(), ids=lambda v: v.id if isinstance(v, CodingRule) else v
)
def test_coding_rule_example_through_check_note(
    rule: CodingRule, kind: ClaimKind, read: Callable[[str], NoteFacts]
) -> None:
    note, case = rule.examples.case(kind)
    result = check_note(
        note,
        payer=rule.examples.payer,
        claim=case.to_claim(),
        history=case.to_history(),
        facts=read(note),
    )
    raised = {finding.rule_id for finding in result.findings}
    if kind == "good":
        assert rule.id not in raised, f"{rule.id} raised on its good claim"
    else:
        assert rule.id in raised, f"{rule.id} not raised on its bad claim: {raised}"
