"""What a target span means once ConText and the sectionizer have run.

Pure helpers that turn a spaCy ``Span`` into the pieces of an :class:`Evidence`:
its assertion, the trigger that set it, and the section it lies in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from assistant.facts import Assertion, Evidence
from assistant.reader.doc_text import doc_text
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


def assertion_of(span: Span) -> tuple[Assertion, bool, str | None]:
    """(assertion, planned?, trigger text) from the ConText modifiers of ``span``."""
    categories: dict[str, str] = {}
    for modifier in getattr(span._, "modifiers", ()) or ():
        category = modifier.category.upper()
        if category not in categories:
            start, end = modifier.modifier_span
            categories[category] = span.doc[start:end].text
    planned = "PLANNED" in categories
    for category, assertion in _PRECEDENCE:
        if category in categories:
            return assertion, planned, categories[category]
    return "affirmed", planned, None


def section_of(span: Span) -> str | None:
    """Section category of the first token of ``span`` (``None`` before any header)."""
    section = span[0]._.section
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
    for span in doc.spans[SPAN_KEY]:
        assertion, planned, trigger = assertion_of(span)
        sent_start, sent_end = chars[bisect_right(firsts, span.start) - 1]
        start, end = span.start_char, span.end_char
        yield Target(
            label=span.label_,
            value=span.kb_id_,
            rule=span.id_,
            start=start,
            end=end,
            text=text[start:end],
            section=section_of(span),
            assertion=assertion,
            planned=planned,
            trigger=trigger,
            sent_start=sent_start,
            sent_end=sent_end,
        )
