"""The reader's reading of a note's layout: its sections and ConText's assertion scopes.

The reader (:mod:`assistant.reader`) finds section headers with medspaCy's Sectionizer and
negation, hypothetical and other modifiers with medspaCy's ConText. :class:`NoteLayout`
keeps what they found in character offsets, detached from spaCy, so the checks engine and
the E/M rules use the same sections and the same negation as the reader's facts, without
importing the reader or running spaCy again.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

# The reader's section categories (``assistant/reader/rules/sections.json``); a test keeps
# this list equal to that file's categories.
ReaderSection = Literal[
    "allergies",
    "anesthesia",
    "complications",
    "consent",
    "diagnoses",
    "disposition",
    "family_history",
    "history_of_present_illness",
    "imaging",
    "indications",
    "medications",
    "observation_and_plan",
    "past_medical_history",
    "physical_exam",
    "procedure",
    "procedure_details",
    "review_of_systems",
    "social_history",
]
READER_SECTIONS: tuple[ReaderSection, ...] = ReaderSection.__args__  # type: ignore[attr-defined]

# ConText modifier categories that assert something of the words in their scope
# (medspaCy's default rules and the reader's own; PSEUDO and TERMINATE rules only end or
# block other modifiers' scopes and are not kept).
ContextCategory = Literal[
    "NEGATED_EXISTENCE",
    "POSSIBLE_EXISTENCE",
    "HYPOTHETICAL",
    "PLANNED",
    "HISTORICAL",
    "FAMILY",
]
CONTEXT_CATEGORIES: tuple[ContextCategory, ...] = ContextCategory.__args__  # type: ignore[attr-defined]
# Which way from its trigger a modifier reaches.
Direction = Literal["forward", "backward", "bidirectional"]


@dataclass(frozen=True)
class NoteSection:
    """A section: its header (``start``..``body_start``) and body (to ``end``).

    ``category`` is ``None`` for the text before the first header (and for the text after
    a one-field section the reader cut short); ``title`` is the header as written.
    """

    category: ReaderSection | None
    title: str
    start: int
    body_start: int
    end: int


@dataclass(frozen=True)
class Label:
    """A ``Label:`` at a line start inside a section's body that no section rule knows.

    ``text`` is the label's words (``start``..) without the colon; ``end`` is after it.
    The reader finds them once; consumers decide which open a sub-section (E/M's
    "LABS:" or "HEENT:" inside a history section).
    """

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class AssertionSpan:
    """One ConText modifier: its trigger words and the span of text it reaches."""

    category: ContextCategory
    direction: Direction
    trigger_start: int
    trigger_end: int
    scope_start: int
    scope_end: int

    def scope_overlaps(self, start: int, end: int) -> bool:
        """Whether the span ``[start, end)`` starts or ends inside this modifier's scope.

        medspaCy's test of a target against a scope (ConText also requires the target not
        to overlap the trigger; callers that quote more words than ConText's targets, such
        as "new complaints" after "no new", decide that themselves).
        """
        return _overlaps(self.scope_start, self.scope_end, start, end)

    def points_at(self, start: int, end: int, left: int, right: int) -> bool:
        """Whether the trigger points at ``[start, end)`` from inside ``[left, right)``.

        A forward trigger must lie before the span (from ``left``), a backward one after it
        (up to ``right``); as in ConText, a trigger sharing characters with the span does not
        point at it.
        """
        before = left <= self.trigger_start and self.trigger_end <= start
        after = end <= self.trigger_start and self.trigger_end <= right
        return (before and self.direction != "backward") or (after and self.direction != "forward")


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Whether ``b`` starts or ends inside ``a`` (medspaCy's ``tuple_overlaps``)."""
    return a0 <= b0 < a1 or a0 < b1 <= a1


@dataclass(frozen=True)
class NoteLayout:
    """Sections (in text order, covering the note), their labels and ConText modifiers."""

    sections: tuple[NoteSection, ...] = ()
    assertions: tuple[AssertionSpan, ...] = ()
    labels: tuple[Label, ...] = ()  # in text order
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _by_scope: tuple[AssertionSpan, ...] = field(init=False, repr=False, compare=False)
    _scope_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _widest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_scope = tuple(sorted(self.assertions, key=lambda a: (a.scope_start, a.scope_end)))
        widest = max((a.scope_end - a.scope_start for a in by_scope), default=0)
        object.__setattr__(self, "_starts", tuple(s.start for s in self.sections))
        object.__setattr__(self, "_by_scope", by_scope)
        object.__setattr__(self, "_scope_starts", tuple(a.scope_start for a in by_scope))
        object.__setattr__(self, "_widest", widest)

    def section_at(self, pos: int) -> NoteSection | None:
        """The section holding character ``pos`` (``None`` outside every section)."""
        index = bisect_right(self._starts, pos) - 1
        if index < 0:
            return None
        section = self.sections[index]
        return section if pos < section.end else None

    def assertions_over(self, start: int, end: int) -> list[AssertionSpan]:
        """The ConText modifiers whose scope holds the start or end of ``[start, end)``."""
        found: list[AssertionSpan] = []
        last = bisect_right(self._scope_starts, end)
        for index in range(last - 1, -1, -1):
            modifier = self._by_scope[index]
            if modifier.scope_start + self._widest < start:
                break
            if modifier.scope_overlaps(start, end):
                found.append(modifier)
        return found

    def modifiers_at(self, start: int, end: int, left: int, right: int) -> list[AssertionSpan]:
        """The ConText modifiers that assert something of ``[start, end)``.

        Those whose scope reaches the span and whose trigger points at it from the window
        ``[left, right)`` around it (:meth:`AssertionSpan.points_at`): the span's clause or
        sentence. ConText's sentence-wide scope alone would let "Denies side effects, will
        continue oxycodone" negate the prescription. E/M cues and checklist detectors both
        read the reader's negation through this one test.
        """
        return [m for m in self.assertions_over(start, end) if m.points_at(start, end, left, right)]
