"""Regex detectors (rules as data) for elements a checklist adds beyond note-facts/v1.

Each :class:`~assistant.checks.schema.Detector` marks spans in the original note text; a
hit whose sentence matches one of the detector's ``unless`` patterns is dropped (negation,
plans, placeholders). Offsets always index the original text. Patterns run on a
lower-cased copy of the note, and only when one Hyperscan pass over the note says they may
match (:mod:`assistant.regex_prefilter`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from assistant.checks.schema import Detector
from assistant.patterns import lower_pattern
from assistant.regex_prefilter import RegexPrefilter

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n\s*\n|\n(?=[A-Z][A-Z /&-]{2,}:)")
_PLACEHOLDER = re.compile(r"\*\*\*|_{3,}")


@dataclass(frozen=True)
class Span:
    """A character span of the note with where it came from (``reader`` or ``detector``).

    ``value`` is the part of a detector hit its pattern names ``(?P<value>...)``: the
    duration, percent or score a threshold is compared with.
    """

    start: int
    end: int
    text: str
    origin: str
    label: str
    value: str | None = None


@lru_cache(maxsize=4)
def _separators(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of every sentence separator in ``text`` (scanned once per note)."""
    spans = [match.span() for match in _SENTENCE_END.finditer(text)]
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


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=512)
def _lowered(pattern: str) -> re.Pattern[str]:
    """The pattern lower-cased, for a lower-cased copy of the note."""
    return re.compile(lower_pattern(pattern), re.MULTILINE)


@lru_cache(maxsize=4)
def _lower(text: str) -> str:
    return text.lower()


@lru_cache(maxsize=4)
def _prefilter(patterns: tuple[str, ...]) -> RegexPrefilter:
    """One automaton for every detector pattern, lower-cased (built once per detector set)."""
    return RegexPrefilter([_lowered(p) for p in patterns])


class _Candidates:
    """The detector patterns that may match one note (one prefilter pass, on first use)."""

    def __init__(self, text: str, detectors: dict[str, Detector]) -> None:
        self._text = text
        self._patterns = tuple(dict.fromkeys(p for d in detectors.values() for p in d.patterns))
        self._maybe: set[str] | None = None

    def __contains__(self, pattern: object) -> bool:
        if self._maybe is None:
            indexes = _prefilter(self._patterns).candidates(_lower(self._text))
            self._maybe = {self._patterns[i] for i in indexes}
        return pattern in self._maybe


def run_detector(
    detector: Detector, text: str, candidates: _Candidates | None = None
) -> list[Span]:
    """Every accepted hit of ``detector`` in ``text``, in order.

    Patterns run case-insensitively, on a lower-cased copy when that keeps every offset;
    ``candidates`` (from :class:`Detections`) then skips patterns that cannot match the note.
    Each sentence is tested against ``unless`` once, however many hits it holds (linear time
    on a note of one long sentence full of hits).
    """
    lowered = _lower(text)
    keeps_offsets = len(lowered) == len(text)
    hits: list[Span] = []
    vetoed: dict[tuple[int, int], bool] = {}
    for pattern in detector.patterns:
        if not keeps_offsets:
            matches = _compiled(pattern).finditer(text)
        elif candidates is None or pattern in candidates:
            matches = _lowered(pattern).finditer(lowered)
        else:
            continue
        for match in matches:
            start, end = match.span()
            if end == start:
                continue
            quoted = text[start:end]
            if _PLACEHOLDER.search(quoted):
                continue
            if detector.unless:
                bounds = sentence_bounds(text, start, end)
                if bounds not in vetoed:
                    sentence = text[bounds[0] : bounds[1]]
                    vetoed[bounds] = any(_compiled(r).search(sentence) for r in detector.unless)
                if vetoed[bounds]:
                    continue
            value = match.groupdict().get("value")
            hits.append(Span(start, end, quoted, "detector", detector.id, value))
    hits.sort(key=lambda span: (span.start, span.end))
    return hits


class Detections:
    """Lazily runs detectors over one note and memoises their hits."""

    def __init__(self, text: str, detectors: dict[str, Detector]) -> None:
        self.text = text
        self._detectors = detectors
        self._hits: dict[str, list[Span]] = {}
        self._candidates = _Candidates(text, detectors)

    def hits(self, detector_id: str) -> list[Span]:
        """Hits of one detector (``KeyError`` for an unknown id is a data bug caught on load)."""
        if detector_id not in self._hits:
            self._hits[detector_id] = run_detector(
                self._detectors[detector_id], self.text, self._candidates
            )
        return self._hits[detector_id]

    def for_element(self, element: str) -> list[Span]:
        """Hits of every detector that marks ``element``."""
        out: list[Span] = []
        for detector in self._detectors.values():
            if detector.element == element:
                out.extend(self.hits(detector.id))
        return out
