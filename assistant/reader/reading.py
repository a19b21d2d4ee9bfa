"""One reading of a note: its text, target spans and sentences, detached from spaCy.

Everything after the spaCy pipeline (the assemblers, the learned layer) works on a
:class:`NoteReading`, so they share one pass over the Doc and can be tested and trained
without building Docs again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from assistant.reader.doc_text import doc_text
from assistant.reader.sectionizer import section_lookup
from assistant.reader.spans import Target, iter_targets, section_name


@dataclass(frozen=True)
class Sentence:
    """A sentence's character span and the section it starts in (``None``: no header)."""

    start: int
    end: int
    section: str | None


@dataclass(frozen=True)
class NoteReading:
    """What the spaCy pipeline found in a note, in text order."""

    text: str
    targets: tuple[Target, ...]
    sentences: tuple[Sentence, ...]

    def sentence_text(self, sentence: Sentence) -> str:
        return self.text[sentence.start : sentence.end]


# An unticked template option: "Side: [x] Right  [ ] Left" documents only "Right", and
# "Plan: [x] LSB  [ ] Repeat ESI PRN" plans no epidural (up to two words before the span).
_UNTICKED = re.compile(r"(?:\[\s?\]|\(\s?\)|\u2610)[ \t]*(?:[\w/-]+[ \t]+){0,2}$")


def unticked(text: str, start: int) -> bool:
    """Whether the words at ``start`` follow an empty checkbox on their line."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_UNTICKED.search(text, max(line_start, start - 40), start))


def reading_of(doc: Doc) -> NoteReading:
    """The reading of a processed Doc (targets with assertions, sentences with sections).

    Spans that follow an empty checkbox are left out: an unticked option documents nothing.
    """
    section_at = section_lookup(doc)
    sentences = tuple(
        Sentence(sent.start_char, sent.end_char, section_name(section_at(sent.start)))
        for sent in doc.sents
    )
    text = doc_text(doc)
    targets = tuple(t for t in iter_targets(doc) if not unticked(text, t.start))
    return NoteReading(text, targets, sentences)
