"""Measure clone detection: inject known clones into real notes, score what is flagged.

Two kinds of clone are made from a source note, as auditors meet them:

- copy-forward: the next visit's note is the last one with new numbers and dates, two
  words changed and a follow-up sentence added;
- template reuse: the note reused for another patient: new name line and honorific, new
  numbers and dates, the other side, one sentence replaced by a sentence of another note.

Precision and recall are over whole-note matches that involve an injected note; sources
are drawn from notes with no near-duplicate of their own (no other note at Jaccard 0.5 or
more), so every true pair is known. Separately, the false-positive rate is the share of the
input's own pairs of distinct notes that share a template (exact Jaccard of their shingle
sets at least 0.3, below 1.0) that are flagged as whole-note clones.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from assistant.batch.clones.report import CloneFlag, CloneNote, jaccard
from assistant.batch.clones.text import CloneSettings, read_for_clones

_NUMBER = re.compile(r"\d+")
_SIDE = re.compile(r"\b(left|right)\b")
_SENTENCE = re.compile(r"[^.!?\n]{30,400}[.!?]")
_LOWER_WORD = re.compile(r"\b[a-z]{5,}\b")
FIRST_NAMES = ("John", "Maria", "Ahmed", "Li", "Sofia", "Carlos", "Priya", "Olga")
LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "Haddad", "Larsen")
MONTHS = ("March", "May", "June", "October")
EDIT_WORDS = ("stable", "improved", "unchanged", "noted", "reviewed")
FOLLOW_UP = "Patient returns today for follow-up and reports no new complaints."
SOURCE_FLOOR = 0.5  # a source has no other note this similar
TEMPLATE_FLOOR = 0.3  # two notes this similar share a template
COMMON = 200


def _renumber(text: str, rng: random.Random) -> str:
    return _NUMBER.sub(lambda m: str(rng.randint(1, 99)), text)


def copy_forward(text: str, rng: random.Random, others: Sequence[str]) -> str:  # noqa: ARG001
    """The next visit's note: new numbers, two words changed, a follow-up sentence added."""
    out = _renumber(text, rng)
    targets = list(_LOWER_WORD.finditer(out))
    for match in sorted(rng.sample(targets, min(2, len(targets))), key=lambda m: -m.start()):
        out = out[: match.start()] + rng.choice(EDIT_WORDS) + out[match.end() :]
    return f"{out}\n{FOLLOW_UP}\n"


