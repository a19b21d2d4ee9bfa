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
  around "complications", or record-review time around "45 minutes"; ``denials`` are vetoes
  that state the element is absent ("images were not saved"), which the learned layer obeys
  as well;
- ``needs_procedure``: statements that only make sense about a procedure done in this note.

Helper cues have values ``cue.*`` and are never elements themselves.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from assistant.facts import ELEMENT_NAMES, Assertion, Elements, Evidence, NoteKind, Procedure
from assistant.reader.section_groups import BACKGROUND_SECTIONS
from assistant.reader.spans import Target

_AFFIRMED = frozenset[Assertion]({"affirmed", "historical"})
_ANY_POLARITY = frozenset[Assertion]({"affirmed", "negated", "historical", "uncertain"})
_NOT_NEGATED = frozenset[Assertion]({"affirmed", "historical", "uncertain", "hypothetical"})
_CUE_ASSERTIONS = frozenset[Assertion]({"affirmed", "historical", "uncertain"})
_PLAN_SECTIONS = frozenset({"observation_and_plan", "disposition"})
_PROCEDURE_SECTIONS = frozenset({"procedure_details", "procedure", "complications", "disposition"})
_TODAY_SECTIONS = _PROCEDURE_SECTIONS | frozenset({"consent", "anesthesia", "medications"})
_NOT_HISTORY_SECTIONS = _TODAY_SECTIONS | frozenset({"allergies", "family_history"})
# Where a statement is about the past or the patient's background, not today's procedure.
_BACKGROUND_SECTIONS = BACKGROUND_SECTIONS


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
    denials: tuple[str, ...] = ()  # cues saying the element is absent: vetoes a head obeys too
    lookback: bool = False  # ``requires`` cues may also sit in the sentence just before
    lookahead: bool = False  # ... or in the sentence just after ("PT, NSAIDs. No relief.")


_DEFAULT = ElementPolicy()

POLICIES: dict[str, ElementPolicy] = {
    "informed_consent": ElementPolicy(
        assertions=_NOT_NEGATED | {"family"},
        allow_planned=True,
        vetoes=("cue.consent_not_yet",),
    ),
    "conservative_therapy": ElementPolicy(
        excluded_sections=_PLAN_SECTIONS | _NOT_HISTORY_SECTIONS,
        vetoes=("cue.injected", "cue.not_therapy"),
    ),
    "conservative_therapy_duration": ElementPolicy(
        excluded_sections=_PLAN_SECTIONS | _NOT_HISTORY_SECTIONS,
        vetoes=("cue.not_therapy",),
        anchors=("conservative_therapy",),
        requires=("cue.duration",),
    ),
    "conservative_therapy_failed": ElementPolicy(
        assertions=_CUE_ASSERTIONS,
        excluded_sections=_NOT_HISTORY_SECTIONS,
        vetoes=("cue.not_therapy",),
        anchors=("conservative_therapy",),
        requires=("cue.failure",),
        lookahead=True,
    ),
    "imaging_findings": ElementPolicy(
        excluded_sections=_PLAN_SECTIONS,
        anchors=("cue.imaging",),
        requires=("cue.finding",),
        vetoes=("cue.intraprocedural",),
    ),
    "prior_block_relief": ElementPolicy(
        assertions=_ANY_POLARITY,
        excluded_sections=_PLAN_SECTIONS | _PROCEDURE_SECTIONS,
        anchors=("cue.relief",),
        requires=("cue.injection",),
        vetoes=("cue.injected", "cue.post_procedure"),
        lookback=True,
    ),
    "complications": ElementPolicy(
        assertions=frozenset({"affirmed", "negated", "uncertain"}),
        excluded_sections=_BACKGROUND_SECTIONS,
        needs_procedure=True,
        vetoes=("cue.risk_discussion",),
    ),
    "post_procedure_assessment": ElementPolicy(
        excluded_sections=_BACKGROUND_SECTIONS, needs_procedure=True
    ),
    "sedation_or_anesthesia": ElementPolicy(
        assertions=frozenset({"affirmed", "negated"}),
        excluded_sections=_BACKGROUND_SECTIONS,
        needs_procedure=True,
    ),
    "medication_dose": ElementPolicy(
        assertions=_ANY_POLARITY, excluded_sections=_BACKGROUND_SECTIONS, needs_procedure=True
    ),
    "exam_documented": ElementPolicy(assertions=_ANY_POLARITY),
    "diagnosis_stated": ElementPolicy(assertions=_ANY_POLARITY),
    "total_time": ElementPolicy(vetoes=("cue.not_visit_time",)),
    "images_saved": ElementPolicy(denials=("cue.images_not_saved",)),
}


def denials(name: str) -> tuple[str, ...]:
    """The cues that say element ``name`` is absent ("images not saved") in their sentence."""
    return POLICIES.get(name, _DEFAULT).denials


