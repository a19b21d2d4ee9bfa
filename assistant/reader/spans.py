"""What a target span means once ConText and the sectionizer have run.

Pure helpers that turn a spaCy ``Span`` into the pieces of an :class:`Evidence`:
its assertion, the trigger that set it, and the section its first token lies in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from medspacy.context.context_modifier import ConTextModifier
from medspacy.section_detection import Section
from spacy.tokens import Doc

from assistant.facts import Assertion, Evidence
from assistant.reader.doc_text import doc_text
from assistant.reader.sectionizer import section_lookup
from assistant.reader.targets import SPAN_KEY

# Which ConText category wins when several modify one span (most specific first).
_PRECEDENCE: tuple[tuple[str, Assertion], ...] = (
    ("FAMILY", "family"),
    ("NEGATED_EXISTENCE", "negated"),
    ("PLANNED", "hypothetical"),
    ("HYPOTHETICAL", "hypothetical"),
    ("HISTORICAL", "historical"),
    ("POSSIBLE_EXISTENCE", "uncertain"),
)


@dataclass(frozen=True)
class Target:
    """One target span with its reading context, detached from spaCy internals."""

    label: str
    value: str
    rule: str
    start: int  # character offsets into the original note
    end: int
    text: str
    section: str | None
    assertion: Assertion
    planned: bool
    trigger: str | None
    sent_start: int
    sent_end: int

    def evidence(self, field: str, value: str | bool | None = None) -> Evidence:
        """Evidence record for ``field`` supported by this span."""
        return Evidence(
            field=field,
            value=self.value if value is None else value,
            start=self.start,
            end=self.end,
            text=self.text,
            section=self.section,
            assertion=self.assertion,
            trigger=self.trigger,
            rule=self.rule,
        )


def modifiers_by_offsets(doc: Doc) -> dict[tuple[int, int], tuple[ConTextModifier, ...]]:
    """What ``span._.modifiers`` holds for each modified target, keyed by character offsets.

    ConText appends each edge's modifier to its target's ``_.modifiers`` in edge order, and
    spaCy keys span extensions by character offsets; replaying the edges once is cheaper
    than building an ``Underscore`` for every target span.
    """
    found: dict[tuple[int, int], tuple[ConTextModifier, ...]] = {}
    graph = getattr(doc._, "context_graph", None)
    for target, modifier in graph.edges if graph is not None else ():
        key = (target.start_char, target.end_char)
        found[key] = (*found.get(key, ()), modifier)
    return found


def assertion_of(
    doc: Doc, modifiers: Iterable[ConTextModifier]
) -> tuple[Assertion, bool, str | None]:
    """(assertion, planned?, trigger text) from the ConText modifiers of a span of ``doc``."""
    categories: dict[str, str] = {}
    for modifier in modifiers:
        category = modifier.category.upper()
        if category not in categories:
            start, end = modifier.modifier_span
            categories[category] = doc[start:end].text
    planned = "PLANNED" in categories
    for category, assertion in _PRECEDENCE:
        if category in categories:
            return assertion, planned, categories[category]
    return "affirmed", planned, None


def section_name(section: Section | None) -> str | None:
    """Category of a section (``None`` for no section or the text before any header)."""
    category = None if section is None else section.category
    return None if category is None else str(category)


def sentence_bounds(doc: Doc) -> tuple[list[int], list[tuple[int, int]]]:
    """First token index and character bounds of every sentence, in order.

    ``Span.sent`` walks the tokens to both sentence ends on each call, which is quadratic
    in a note with few boundaries; one pass over ``doc.sents`` is linear.
    """
    firsts: list[int] = []
    chars: list[tuple[int, int]] = []
    for sent in doc.sents:
        firsts.append(sent.start)
        chars.append((sent.start_char, sent.end_char))
    return firsts, chars


def iter_targets(doc: Doc) -> Iterator[Target]:
    """Every target span of ``doc`` in text order, with assertion and section."""
    firsts, chars = sentence_bounds(doc)
    text = doc_text(doc)  # slicing it is cheaper than Span.text, which joins tokens
    section_at = section_lookup(doc)  # what span[0]._.section answers, without the objects
    modified = modifiers_by_offsets(doc)  # what span._.modifiers answers, likewise
    for span in doc.spans[SPAN_KEY]:
        start, end = span.start_char, span.end_char
        # a forward cue inside the span ("into the epidural space without vascular uptake,
        # and I then injected") speaks of the words after it, not of the span's head; a
        # backward one ("ablation is not indicated") still speaks of what precedes it
        outside = [
            m
            for m in modified.get((start, end), ())
            if not (
                m.direction == "FORWARD"
                and span.start < m.modifier_span[0]
                and m.modifier_span[1] <= span.end
            )
        ]
        assertion, planned, trigger = assertion_of(doc, outside)
        sent_start, sent_end = chars[bisect_right(firsts, span.start) - 1]
        yield Target(
            label=span.label_,
            value=span.kb_id_,
            rule=span.id_,
            start=start,
            end=end,
            text=text[start:end],
            section=section_name(section_at(span.start)),
            assertion=assertion,
            planned=planned,
            trigger=trigger,
            sent_start=sent_start,
            sent_end=sent_end,
        )
