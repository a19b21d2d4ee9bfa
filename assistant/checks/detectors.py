"""Regex detectors (rules as data) for elements a checklist adds beyond note-facts/v1.

Each :class:`~assistant.checks.schema.Detector` marks spans in the original note text. A
hit is dropped when the reader's ConText reads it as one of the detector's ``voided_by``
categories (negated, ...), through the same test as the E/M cues
(:meth:`~assistant.layout.NoteLayout.modifiers_at`, the hit's sentence as the window), or
when its sentence matches one of its ``unless`` patterns (plans, numeric comparisons). Offsets
always index the original text. The note's characters are read through
:mod:`assistant.text_scan`, as the E/M cues read them: patterns run on a lower-cased copy,
only when one Hyperscan pass over the note says they may match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.checks.schema import Detector
from assistant.layout import NoteLayout
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


def _voided(detector: Detector, text: str, layout: NoteLayout, start: int, end: int) -> bool:
    """Whether a ConText modifier of a ``voided_by`` category points at the hit.

    Its trigger must lie in the hit's sentence, before the hit (forward) or after it
    (backward), and its scope reach the hit: "No consent was obtained", "Sciatica was
    ruled out" (the reader's one reading of negation, as the E/M cues use it).
    """
    if not detector.voided_by:
        return False
    left, right = sentence_bounds(text, start, end)
    return any(
        modifier.category in detector.voided_by
        for modifier in layout.modifiers_at(start, end, left, right)
    )


def run_detector(
    detector: Detector, text: str, layout: NoteLayout | None, scan: NoteScan | None = None
) -> list[Span]:
    """Every accepted hit of ``detector`` in ``text``, in order.

    ``layout`` is the reader's reading of ``text`` (``None`` for a text the reader has not
    read: then no ConText modifier voids a hit). ``scan`` (from :class:`Detections`) is the
    note scanned with every detector's patterns, so the prefilter skips those that cannot
    match; without it each pattern runs. Each sentence is tested against ``unless`` once,
    however many hits it holds (linear time on a note of one long sentence full of hits).
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
            if layout is not None and _voided(detector, text, layout, start, end):
                continue
            value = match.groupdict().get("value")
            hits.append(Span(start, end, quoted, "detector", detector.id, value))
    hits.sort(key=lambda span: (span.start, span.end))
    return hits


class Detections:
    """Lazily runs detectors over one note and memoises their hits.

    ``layout`` is the reader's reading of the same note (its ConText modifiers void hits);
    ``None`` only for a text the reader has not read.
    """

    def __init__(
        self, text: str, detectors: dict[str, Detector], layout: NoteLayout | None
    ) -> None:
        self.text = text
        self.layout = layout
        self._detectors = detectors
        self._hits: dict[str, list[Span]] = {}
        patterns = tuple(dict.fromkeys(p for d in detectors.values() for p in d.patterns))
        self._scan = _pattern_set(patterns).scan(text)

    def hits(self, detector_id: str) -> list[Span]:
        """Hits of one detector (``KeyError`` for an unknown id is a data bug caught on load)."""
        if detector_id not in self._hits:
            self._hits[detector_id] = run_detector(
                self._detectors[detector_id], self.text, self.layout, self._scan
            )
        return self._hits[detector_id]

    def for_element(self, element: str) -> list[Span]:
        """Hits of every detector that marks ``element``."""
        out: list[Span] = []
        for detector in self._detectors.values():
            if detector.element == element:
                out.extend(self.hits(detector.id))
        return out