def template_reuse(text: str, rng: random.Random, others: Sequence[str]) -> str:
    """The note reused for another patient: name, numbers, side and one sentence changed."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    out = _SIDE.sub(lambda m: "right" if m.group() == "left" else "left", _renumber(text, rng))
    out = re.sub(r"\b[Tt]he patient\b", f"Mr. {last}", out, count=3)
    day = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2020, 2026)}"
    out = f"PATIENT: {first} {last}\nDATE OF SERVICE: {day}\n{out}"
    sentences = list(_SENTENCE.finditer(out))
    replacements = [m.group() for m in _SENTENCE.finditer(rng.choice(others))]
    if sentences and replacements:
        target = rng.choice(sentences)
        out = out[: target.start()] + rng.choice(replacements) + out[target.end() :]
    return out


Injector = Callable[[str, random.Random, Sequence[str]], str]
INJECTORS: dict[str, Injector] = {"copy_forward": copy_forward, "template_reuse": template_reuse}


@dataclass(frozen=True)
class Injected:
    """The input with clones appended, and the true pairs (note ids, sorted) and their kind."""

    notes: list[CloneNote]
    true_pairs: dict[tuple[str, str], str]
    injected_ids: frozenset[str]


def similar_pairs(
    notes: Sequence[CloneNote], settings: CloneSettings, floor: float
) -> dict[tuple[int, int], float]:
    """Every pair of notes at exact Jaccard ``floor`` or more, found without LSH.

    An inverted index of shingles counts shared shingles per pair (shingles found in more
    than ``COMMON`` notes are skipped for finding pairs, not for their similarity); meant for
    measuring on a few thousand notes.
    """
    sets = [read_for_clones(note.text, settings).shingle_set for note in notes]
    postings: dict[int, list[int]] = {}
    for index, shingles in enumerate(sets):
        for shingle in shingles.tolist():
            postings.setdefault(shingle, []).append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for members in postings.values():
        if len(members) <= COMMON:
            shared.update(combinations(members, 2))
    out = {}
    for (a, b), count in shared.items():
        if count >= floor * min(sets[a].size, sets[b].size):
            similarity = jaccard(sets[a], sets[b])
            if similarity >= floor:
                out[(a, b)] = similarity
    return out


def clone_free_sources(notes: Sequence[CloneNote], settings: CloneSettings) -> list[int]:
    """Notes long enough to be flagged whole that have no near-duplicate of their own."""
    taken = {i for pair in similar_pairs(notes, settings, SOURCE_FLOOR) for i in pair}
    return [
        i
        for i, note in enumerate(notes)
        if i not in taken
        and len(read_for_clones(note.text, settings).words) >= settings.note.min_tokens
    ]


def inject(notes: Sequence[CloneNote], sources: Sequence[int], seed: int = 7) -> Injected:
    """One clone per source, kinds alternating; each clone gets id ``<source>~clone``."""
    rng = random.Random(seed)
    texts = [note.text for note in notes]
    out = list(notes)
    true_pairs: dict[tuple[str, str], str] = {}
    kinds = list(INJECTORS)
    for n, index in enumerate(sources):
        kind = kinds[n % len(kinds)]
        source = notes[index]
        clone_id = f"{source.note_id}~clone"
        out.append(CloneNote(clone_id, INJECTORS[kind](source.text, rng, texts)))
        true_pairs[_ids(source.note_id, clone_id)] = kind
    ids = frozenset(f"{notes[i].note_id}~clone" for i in sources)
    return Injected(out, true_pairs, ids)


@dataclass(frozen=True)
class Scores:
    """Precision and recall over pairs with an injected note, recall per kind."""

    precision: float
    recall: float
    recall_by_kind: dict[str, float]
    true_pairs: int
    flagged_pairs: int


def score(injected: Injected, flags: Sequence[CloneFlag], settings: CloneSettings) -> Scores:
    """Precision and recall of the whole-note flags on the injected pairs."""
    pairs = note_level_pairs(flags, settings)
    found = {p for p in pairs if set(p) & injected.injected_ids}
    truth = injected.true_pairs
    hits = found & truth.keys()
    by_kind = {
        kind: sum(1 for p in hits if truth[p] == kind) / max(1, list(truth.values()).count(kind))
        for kind in INJECTORS
    }
    return Scores(
        precision=len(hits) / len(found) if found else 1.0,
        recall=len(hits) / len(truth) if truth else 1.0,
        recall_by_kind=by_kind,
        true_pairs=len(truth),
        flagged_pairs=len(found),
    )


def template_pairs(notes: Sequence[CloneNote], settings: CloneSettings) -> set[tuple[str, str]]:
    """Pairs of distinct notes of the input that share a template (0.3 <= Jaccard < 1)."""
    return {
        _ids(notes[a].note_id, notes[b].note_id)
        for (a, b), similarity in similar_pairs(notes, settings, TEMPLATE_FLOOR).items()
        if similarity < 1.0
    }


def _ids(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def note_level_pairs(flags: Sequence[CloneFlag], settings: CloneSettings) -> set[tuple[str, str]]:
    """Flagged pairs whose whole notes reach the note threshold (sorted note ids)."""
    return {
        _ids(flag.note_id, match.note_id)
        for flag in flags
        for match in flag.matches
        if match.similarity >= settings.note.threshold
    }
