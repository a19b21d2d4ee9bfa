"""How the worklist names clone flags: parts of a note, and a match in one line."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.store.clone_repository import CloneMatchView
from assistant.store.clone_tables import WHOLE_NOTE

PART_LABELS = {
    WHOLE_NOTE: "whole note",
    "history_of_present_illness": "history of present illness",
    "review_of_systems": "review of systems",
    "physical_exam": "physical exam",
    "observation_and_plan": "assessment and plan",
}


def part_label(part: str) -> str:
    """A part of a note in words ("physical exam")."""
    return PART_LABELS.get(part, part.replace("_", " "))


def when_label(match: CloneMatchView) -> str:
    """Whether the match was written before this note, after it, or the date is unknown."""
    if match.earlier is None:
        return "date unknown"
    return "earlier note" if match.earlier else "same day or later note"


def match_line(match: CloneMatchView) -> str:
    """One match in words: "w-3 (earlier note): 96% alike; identical: physical exam"."""
    line = f"{match.note_id} ({when_label(match)}): {100 * match.similarity:.0f}% alike"
    if match.identical_sections:
        line += "; identical: " + ", ".join(part_label(p) for p in match.identical_sections)
    return line


def matches_brief(matches: Sequence[CloneMatchView]) -> str:
    """A list cell's summary: the closest match, and how many more there are."""
    if not matches:
        return ""
    more = len(matches) - 1
    return "Matches " + match_line(matches[0]) + (f"; and {more} more" if more else "")


def copied_passage(match: CloneMatchView, text: str, limit: int = 240) -> str:
    """The longest passage of ``text`` (this note) that the match repeats, shortened."""
    spans = [(int(e["start"]), int(e["end"])) for e in match.evidence]
    if not spans:
        return ""
    start, end = max(spans, key=lambda span: span[1] - span[0])
    passage = " ".join(text[start:end].split())
    return passage if len(passage) <= limit else passage[: limit - 1].rstrip() + "…"
