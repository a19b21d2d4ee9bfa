"""Which notes a checklist applies to, and which procedures of a note it checks.

Pure over the note's facts and its detector hits. A ``detected`` scope lets a checklist own
a service the reader's closed family list has no name for (peripheral nerve stimulation,
basivertebral ablation, stimulator revision or programming): its detectors find the
service in the note, and ``unless_detected`` keeps the family's general checklist off it.
"""

from __future__ import annotations

from assistant.checks.detectors import Detections
from assistant.checks.schema import Scope
from assistant.facts import NoteFacts, Procedure

Target = tuple[int | None, Procedure | None]


def _in_families(scope: Scope, family: str) -> bool:
    return scope.families == "any" or family in scope.families


def _any_hit(detections: Detections, detector_ids: list[str]) -> bool:
    return any(detections.hits(detector_id) for detector_id in detector_ids)


def _signals(scope: Scope, detections: Detections) -> bool:
    """At least ``detectors_needed`` of the scope's detectors match (none listed: never)."""
    found = sum(1 for detector_id in scope.detectors if detections.hits(detector_id))
    return bool(scope.detectors) and found >= scope.detectors_needed


def scope_fits(scope: Scope, facts: NoteFacts, detections: Detections) -> bool:
    """Whether a checklist with this scope applies to the note."""
    if scope.note_kinds is not None and facts.note_kind not in scope.note_kinds:
        return False
    if _any_hit(detections, scope.unless_detected):
        return False
    performed = [proc.family for proc in facts.procedures]
    if scope.mode == "unrecognised":
        return not performed and (
            facts.note_kind == "procedure"
            or (facts.note_kind == "other" and _signals(scope, detections))
        )
    if scope.mode == "planned":
        planned = facts.planned_procedures
        return not performed and any(_in_families(scope, family) for family in planned)
    if scope.detectors and not _any_hit(detections, scope.detectors):
        return False
    return scope.mode == "detected" or any(_in_families(scope, f) for f in performed)


def scope_targets(scope: Scope, facts: NoteFacts) -> list[Target]:
    """What each element is checked against: the fitting procedures, or the note as a whole.

    Planned and unrecognised-mode checklists check the note once; ``detected`` ones check
    the note once when the reader found no procedure of their families.
    """
    if scope.mode in ("planned", "unrecognised"):
        return [(None, None)]
    targets: list[Target] = [
        (index, proc)
        for index, proc in enumerate(facts.procedures)
        if _in_families(scope, proc.family)
    ]
    if not targets and scope.mode == "detected":
        return [(None, None)]
    return targets
