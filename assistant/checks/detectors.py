"""Regex detectors (rules as data) for elements a checklist adds beyond note-facts/v1.

Each :class:`~assistant.checks.schema.Detector` marks spans in the original note text; a
hit whose sentence matches one of the detector's ``unless`` patterns is dropped (negation,
plans, placeholders). Offsets always index the original text. The note's characters are
read through :mod:`assistant.text_scan`, as the E/M cues read them: patterns run on a
lower-cased copy, only when one Hyperscan pass over the note says they may match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.checks.schema import Detector
from assistant.text_scan import PLACEHOLDER, NoteScan, PatternSet, search_any, sentence_bounds

__all__ = ["Detections", "Span", "run_detector", "sentence_bounds"]


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


@lru_cache(maxsize=512)
def _pattern_set(patterns: tuple[str, ...]) -> PatternSet:
    """Patterns compiled once: a detector's, or every detector's (for the prefilter)."""
    return PatternSet(patterns)


def run_detector(detector: Detector, text: str, scan: NoteScan | None = None) -> list[Span]:
    """Every accepted hit of ``detector`` in ``text``, in order.

    ``scan`` (from :class:`Detections`) is the note scanned with every detector's patterns,
    so the prefilter skips those that cannot match; without it each pattern runs. Each
    sentence is tested against ``unless`` once, however many hits it holds (linear time on
    a note of one long sentence full of hits).
    """
    if scan is None:
        scan = _pattern_set(tuple(detector.patterns)).scan(text, prefiltered=False)
    hits: list[Span] = []
    vetoed: dict[tuple[int, int], bool] = {}
    for pattern in detector.patterns:
        for match in scan.finditer(scan.patterns.index[pattern]):
            start, end = match.span()
            if end == start:
                continue
            quoted = text[start:end]
            if PLACEHOLDER.search(quoted):
                continue
            if detector.unless:
                bounds = sentence_bounds(text, start, end)
                if bounds not in vetoed:
                    vetoed[bounds] = search_any(detector.unless, text[bounds[0] : bounds[1]])
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
        patterns = tuple(dict.fromkeys(p for d in detectors.values() for p in d.patterns))
        self._scan = _pattern_set(patterns).scan(text)

    def hits(self, detector_id: str) -> list[Span]:
        """Hits of one detector (``KeyError`` for an unknown id is a data bug caught on load)."""
        if detector_id not in self._hits:
            self._hits[detector_id] = run_detector(
                self._detectors[detector_id], self.text, self._scan
            )
        return self._hits[detector_id]

    def for_element(self, element: str) -> list[Span]:
        """Hits of every detector that marks ``element``."""
        out: list[Span] = []
        for detector in self._detectors.values():
            if detector.element == element:
                out.extend(self.hits(detector.id))
        return out
