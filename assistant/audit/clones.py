"""Copied documentation per provider, for the mini-audit.

Payers and auditors deny and recoup cloned notes; the audit says, per provider and part of
the note, how many of the month's notes repeat an earlier note: "23% of Dr X's physical
exams in March 2026 are identical to an earlier note (7 of 30)". A section counts when it
is identical (after names, dates, numbers and sides are set aside) to the same section of
a note dated before it; a whole note when it is a near-copy of an earlier note (the clone
detector's note threshold). The flags come from the store (``clone_links``), computed when
the notes were imported; nothing here reads note text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.store.clone_repository import ScannedNote
from assistant.store.clone_tables import WHOLE_NOTE
from assistant.store.worklist import month_name

# The parts a share is given for, in report order, with their plural names.
PART_NAMES: dict[str, str] = {
    WHOLE_NOTE: "notes",
    "history_of_present_illness": "histories of present illness",
    "review_of_systems": "reviews of systems",
    "physical_exam": "physical exams",
    "observation_and_plan": "assessments and plans",
}


def part_name(part: str) -> str:
    """A part of a note in words, plural ("physical exams", "social history sections")."""
    return PART_NAMES.get(part, part.replace("_", " ") + " sections")


@dataclass(frozen=True)
class CloneShare:
    """For one provider and part of the note: the notes that have it, and how many repeat."""

    provider: str
    part: str
    notes: int
    repeated: int

    @property
    def share(self) -> float:
        """The share of the provider's notes with this part that repeat an earlier note."""
        return self.repeated / self.notes if self.notes else 0.0

    def sentence(self, month: str) -> str:
        """The finding in words, as the report prints it."""
        what = "are near-copies of" if self.part == WHOLE_NOTE else "are identical to"
        return (
            f"{100 * self.share:.0f}% of {self.provider}'s {part_name(self.part)} in "
            f"{month_name(month)} {what} an earlier note ({self.repeated} of {self.notes})."
        )


def _order(part: str) -> tuple[int, str]:
    known = list(PART_NAMES)
    return (known.index(part), part) if part in known else (len(known), part)


def clone_shares(notes: Sequence[ScannedNote]) -> list[CloneShare]:
    """Per provider and part: notes with the part, and those repeating an earlier note.

    Sorted by provider, then whole note, history, review of systems, exam, plan.
    """
    having: Counter[tuple[str, str]] = Counter()
    repeating: Counter[tuple[str, str]] = Counter()
    for note in notes:
        for part in note.units:
            having[(note.provider, part)] += 1
            if part in note.repeats:
                repeating[(note.provider, part)] += 1
    keys = sorted(having, key=lambda key: (key[0], _order(key[1])))
    return [CloneShare(p, part, having[(p, part)], repeating[(p, part)]) for p, part in keys]


def top_findings(shares: Sequence[CloneShare], limit: int = 10) -> list[CloneShare]:
    """The shares worth a sentence: some repetition, the largest share first."""
    found = sorted(
        (share for share in shares if share.repeated),
        key=lambda s: (-s.share, -s.repeated, s.provider, _order(s.part)),
    )
    return found[:limit]
