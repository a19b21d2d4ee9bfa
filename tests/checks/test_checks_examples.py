"""Functional test, pylint style: every checklist element's examples through ``check_note``.

Each example is a short synthetic note (the element's snippet in its checklist's note
frame) checked by the whole pipeline (reader, scope, ``applies_when``, payer profile,
de-duplication): the ``present`` note must not raise the element's finding, the
``missing`` note must.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest

from assistant.checks import load_registry
from assistant.checks.schema import Checklist, ChecklistElement
from assistant.facts import NoteFacts
from assistant.pipeline import check_note

Kind = Literal["present", "missing"]


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
