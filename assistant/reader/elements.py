"""Decide the 18 documentation elements from ELEMENT target spans.

A rule match (``rules/elements.targets.yaml``) is a candidate; whether it documents the
element depends on its assertion (ConText), its section, the other cues in its sentence
and whether a procedure was performed. The policy below says, per element:

- which assertions count: a complications statement counts even when negated
  ("Complications: none"), prior conservative care counts when historical, nothing counts
  when hypothetical or planned (except consent, which is obtained *for* what is planned);
- ``anchors`` + ``requires``: an element that needs two cues in one sentence, e.g.
  conservative therapy (anchor) + a failure cue ("no relief with 8 weeks of PT");
- ``vetoes``: cues that cancel a candidate in the same sentence, e.g. a risk discussion
  around "complications", or record-review time around "45 minutes";
- ``needs_procedure``: statements that only make sense about a procedure done in this note.

Helper cues have values ``cue.*`` and are never elements themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.facts import ELEMENT_NAMES, Assertion, Elements, Evidence, NoteKind, Procedure
from assistant.reader.spans import Target

_AFFIRMED = frozenset[Assertion]({"affirmed", "historical"})
_ANY_POLARITY = frozenset[Assertion]({"affirmed", "negated", "historical", "uncertain"})
_NOT_NEGATED = frozenset[Assertion]({"affirmed", "historical", "uncertain", "hypothetical"})
_CUE_ASSERTIONS = frozenset[Assertion]({"affirmed", "historical", "uncertain"})
_PLAN_SECTIONS = frozenset({"observation_and_plan", "disposition"})
_PROCEDURE_SECTIONS = frozenset({"procedure_details", "procedure", "complications", "disposition"})


@dataclass(frozen=True)
class ElementPolicy:
    """Which candidate spans document one element."""

    assertions: frozenset[Assertion] = _AFFIRMED
    allow_planned: bool = False
    excluded_sections: frozenset[str] = frozenset()
    needs_procedure: bool = False
    anchors: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    vetoes: tuple[str, ...] = ()


_DEFAULT = ElementPolicy()

POLICIES: dict[str, ElementPolicy] = {
    "informed_consent": ElementPolicy(assertions=_NOT_NEGATED, allow_planned=True),
    "conservative_therapy": ElementPolicy(excluded_sections=_PLAN_SECTIONS),
    "conservative_therapy_duration": ElementPolicy(
        excluded_sections=_PLAN_SECTIONS,
        anchors=("conservative_therapy",),
        requires=("cue.duration",),
    ),
    "conservative_therapy_failed": ElementPolicy(
        assertions=_ANY_POLARITY,
        excluded_sections=_PLAN_SECTIONS,
        anchors=("conservative_therapy",),
        requires=("cue.failure",),
    ),
    "imaging_findings": ElementPolicy(
        excluded_sections=_PLAN_SECTIONS | _PROCEDURE_SECTIONS,
        anchors=("cue.imaging",),
        requires=("cue.finding",),
    ),
    "prior_block_relief": ElementPolicy(
        assertions=_ANY_POLARITY,
        excluded_sections=_PLAN_SECTIONS | _PROCEDURE_SECTIONS,
        anchors=("cue.injection",),
        requires=("cue.relief",),
    ),
    "complications": ElementPolicy(
        assertions=frozenset({"affirmed", "negated", "uncertain"}),
        needs_procedure=True,
        vetoes=("cue.risk_discussion",),
    ),
    "post_procedure_assessment": ElementPolicy(needs_procedure=True),
    "sedation_or_anesthesia": ElementPolicy(
        assertions=frozenset({"affirmed", "negated"}), needs_procedure=True
    ),
    "medication_dose": ElementPolicy(excluded_sections=frozenset({"medications"})),
    "exam_documented": ElementPolicy(assertions=_ANY_POLARITY),
    "diagnosis_stated": ElementPolicy(assertions=_ANY_POLARITY),
    "total_time": ElementPolicy(vetoes=("cue.not_visit_time",)),
}


def documents(target: Target, policy: ElementPolicy) -> bool:
    """Whether one candidate span documents its element under ``policy`` (sentence aside)."""
    if target.assertion not in policy.assertions:
        return False
    if target.planned and not policy.allow_planned:
        return False
    return target.section not in policy.excluded_sections


def usable_cue(target: Target) -> bool:
    """A helper cue counts when it is stated, not negated, planned or hypothetical."""
    return target.assertion in _CUE_ASSERTIONS and not target.planned


def cues_by_sentence(targets: Sequence[Target]) -> dict[int, set[str]]:
    """Values of the usable ELEMENT spans in each sentence (keyed by sentence start)."""
    found: dict[int, set[str]] = defaultdict(set)
    for target in targets:
        if target.label == "ELEMENT" and usable_cue(target):
            found[target.sent_start].add(target.value)
    return found


def procedure_performed(note_kind: NoteKind, procedures: Sequence[Procedure]) -> bool:
    """Whether the note documents a procedure done today (gates procedure-only elements)."""
    return bool(procedures) or note_kind == "procedure"


def decide_element(
    name: str,
    targets: Sequence[Target],
    sentence_cues: Mapping[int, set[str]],
    performed: bool,
) -> list[Target]:
    """The spans that document element ``name``; empty when it is not documented."""
    policy = POLICIES.get(name, _DEFAULT)
    if policy.needs_procedure and not performed:
        return []
    chosen: list[Target] = []
    for target in targets:
        if target.label != "ELEMENT":
            continue
        direct = target.value == name
        if not direct and target.value not in policy.anchors:
            continue
        if not documents(target, policy):
            continue
        cues = sentence_cues.get(target.sent_start, set())
        if any(veto in cues for veto in policy.vetoes):
            continue
        if not direct and not all(need in cues for need in policy.requires):
            continue
        chosen.append(target)
    return chosen


def assemble_elements(
    text: str,
    targets: Sequence[Target],
    note_kind: NoteKind,
    procedures: Sequence[Procedure],
) -> tuple[Elements, list[Evidence]]:
    """Element flags plus the evidence for every flag that is true."""
    del text  # reserved for rules that need the whole note
    performed = procedure_performed(note_kind, procedures)
    sentence_cues = cues_by_sentence(targets)
    values = dict.fromkeys(ELEMENT_NAMES, False)
    evidence: list[Evidence] = []
    for name in ELEMENT_NAMES:
        spans = decide_element(name, targets, sentence_cues, performed)
        values[name] = bool(spans)
        evidence.extend(span.evidence(f"elements.{name}", True) for span in spans)
    return Elements(**values), evidence
