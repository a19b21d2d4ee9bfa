"""Clone detection on one machine: shingles, MinHash LSH (datasketch), exact Jaccard.

Units are whole notes and, on their own, the history, exam and plan sections. Units with
the same shingle set (identical after normalisation) are grouped first, so a template used
on thousands of notes costs one LSH entry, not thousands of comparisons. Each group's
representative is queried against the LSH of those before it, then inserted; candidates
are kept only if their exact Jaccard reaches the threshold. Time grows with the number of
units plus the number of candidates, not with the square of the input.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from assistant.batch.clones.report import (
    CloneFlag,
    CloneNote,
    Pair,
    ProviderSectionShare,
    SectionKey,
    clone_note,
    flags_for,
    jaccard,
    provider_summary,
)
from assistant.batch.clones.text import CloneReading, CloneSettings, IntArray, read_for_clones
from assistant.batch.sources import iter_rows

SCHEME = "affine32"  # datasketch's 32-bit permutations: shingle ids are 31-bit


@dataclass(frozen=True)
class Unit:
    """A whole note (``section`` None) or one of its concern sections, as a shingle set."""

    note: int
    section: str | None
    shingles: IntArray


@dataclass(frozen=True)
class CloneReport:
    """Flagged notes, the per-provider summary, and what was looked at."""

    flags: list[CloneFlag]
    summary: list[ProviderSectionShare]
    notes: int
    units: int
    detector: str


def units_of(index: int, text: str, settings: CloneSettings) -> list[Unit]:
    """The note's units: itself if long enough, and each long enough concern section."""
    return units_of_reading(index, read_for_clones(text, settings), settings)


def units_of_reading(index: int, reading: CloneReading, settings: CloneSettings) -> list[Unit]:
    """:func:`units_of` for a note already read (its reading is reused for the evidence)."""
    units = []
    if len(reading.words) >= settings.note.min_tokens:
        units.append(Unit(index, None, reading.shingle_set))
    for name in settings.section.concern:
        if reading.section_sizes[name] >= settings.section.min_tokens:
            units.append(Unit(index, name, reading.section_sets[name]))
    return units


def digest(unit: Unit) -> bytes:
    """Key of the unit's exact shingle set (and section): equal units share it."""
    data = (unit.section or "").encode("utf-8") + b"\0" + unit.shingles.tobytes()
    return hashlib.blake2b(data, digest_size=16).digest()


def _identity(value: int) -> int:
    return value


def _pair(a: int, b: int) -> Iterator[Pair]:
    if a != b:
        yield Pair(min(a, b), max(a, b))


def linked(notes_a: Sequence[int], notes_b: Sequence[int], cap: int) -> Iterator[Pair]:
    """Note pairs joining two groups of identical units, at most ``cap`` partners per unit."""
    for a in notes_a:
        for b in notes_b[:cap]:
            yield from _pair(a, b)
    for a in notes_a[:cap]:
        for b in notes_b[cap:]:
            yield from _pair(a, b)


def within(notes: Sequence[int], cap: int) -> Iterator[Pair]:
    """Note pairs inside one group of identical units: each with the ``cap`` before it."""
    for i, note in enumerate(notes):
        for other in notes[max(0, i - cap) : i]:
            yield from _pair(other, note)


def similar(unit: Unit, other: Unit, settings: CloneSettings) -> bool:
    """Same kind of unit, and exact Jaccard at its threshold or above."""
    threshold = settings.note.threshold if unit.section is None else settings.section.threshold
    return unit.section == other.section and jaccard(unit.shingles, other.shingles) >= threshold


def unit_signature(unit: Unit, settings: CloneSettings, permutations: object) -> MinHash:
    """The unit's MinHash (``permutations`` computed once per run, shared by all units)."""
    signature = MinHash(
        num_perm=settings.num_perm,
        seed=settings.seed,
        hashfunc=_identity,
        permutations=permutations,
        scheme=SCHEME,
    )
    signature.update_batch(unit.shingles.tolist())
    return signature


def candidate_pairs(units: Sequence[Unit], settings: CloneSettings) -> set[Pair]:
    """Note pairs whose whole notes or same-category sections reach the thresholds."""
    groups: dict[bytes, list[Unit]] = {}
    for unit in units:
        groups.setdefault(digest(unit), []).append(unit)
    members = [[unit.note for unit in group] for group in groups.values()]
    firsts = [group[0] for group in groups.values()]
    cap = settings.max_matches
    lsh = MinHashLSH(num_perm=settings.num_perm, params=(settings.bands, settings.rows))
    permutations = MinHash(settings.num_perm, settings.seed, scheme=SCHEME).permutations
    pairs: set[Pair] = set()
    for key, first in enumerate(firsts):
        pairs.update(within(members[key], cap))
        signature = unit_signature(first, settings, permutations)
        for other in lsh.query(signature):
            if similar(first, firsts[other], settings):
                pairs.update(linked(members[other], members[key], cap))
        lsh.insert(key, signature)
    return pairs


def detect_clones(notes: Sequence[CloneNote], settings: CloneSettings) -> CloneReport:
    """Flag every note that repeats another (whole, or its history, exam or plan)."""
    units = [unit for i, note in enumerate(notes) for unit in units_of(i, note.text, settings)]
    flags = flags_for(dict(enumerate(notes)), candidate_pairs(units, settings), settings)
    return CloneReport(
        flags=flags,
        summary=provider_summary(section_counts(notes, units), notes, flags),
        notes=len(notes),
        units=len(units),
        detector=settings.label(),
    )


def read_notes(path: Path) -> list[CloneNote]:
    """The notes of a batch input file (rows without an id or text are left out)."""
    notes = (clone_note(raw) for _, raw in iter_rows(path))
    return [note for note in notes if note is not None]


def section_counts(notes: Sequence[CloneNote], units: Iterable[Unit]) -> Counter[SectionKey]:
    """Notes per provider, month and concern section (the summary's denominators)."""
    keys = (section_key(notes[unit.note], unit.section) for unit in units)
    return Counter(key for key in keys if key is not None)


def section_key(note: CloneNote, section: str | None) -> SectionKey | None:
    """``(provider, month, section)`` of a section unit, if the note names both."""
    if section is None or note.provider is None or note.month is None:
        return None
    return note.provider, note.month, section
