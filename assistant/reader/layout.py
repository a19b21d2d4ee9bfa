"""The layout the reader's pipeline put on a Doc, in character offsets (:class:`NoteLayout`).

Reads ``doc._.sections`` (the Sectionizer, :mod:`sectionizer`) and the modifiers of
``doc._.context_graph`` (ConText, :mod:`context_graph`) once; nothing is recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import cast

from spacy.tokens import Doc

from assistant.layout import (
    CONTEXT_CATEGORIES,
    READER_SECTIONS,
    AssertionSpan,
    ContextCategory,
    Direction,
    Label,
    NoteLayout,
    NoteSection,
    ReaderSection,
)
from assistant.reader.doc_text import doc_text

_SCOPE_ONLY = frozenset({"PSEUDO", "TERMINATE"})  # directions that modify no target
# A label at a line start followed by a colon ("COMMENTS:", "Labs:"); see NoteLayout.labels.
_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z &/,()'#-]{0,60}?)[ \t]*:", re.MULTILINE)


def _char_offsets(doc: Doc, length: int) -> tuple[Callable[[int], int], Callable[[int], int]]:
    """Token index -> character offset of its start, and of the end of the token before it."""
    n = len(doc)

    def start_of(index: int) -> int:
        return doc[index].idx if index < n else length

    def end_before(index: int) -> int:
        if index <= 0:
            return 0
        token = doc[min(index, n) - 1]
        return token.idx + len(token.text)

    return start_of, end_before


def layout_of(doc: Doc) -> NoteLayout:
    """The sections and ConText modifiers of a processed Doc.

    Sections run from their header to the next header (or the end of the note), so they
    cover the note; ConText's PSEUDO and TERMINATE modifiers, which only shape the others'
    scopes, are left out.
    """
    text = doc_text(doc)
    start_of, end_before = _char_offsets(doc, len(text))
    sections = tuple(
        NoteSection(
            category=_section_category(section.category),
            title=text[start_of(section.title_start) : start_of(section.body_start)].strip(),
            start=start_of(section.title_start),
            body_start=start_of(section.body_start),
            end=start_of(section.body_end),
        )
        for section in doc._.sections or ()
    )
    graph = getattr(doc._, "context_graph", None)
    assertions = tuple(
        AssertionSpan(
            category=cast(ContextCategory, modifier.category.upper()),
            direction=cast(Direction, modifier.direction.lower()),
            trigger_start=start_of(modifier.modifier_span[0]),
            trigger_end=end_before(modifier.modifier_span[1]),
            scope_start=start_of(modifier.scope_span[0]),
            scope_end=end_before(modifier.scope_span[1]),
        )
        for modifier in (graph.modifiers if graph is not None else ())
        if modifier.direction.upper() not in _SCOPE_ONLY
        and modifier.category.upper() in CONTEXT_CATEGORIES
        and modifier.scope_span[0] is not None
        and modifier.scope_span[0] < modifier.scope_span[1]
    )
    return NoteLayout(
        sections=sections, assertions=assertions, labels=tuple(_labels(text, sections))
    )


def _labels(text: str, sections: tuple[NoteSection, ...]) -> Iterator[Label]:
    """Every line-start ``Label:`` inside a section's body, in text order."""
    for section in sections:
        for match in _LABEL.finditer(text, section.body_start, section.end):
            yield Label(match.group(1).strip(), match.start(1), match.end())


def _section_category(category: str | None) -> ReaderSection | None:
    """The reader's category, or ``None`` for untitled text (and any category not listed)."""
    return category if category in READER_SECTIONS else None
