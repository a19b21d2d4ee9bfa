"""A note as clone detection sees it: normalised words with offsets, sections, shingles.

Words keep their character offsets into the original note (evidence is never given in a
normalised copy). Numbers and dates, month names, sides and names after an honorific or a
``Patient:`` label become placeholders, so copies made for another patient, day or side
shingle the same. Sections are found by the reader's own section rules
(``assistant/reader/rules/sections.json``, same categories) matched on header lines: clone
detection must stay at a few milliseconds a note, so it does not run the spaCy reader.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import NamedTuple, TypeAlias

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.datafiles import load_yaml

_WORD = re.compile(r"\w+(?:[-'./]\w+)*")
NUMBER, SIDE, NAME = "<n>", "<side>", "<name>"
SHINGLE_BITS = 30  # shingle ids fit Spark's vector indices (int, size 2**30)
_MIX = 1_000_003
_DIGIT = re.compile(r"\d").search
IntArray: TypeAlias = np.ndarray[tuple[int], np.dtype[np.int64]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitSettings(_Strict):
    """When a pair of notes (or sections) is flagged."""

    threshold: float = Field(gt=0, le=1)
    min_tokens: int = Field(ge=1)


class SectionSettings(UnitSettings):
    """Section clones: their threshold and the section categories they are looked for in."""

    concern: tuple[str, ...]


class Normalise(_Strict):
    """Words that carry patient-specific details."""

    honorifics: frozenset[str]
    months: frozenset[str]
    sides: frozenset[str]
    name_labels: frozenset[str]


class CloneSettings(_Strict):
    """Clone detection settings (``clones.v1.yaml``)."""

    version: int
    shingle_words: int = Field(ge=1)
    num_perm: int = Field(ge=8)
    bands: int = Field(ge=1)
    seed: int
    note: UnitSettings
    section: SectionSettings
    max_matches: int = Field(ge=1)
    # At most ten years: a copy-forward repeats a recent visit, and a date minus a window of
    # thousands of years falls before year 1.
    window_days: int = Field(ge=1, le=3660)
    normalise: Normalise

    @property
    def rows(self) -> int:
        """MinHash values per LSH band."""
        return self.num_perm // self.bands

    def label(self) -> str:
        """Version and settings, as every clone report names them."""
        return (
            f"clones/v{self.version} (k={self.shingle_words}, perms={self.num_perm}, "
            f"bands={self.bands}, note>={self.note.threshold}, "
            f"section>={self.section.threshold})"
        )


@lru_cache(maxsize=1)
def default_settings() -> CloneSettings:
    """The packaged settings (read once)."""
    path = resources.files("assistant.batch.clones") / "clones.v1.yaml"
    return load_yaml(path, CloneSettings)


class Word(NamedTuple):
    """One word of the note: its span in the original text and its normalised form."""

    start: int
    end: int
    norm: str


@dataclass(frozen=True)
class Section:
    """A section of the note: category (the reader's section rules) and character span."""

    name: str
    start: int
    end: int


class _Normaliser:
    """Context-free placeholders per distinct word, remembered (words repeat across notes)."""

    LIMIT = 500_000

    def __init__(self, rules: Normalise) -> None:
        self.rules = rules
        self.known: dict[str, str] = {}

    def plain(self, word: str) -> str:
        """The word's placeholder or lower-case form, before its neighbours are considered."""
        found = self.known.get(word)
        if found is None:
            low = word.lower()
            if _DIGIT(word) or (low in self.rules.months and word[0].isupper()):
                found = NUMBER
            else:
                found = SIDE if low in self.rules.sides else low
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            self.known[word] = found
        return found


@lru_cache(maxsize=4)
def _normaliser(rules: Normalise) -> _Normaliser:
    return _Normaliser(rules)


def words(text: str, settings: CloneSettings) -> list[Word]:
    """The note's words, normalised, with their offsets into ``text``."""
    honorifics, labels = settings.normalise.honorifics, settings.normalise.name_labels
    plain = _normaliser(settings.normalise).plain
    out: list[Word] = []
    naming = False  # on a "Patient: First Last" line
    previous_end, previous = 0, ""
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        norm = plain(word)
        if naming and text.find("\n", previous_end, start) >= 0:
            naming = False
        if previous in labels and text.find(":", previous_end, start) >= 0:
            naming = True
        if (naming or previous in honorifics) and word[0].isupper() and norm != NUMBER:
            norm = NAME
        out.append(Word(start, end, norm))
        previous_end, previous = end, norm
    return out


class _SectionRule(BaseModel):
    literal: str
    category: str


class _SectionRules(BaseModel):
    version: str
    section_rules: list[_SectionRule]


@lru_cache(maxsize=1)
def _headers() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex of every section header literal at a line start, and literal -> category."""
    rules = load_yaml(
        resources.files("assistant.reader") / "rules" / "sections.json", _SectionRules
    )
    categories = {rule.literal.lower(): rule.category for rule in rules.section_rules}
    literals = sorted(categories, key=len, reverse=True)
    alternation = "|".join(re.escape(literal) for literal in literals)
    return re.compile(rf"^[ \t]*({alternation})", re.IGNORECASE | re.MULTILINE), categories


def sections(text: str) -> list[Section]:
    """The note's sections, each from its header line to the next header."""
    pattern, categories = _headers()
    found = [(m.start(1), categories[m.group(1).lower()]) for m in pattern.finditer(text)]
    ends = [start for start, _ in found[1:]] + [len(text)] * bool(found)
    return [Section(name, start, end) for (start, name), end in zip(found, ends, strict=True)]


@lru_cache(maxsize=200_000)
def _word_id(norm: str) -> int:
    return zlib.crc32(norm.encode("utf-8"))


def shingle_ids(norms: list[str], size: int) -> IntArray:
    """Stable 30-bit ids of the ``size``-word shingles, in order (one shingle if shorter).

    Each word's CRC-32 is mixed with the next words' by a polynomial hash (vectorised).
    """
    ids = np.fromiter((_word_id(n) for n in norms), dtype=np.uint64, count=len(norms))
    count = max(1, len(norms) - size + 1)
    out = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        part = ids[offset : offset + count]
        out[: part.size] = out[: part.size] * np.uint64(_MIX) + part
    return (out & np.uint64((1 << SHINGLE_BITS) - 1)).astype(np.int64)


def section_names(note_words: list[Word], note_sections: list[Section]) -> list[str | None]:
    """The section category of each word (``None`` before the first header)."""
    names: list[str | None] = [None, *(section.name for section in note_sections)]
    headers = np.fromiter((s.start for s in note_sections), dtype=np.int64)
    starts = np.fromiter((w.start for w in note_words), dtype=np.int64, count=len(note_words))
    return [names[i] for i in np.searchsorted(headers, starts, side="right").tolist()]


@dataclass(frozen=True)
class CloneReading:
    """A note read for clone detection: words, each word's section, shingles in order."""

    words: list[Word]
    section_of: list[str | None]
    shingles: IntArray
    shingle_words: int

    @cached_property
    def shingle_set(self) -> IntArray:
        """The note's distinct shingle ids, sorted."""
        return np.unique(self.shingles)

    @cached_property
    def section_sets(self) -> dict[str, IntArray]:
        """Each section category's distinct shingle ids (shingles wholly inside it).

        A shingle running into the next section would make a copied section look changed
        whenever the section after it differs.
        """
        grouped: dict[str, list[int]] = {}
        last = len(self.section_of) - 1
        for i, shingle in enumerate(self.shingles.tolist()):
            name = self.section_of[i] if self.section_of else None
            end = self.section_of[min(i + self.shingle_words - 1, last)] if last >= 0 else None
            if name is not None and name == end:
                grouped.setdefault(name, []).append(shingle)
        return {name: np.unique(np.asarray(ids, dtype=np.int64)) for name, ids in grouped.items()}

    @cached_property
    def section_sizes(self) -> Counter[str]:
        """Words per section category."""
        return Counter(name for name in self.section_of if name is not None)


def read_for_clones(text: str, settings: CloneSettings) -> CloneReading:
    """Read one note for clone detection."""
    note_words = words(text, settings)
    ids = shingle_ids([w.norm for w in note_words], settings.shingle_words)
    return CloneReading(
        note_words,
        section_names(note_words, sections(text)),
        ids,
        settings.shingle_words,
    )
