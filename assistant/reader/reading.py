"""One reading of a note: its text, target spans and sentences, detached from spaCy.

Everything after the spaCy pipeline (the assemblers, the learned layer) works on a
:class:`NoteReading`, so they share one pass over the Doc and can be tested and trained
without building Docs again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
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

    def ticked_text(self) -> str:
        """The note with every empty checkbox's option blanked out (same offsets).

        "Images: [ ] Saved  [x] N/A" says nothing about saved images: a learned head reads
        what the boxes say, as the rules do.
        """
        chars = list(self.text)
        for start, end in unticked_options(self.text):
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def sentences_naming(self, value: str) -> list[int]:
        """Indices of sentences holding an ELEMENT span of ``value`` (rule cues for it)."""
        starts = {t.sent_start for t in self.targets if t.label == "ELEMENT" and t.value == value}
        return [i for i, sentence in enumerate(self.sentences) if sentence.start in starts]

    def blank_sentences(self) -> list[int]:
        """Indices of sentences that are a template left blank ("Images saved: [ ]").

        A sentence holding an empty box or a field left as its placeholder (a PLACEHOLDER
        span right after a label's colon; a bullet's star is neither) and no ticked box
        documents nothing (dev-gold conventions).
        """
        blanks = [
            t.start
            for t in self.targets
            if t.label == "PLACEHOLDER"
            and (
                _EMPTY_BOX.match(t.text)
                or _FIELD_END.search(self.text, max(0, t.start - 8), t.start)
            )
        ]
        return [
            index
            for index, sentence in enumerate(self.sentences)
            if any(sentence.start <= start < sentence.end for start in blanks)
            and not _TICKED_BOX.search(self.text, sentence.start, sentence.end)
        ]


# An empty checkbox's option documents nothing: "Side: [x] Right  [ ] Left" says "Right", and
# "Plan: [x] LSB  [ ] Repeat third occipital RF neurotomy" plans no neurotomy: an option runs
# from its box to the next box, the line's end, a gap or dash before another field, or its label.
_BOX = re.compile(r"\[\s?[xX✓✔]?\s?\]|\(\s?[xX✓✔]?\s?\)|[\u2610\u2611\u2612]")
# a line's end, a gap between fields, a dash between fields, or the next field's label
_OPTION_END = re.compile(
    r"\n|(?<=\S)(?:[ ]{2,}|\t|[ ][-\u2013|][ ])|(?<=\s)[A-Z][A-Za-z()/ ]{0,24}:"
)
_EMPTY_BOX = re.compile(r"\[\s?\]|\(\s?\)|\u2610")
_TICKED_BOX = re.compile(r"\[\s?[xX✓✔]\s?\]|\(\s?[xX✓✔]\s?\)|[\u2611\u2612]")
# A field label's colon right before a placeholder: "Exam: ***".
_FIELD_END = re.compile(r":[ \t]*\Z")


def unticked_options(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every option of an empty checkbox, to the next box or field gap."""
    out: list[tuple[int, int]] = []
    boxes = list(_BOX.finditer(text))
    for index, box in enumerate(boxes):
        if _EMPTY_BOX.fullmatch(box.group()) is None:
            continue
        end = boxes[index + 1].start() if index + 1 < len(boxes) else len(text)
        option = end - len(text[box.end() : end].lstrip(" \t"))  # its first word
        gap = _OPTION_END.search(text, option, end)
        out.append((box.end(), end if gap is None else gap.start()))
    return out


def _outside(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a position lies in none of ``spans`` (sorted, disjoint)."""
    starts = [start for start, _ in spans]

    def outside(pos: int) -> bool:
        index = bisect_right(starts, pos) - 1
        return index < 0 or pos >= spans[index][1]

    return outside


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
    documented = _outside(unticked_options(text))
    targets = tuple(t for t in iter_targets(doc) if documented(t.start))
    return NoteReading(text, targets, sentences)
