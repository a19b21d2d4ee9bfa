"""What clone detection reports: per flagged note its matches, and shares per provider.

A :class:`CloneFlag` is one note with the notes it matches (whole-note similarity, the
sections that match and whether they are identical after normalisation, evidence spans in
both notes). :func:`provider_summary` turns flags into the mini-audit line "23 % of Dr X's
physical exams in March are identical to an earlier note". Both engines build these from
the same flagged pairs with :func:`describe_pair`, so their reports agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from assistant.batch.clones.text import CloneReading, CloneSettings, IntArray, read_for_clones
from assistant.batch.rows import date_field, field_value, note_id_of, text_field
from assistant.errors import ChartReadyError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """Characters ``[start, end)`` of a note that the other note repeats."""

    start: int
    end: int
    section: str | None = None


class SectionMatch(_Model):
    """A section category both notes have, and how alike it is (1.0: identical)."""

    name: str
    similarity: float
    identical: bool


class CloneMatch(_Model):
    """One note that this note matches.

    ``earlier`` is whether the match's date of service is before this note's (``None``
    when either is unknown): a copy-forward clone repeats an earlier note.
    """

    note_id: str
    similarity: float
    sections: list[SectionMatch]
    identical_sections: list[str]
    same_provider: bool | None
    same_patient: bool | None
    earlier: bool | None
    evidence: list[Span]
    match_evidence: list[Span]


class CloneFlag(_Model):
    """A note that repeats one or more other notes (or their history, exam or plan)."""

    note_id: str
    provider: str | None
    patient_key: str | None
    date_of_service: str | None
    match_count: int
    matches: list[CloneMatch]
    detector: str


class ProviderSectionShare(_Model):
    """For one provider, month and section: notes with it, and how many repeat an earlier one."""

    provider: str
    month: str
    section: str
    notes: int
    identical_to_earlier: int
    share: float


@dataclass(frozen=True)
class CloneNote:
    """A note given to clone detection."""

    note_id: str
    text: str
    provider: str | None = None
    patient_key: str | None = None
    date_of_service: dt.date | None = None

    @property
    def month(self) -> str | None:
        """``YYYY-MM`` of the date of service."""
        return self.date_of_service.strftime("%Y-%m") if self.date_of_service else None


@dataclass(frozen=True)
class Pair:
    """Two notes (indexes into the input) flagged as clones of each other."""

    a: int
    b: int


def jaccard(a: IntArray, b: IntArray) -> float:
    """Exact Jaccard similarity of two shingle sets (given as unique arrays)."""
    if a.size == 0 and b.size == 0:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return float(shared) / float(a.size + b.size - shared)


def _spans(reading: CloneReading, shared: IntArray, size: int) -> list[Span]:
    """Maximal runs of the note's words covered by shingles the other note also has."""
    covered = np.zeros(len(reading.words), dtype=bool)
    hits = np.flatnonzero(np.isin(reading.shingles, shared))
    for i in hits.tolist():
        covered[i : i + size] = True
    spans: list[Span] = []
    run_start: int | None = None
    for i, flag in enumerate([*covered.tolist(), False]):
        if flag and run_start is None:
            run_start = i
        elif not flag and run_start is not None:
            first, last = reading.words[run_start], reading.words[i - 1]
            spans.append(
                Span(start=first.start, end=last.end, section=reading.section_of[run_start])
            )
            run_start = None
    return spans


def _compare(value_a: str | None, value_b: str | None) -> bool | None:
    return None if value_a is None or value_b is None else value_a == value_b


def _earlier(note: CloneNote, other: CloneNote) -> bool | None:
    """Whether ``other`` was written before ``note`` (``None`` when a date is unknown)."""
    if note.date_of_service is None or other.date_of_service is None:
        return None
    return other.date_of_service < note.date_of_service


