"""Classify a note as procedure, office visit, consult or other.

A note is a *procedure* note when a procedure performed today is documented in its
procedure zone (title or procedure sections). Otherwise, cue phrases vote: follow-up
language makes an office visit, referral/consultation language a consult, emergency or
admission language "other". An evaluation note (history, exam, assessment) with no cue
is a consult: a new evaluation is the more common reading of a stand-alone evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.facts import Evidence, NoteKind, Procedure
from assistant.reader.spans import Target

EVALUATION_SECTIONS = frozenset(
    {"history_of_present_illness", "physical_exam", "past_medical_history", "review_of_systems"}
)
_PRIORITY: tuple[NoteKind, ...] = ("office_visit", "consult", "other")


def classify_note_kind(
    targets: Sequence[Target], procedures: Sequence[Procedure], procedure_in_zone: bool
) -> tuple[NoteKind, list[Evidence]]:
    """The note kind and the cue spans that decided it."""
    sections = {t.section for t in targets}
    evaluation = bool(sections & EVALUATION_SECTIONS)
    if procedures and (procedure_in_zone or not evaluation):
        return "procedure", []
    cues = [t for t in targets if t.label == "KIND" and t.assertion == "affirmed" and not t.planned]
    # Cues early in the note (title, opening lines) say what the note is.
    votes: dict[str, float] = {}
    for cue in cues:
        votes[cue.value] = votes.get(cue.value, 0.0) + (2.0 if cue.start < 400 else 1.0)
    if votes:
        best = max(_PRIORITY, key=lambda kind: (votes.get(kind, 0.0), -_PRIORITY.index(kind)))
        if votes.get(best, 0.0) > 0:
            return best, [c.evidence("note_kind", best) for c in cues if c.value == best][:3]
    if evaluation or procedures:
        return ("office_visit" if procedures else "consult"), []
    return "other", []
