"""Decide the 18 documentation elements from ELEMENT target spans.

A rule match is a candidate; whether it documents the element depends on its assertion
(ConText) and section. The policy below says, per element, which assertions count:
a complications statement counts even when negated ("Complications: none"), prior
conservative care counts when historical, nothing counts when hypothetical or planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.facts import ELEMENT_NAMES, Assertion, Elements, Evidence, NoteKind, Procedure
from assistant.reader.spans import Target


@dataclass(frozen=True)
class ElementPolicy:
    """Which readings of a candidate span document the element."""

    assertions: frozenset[Assertion] = frozenset({"affirmed", "historical"})
    allow_planned: bool = False
    excluded_sections: frozenset[str] = frozenset()
    needs_procedure: bool = False


_DEFAULT = ElementPolicy()
_ANY_POLARITY = frozenset({"affirmed", "negated", "historical", "uncertain"})

POLICIES: dict[str, ElementPolicy] = {
    "complications": ElementPolicy(assertions=_ANY_POLARITY, needs_procedure=True),
    "post_procedure_assessment": ElementPolicy(needs_procedure=True),
    "images_saved": ElementPolicy(),
    "informed_consent": ElementPolicy(allow_planned=True),
    "prior_block_relief": ElementPolicy(assertions=_ANY_POLARITY),
    "conservative_therapy_failed": ElementPolicy(assertions=_ANY_POLARITY),
    "sedation_or_anesthesia": ElementPolicy(
        assertions=frozenset({"affirmed", "negated"}), needs_procedure=False
    ),
}


def documents(target: Target, policy: ElementPolicy) -> bool:
    """Whether one candidate span documents its element under ``policy``."""
    if target.assertion not in policy.assertions:
        return False
    if target.planned and not policy.allow_planned:
        return False
    return target.section not in policy.excluded_sections


def assemble_elements(
    text: str,
    targets: Sequence[Target],
    note_kind: NoteKind,
    procedures: Sequence[Procedure],
) -> tuple[Elements, list[Evidence]]:
    """Element flags plus the evidence for every flag that is true."""
    del text, note_kind  # reserved for rules that need the whole note
    values = dict.fromkeys(ELEMENT_NAMES, False)
    evidence: list[Evidence] = []
    for target in targets:
        if target.label != "ELEMENT" or target.value not in values:
            continue
        policy = POLICIES.get(target.value, _DEFAULT)
        if policy.needs_procedure and not procedures:
            continue
        if documents(target, policy):
            values[target.value] = True
            evidence.append(target.evidence(f"elements.{target.value}", True))
    return Elements(**values), evidence