def reading(target: Target) -> Assertion:
    """The assertion of a span, ignoring a trigger that is part of the matched phrase.

    A rule that matches "did not help" or "unable to walk" already accounts for its own
    negation word, so ConText's reading of that word must not flip the span.
    """
    trigger = (target.trigger or "").lower()
    if trigger and trigger in target.text.lower():
        return "affirmed"
    return target.assertion


def documents(target: Target, policy: ElementPolicy) -> bool:
    """Whether one candidate span documents its element under ``policy`` (sentence aside)."""
    if reading(target) not in policy.assertions:
        return False
    if target.planned and not policy.allow_planned:
        return False
    return target.section not in policy.excluded_sections


def usable_cue(target: Target) -> bool:
    """A helper cue counts when it is stated, not negated, planned or hypothetical."""
    return reading(target) in _CUE_ASSERTIONS and not target.planned


def cues_by_sentence(targets: Sequence[Target]) -> dict[int, set[str]]:
    """Values of the usable ELEMENT spans in each sentence (keyed by sentence start)."""
    found: dict[int, set[str]] = defaultdict(set)
    for target in targets:
        if target.label == "ELEMENT" and usable_cue(target):
            found[target.sent_start].add(target.value)
    return found


def previous_sentences(text: str, targets: Sequence[Target]) -> dict[int, int]:
    """Map each sentence start to the start of the sentence right before it.

    Only sentences holding a target are known; two are adjacent when nothing but
    whitespace separates them, so a sentence without cues is never skipped over.
    """
    bounds = sorted({(t.sent_start, t.sent_end) for t in targets})
    previous: dict[int, int] = {}
    for (start, end), (next_start, _) in pairwise(bounds):
        if end <= next_start and not text[end:next_start].strip():
            previous[next_start] = start
    return previous


def procedure_performed(note_kind: NoteKind, procedures: Sequence[Procedure]) -> bool:
    """Whether the note documents a procedure done today (gates procedure-only elements)."""
    return bool(procedures) or note_kind == "procedure"


def decide_element(
    name: str,
    targets: Sequence[Target],
    sentence_cues: Mapping[int, set[str]],
    performed: bool,
    previous: Mapping[int, int] | None = None,
) -> list[Target]:
    """The spans that document element ``name``; empty when it is not documented.

    ``previous`` (from :func:`previous_sentences`) serves policies with ``lookback``.
    """
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
        if any(veto in cues for veto in (*policy.vetoes, *policy.denials)):
            continue
        if not direct and not _has_required(target, policy, sentence_cues, previous or {}):
            continue
        chosen.append(target)
    return chosen


def _has_required(
    target: Target,
    policy: ElementPolicy,
    sentence_cues: Mapping[int, set[str]],
    previous: Mapping[int, int],
) -> bool:
    cues = set(sentence_cues.get(target.sent_start, set()))
    if policy.lookback and target.sent_start in previous:
        cues |= sentence_cues.get(previous[target.sent_start], set())
    if policy.lookahead:
        following = {before: after for after, before in previous.items()}
        if target.sent_start in following:
            cues |= sentence_cues.get(following[target.sent_start], set())
    return all(need in cues for need in policy.requires)


# What separates a template field's label from its value: "PDMP: ***", and the label's last
# words after the span ("Post-injection pain score: ***").
_FIELD_SEPARATOR = re.compile(r"(?:[ \t]+[A-Za-z-]{1,15}){0,3}[ \t]*:[ \t]*")


def blank_field(text: str, target: Target, blanks: Collection[int]) -> bool:
    """Whether the span labels a template field left as its placeholder ("UDS: ___").

    ``blanks`` are the starts of the note's PLACEHOLDER spans (stars, underscores, "[ ]").
    """
    separator = _FIELD_SEPARATOR.match(text, target.end)
    return separator is not None and separator.end() in blanks


def assemble_elements(
    text: str,
    targets: Sequence[Target],
    note_kind: NoteKind,
    procedures: Sequence[Procedure],
) -> tuple[Elements, list[Evidence]]:
    """Element flags plus the evidence for every flag that is true."""
    performed = procedure_performed(note_kind, procedures)
    blanks = {t.start for t in targets if t.label == "PLACEHOLDER"}
    targets = [t for t in targets if not blank_field(text, t, blanks)]
    sentence_cues = cues_by_sentence(targets)
    previous = previous_sentences(text, targets)
    values = dict.fromkeys(ELEMENT_NAMES, False)
    evidence: list[Evidence] = []
    for name in ELEMENT_NAMES:
        spans = decide_element(name, targets, sentence_cues, performed, previous)
        values[name] = bool(spans)
        evidence.extend(span.evidence(f"elements.{name}", True) for span in spans)
    return Elements(**values), evidence
