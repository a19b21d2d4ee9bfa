"""Classify a note as procedure, office visit, consult or other."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.facts import Evidence, NoteKind, Procedure
from assistant.reader.spans import Target


def classify_note_kind(
    text: str, targets: Sequence[Target], procedures: Sequence[Procedure]
) -> tuple[NoteKind, list[Evidence]]:
    """The note kind from KIND cue spans, with performed procedures taking precedence."""
    del text
    cues = [t for t in targets if t.label == "KIND" and t.assertion == "affirmed"]
    if procedures:
        return "procedure", []
    if not cues:
        return "other", []
    votes = Counter(t.value for t in cues)
    kind = votes.most_common(1)[0][0]
    if kind not in ("procedure", "office_visit", "consult", "other"):
        return "other", []
    chosen: NoteKind = kind  # type: ignore[assignment]
    return chosen, [t.evidence("note_kind", kind) for t in cues if t.value == kind][:3]
