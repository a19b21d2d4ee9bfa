"""Raw-text scanning for the regex rule engines (checklist detectors, E/M cues).

The note's sections (and, for E/M, its negations) come from the reader
(:mod:`assistant.layout`); what still needs the note's characters goes through here, so
the engines lower-case, prefilter and bound sentences the same way:

- :class:`PatternSet` compiles a rule file's patterns once, twice over: lower-cased, for a
  lower-cased copy of the note (about 1.6x faster than ``re.IGNORECASE``), and
  case-insensitive, for the rare notes whose length lower-casing changes. One Hyperscan
  pass (:mod:`assistant.regex_prefilter`) says which lower-cased patterns may match a note;
  the others are skipped. Offsets always index the text that was scanned.
- :func:`sentence_bounds` finds the sentence (or line group) around a span, and
  :data:`PLACEHOLDER` marks an unfilled template blank (``***``, ``___``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache

from assistant.patterns import guarded, lower_pattern
from assistant.regex_prefilter import RegexPrefilter

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n\s*\n|\n(?=[A-Z][A-Z /&-]{2,}:)")
PLACEHOLDER = re.compile(r"\*\*\*|_{3,}")


@lru_cache(maxsize=8)
def lowered(text: str) -> str:
    """``text.lower()``, computed once for the few notes in flight."""
    return text.lower()


@lru_cache(maxsize=4)
def _separators(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of every sentence separator in ``text`` (scanned once per note)."""
    spans = [match.span() for match in SENTENCE_END.finditer(text)]
    return [a for a, _ in spans], [b for _, b in spans]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence (or line group) around ``[start, end)``; pure and cheap.

    Separators are found once per note and bisected: rescanning the note from 0 for
    every hit made a 72 k-character note with 4 k hits take 26 s (quadratic).
    """
    starts, ends = _separators(text)
    i = bisect_right(ends, start)
    left = ends[i - 1] if i else 0
    j = bisect_left(starts, end)
    right = starts[j] if j < len(starts) else len(text)
    return left, right


class PatternSet:
    """Regexes compiled once for scanning many notes (case-insensitive, multiline)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self.index = {pattern: i for i, pattern in reversed(list(enumerate(self.patterns)))}
        flags = re.IGNORECASE | re.MULTILINE
        self.compiled = tuple(re.compile(guarded(p, flags), flags) for p in self.patterns)
        self.lowered = tuple(
            re.compile(guarded(lower_pattern(p), re.MULTILINE), re.MULTILINE) for p in self.patterns
        )
        self._prefilter: RegexPrefilter | None = None

    @property
    def prefilter(self) -> RegexPrefilter:
        """One automaton for every lower-cased pattern (built on first use)."""
        if self._prefilter is None:
            self._prefilter = RegexPrefilter(self.lowered)
        return self._prefilter

    def scan(self, text: str, prefiltered: bool = True) -> NoteScan:
        """A scan of ``text`` (``prefiltered``: skip the patterns that cannot match it)."""
        return NoteScan(self, text, prefiltered)


class NoteScan:
    """One text scanned with one :class:`PatternSet`."""

    def __init__(self, patterns: PatternSet, text: str, prefiltered: bool = True) -> None:
        self.patterns = patterns
        self.text = text
        self.lower = lowered(text)
        self.keeps_offsets = len(self.lower) == len(text)
        self._prefiltered = prefiltered
        self._maybe: frozenset[int] | None = None

    def may_match(self, index: int) -> bool:
        """Whether pattern ``index`` may match (always, unprefiltered or if offsets move)."""
        if not (self.keeps_offsets and self._prefiltered):
            return True
        if self._maybe is None:
            self._maybe = self.patterns.prefilter.candidates(self.lower)
        return index in self._maybe

    def finditer(self, index: int) -> Iterator[re.Match[str]]:
        """Matches of pattern ``index``; on the lower-cased copy when offsets allow it."""
        if not self.keeps_offsets:
            return self.patterns.compiled[index].finditer(self.text)
        if not self.may_match(index):
            return iter(())
        return self.patterns.lowered[index].finditer(self.lower)


def search_any(patterns: Sequence[str], text: str) -> bool:
    """Whether any of ``patterns`` (case-insensitive, multiline) matches ``text``."""
    return any(_compiled(p).search(text) for p in patterns)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)