def describe_pair(
    note: CloneNote,
    other: CloneNote,
    mine: CloneReading,
    theirs: CloneReading,
    settings: CloneSettings,
) -> CloneMatch:
    """How ``note`` repeats ``other``: similarity, matching sections, evidence in both."""
    size = settings.shingle_words
    set_a, set_b = mine.shingle_set, theirs.shingle_set
    shared = np.intersect1d(set_a, set_b, assume_unique=True)
    sections_a, sections_b = mine.section_sets, theirs.section_sets
    matched = []
    for name in sorted(sections_a.keys() & sections_b.keys()):
        similarity = jaccard(sections_a[name], sections_b[name])
        if similarity >= settings.section.threshold:
            matched.append(
                SectionMatch(
                    name=name, similarity=round(similarity, 4), identical=similarity == 1.0
                )
            )
    return CloneMatch(
        note_id=other.note_id,
        similarity=round(jaccard(set_a, set_b), 4),
        sections=matched,
        identical_sections=[m.name for m in matched if m.identical],
        same_provider=_compare(note.provider, other.provider),
        same_patient=_compare(note.patient_key, other.patient_key),
        earlier=_earlier(note, other),
        evidence=_spans(mine, shared, size),
        match_evidence=_spans(theirs, shared, size),
    )


def describe_both(
    note: CloneNote,
    other: CloneNote,
    mine: CloneReading,
    theirs: CloneReading,
    settings: CloneSettings,
) -> tuple[CloneMatch, CloneMatch]:
    """How ``note`` repeats ``other`` and how ``other`` repeats ``note``, compared once.

    Everything but the match's id, which note is earlier and whose evidence is whose is
    the same both ways (similarities and sections are symmetric), so the second
    direction is the first with those swapped: the same as :func:`describe_pair` called
    with the notes the other way round.
    """
    forward = describe_pair(note, other, mine, theirs, settings)
    backward = forward.model_copy(
        update={
            "note_id": note.note_id,
            "earlier": _earlier(other, note),
            "evidence": forward.match_evidence,
            "match_evidence": forward.evidence,
        }
    )
    return forward, backward


def flags_for(
    notes: Mapping[int, CloneNote], pairs: Iterable[Pair], settings: CloneSettings
) -> list[CloneFlag]:
    """One flag per note in any pair, its matches most similar first (capped), by note id."""
    partners: dict[int, set[int]] = {}
    for pair in pairs:
        partners.setdefault(pair.a, set()).add(pair.b)
        partners.setdefault(pair.b, set()).add(pair.a)
    readings: dict[int, CloneReading] = {}

    def reading(index: int) -> CloneReading:
        if index not in readings:
            readings[index] = read_for_clones(notes[index].text, settings)
        return readings[index]

    flags = []
    for index in sorted(partners, key=lambda i: notes[i].note_id):
        note = notes[index]
        matches = [
            describe_pair(note, notes[other], reading(index), reading(other), settings)
            for other in partners[index]
        ]
        matches.sort(key=lambda m: (-m.similarity, m.note_id))
        flags.append(
            CloneFlag(
                note_id=note.note_id,
                provider=note.provider,
                patient_key=note.patient_key,
                date_of_service=note.date_of_service.isoformat() if note.date_of_service else None,
                match_count=len(matches),
                matches=matches[: settings.max_matches],
                detector=settings.label(),
            )
        )
    return flags


SectionKey = tuple[str, str, str]  # provider, month, section


def provider_summary(
    with_section: Counter[SectionKey], notes: Iterable[CloneNote], flags: Iterable[CloneFlag]
) -> list[ProviderSectionShare]:
    """Per provider, month and section: the share of notes whose section repeats an earlier note.

    ``with_section`` counts the notes that have each section (the denominators).
    """
    by_id = {note.note_id: note for note in notes}
    repeated: Counter[SectionKey] = Counter()
    for flag in flags:
        note = by_id[flag.note_id]
        if note.provider is None or note.month is None:
            continue
        names = {n for m in flag.matches if m.earlier for n in m.identical_sections}
        for name in names:
            repeated[(note.provider, note.month, name)] += 1
    return [
        ProviderSectionShare(
            provider=provider,
            month=month,
            section=section,
            notes=count,
            identical_to_earlier=repeated[(provider, month, section)],
            share=round(repeated[(provider, month, section)] / count, 4),
        )
        for (provider, month, section), count in sorted(with_section.items())
    ]


def clone_note(raw: Mapping[str, Any]) -> CloneNote | None:
    """A batch input row as a note for clone detection (``None`` without an id or text)."""
    note_id, text = note_id_of(raw), field_value(raw, "text")
    if note_id is None or not isinstance(text, str):
        return None
    try:
        day = date_field(field_value(raw, "date_of_service"), note_id)
    except ChartReadyError:
        day = None
    provider, patient = text_field(raw, "provider"), text_field(raw, "patient_key")
    return CloneNote(note_id, text, provider, patient, day)
