"""Clone flags over the worklist's stored notes, kept in the store for the pages and audits.

New worklist notes (imported, or saved from the pre-sign page) are compared, a chunk at a
time, with each other and with the notes already compared whose date of service lies
within ``window_days`` (``clones.v1.yaml``) of theirs. The notes compared before are not
read again: their MinHash signatures and shingle digests are stored (``clone_signatures``),
and only a note that the LSH offers as a candidate, or that turns out to match, has its text
read again (for the exact Jaccard check and the evidence spans). The same units, thresholds
and matching rules as ``chartready clones`` (:mod:`assistant.batch.clones.detect`) decide.

Results are stored per note (``clone_scans``) and per matching pair, in both directions
(``clone_links``); the worklist, the item page and the mini-audit read them. A change of
detector (the version or a setting its label names, ``clones.v1.yaml``) makes every note due
again; a change of ``window_days`` alone applies to the notes compared from then on. Logs
hold counts only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import anyio
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from sqlalchemy import text

from assistant.batch.clones.detect import (
    SCHEME,
    Unit,
    digest,
    linked,
    similar,
    unit_signature,
    units_of_reading,
    within,
)
from assistant.batch.clones.report import CloneMatch, CloneNote, Pair, describe_both
from assistant.batch.clones.text import (
    CloneReading,
    CloneSettings,
    IntArray,
    default_settings,
    read_for_clones,
)
from assistant.store import CloneRepository, Database
from assistant.store.clone_repository import (
    LinkRecord,
    ScanRecord,
    StoredNote,
    StoredSignature,
)
from assistant.store.clone_tables import WHOLE_NOTE

logger = logging.getLogger("chartready.clones")

# Notes compared per round: bounds the memory of one scan and the length of its transaction.
SCAN_LIMIT = 2000
# One scan at a time in this process (the app's loop, a test or the CLI may all call it),
# and on PostgreSQL one per database (servers sharing it take turns; a session-level
# advisory lock, held on a connection of its own for the whole scan).
_SCAN_LOCK = threading.Lock()
_ADVISORY_KEY = 0x434C4E53  # "CLNS"


@contextlib.contextmanager
def _exclusive(database: Database) -> Iterator[bool]:
    """Hold the right to scan: True when this caller may scan now, False to leave it.

    Another server already scanning the same PostgreSQL database means "not now": the
    notes it is comparing are done when this server looks again.
    """
    with _SCAN_LOCK:
        if database.backend != "postgresql":
            yield True
            return
        with database.engine.connect() as connection:
            taken = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
                ).scalar()
            )
            connection.commit()
            try:
                yield taken
            finally:
                if taken:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
                    )
                    connection.commit()


def unit_name(unit: Unit) -> str:
    """The stored name of a unit: ``"note"`` for the whole note, else its section."""
    return unit.section or WHOLE_NOTE


def unit_shingles(reading: CloneReading, name: str) -> IntArray:
    """The shingle set of the named part of a note already read (empty if it has none)."""
    if name == WHOLE_NOTE:
        return reading.shingle_set
    return reading.section_sets.get(name, np.zeros(0, dtype=np.int64))


@dataclass
class _Group:
    """Units with the same shingle set: notes compared before (``old``) and new ones."""

    name: str
    signature: MinHash | LeanMinHash
    old: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    shingles: IntArray | None = None

    @property
    def members(self) -> list[int]:
        """Every note of the group, those compared before first."""
        return [*self.old, *self.new]

    def unit(self) -> Unit:
        """A unit standing for the group (its shingles must be known)."""
        assert self.shingles is not None
        return Unit(self.members[0], None if self.name == WHOLE_NOTE else self.name, self.shingles)


def _stored_signature(row: StoredSignature, settings: CloneSettings) -> LeanMinHash:
    values = np.frombuffer(row.signature, dtype=np.uint32)
    return LeanMinHash(seed=settings.seed, hashvalues=values, scheme=SCHEME)


def build_groups(
    new_units: Iterable[Unit], stored: Iterable[StoredSignature], settings: CloneSettings
) -> dict[bytes, _Group]:
    """Groups of identical units, keyed by shingle digest: stored ones first, then new ones."""
    groups: dict[bytes, _Group] = {}
    for row in stored:
        group = groups.get(row.digest)
        if group is None:
            group = groups[row.digest] = _Group(row.unit, _stored_signature(row, settings))
        group.old.append(row.item_id)
    permutations = MinHash(settings.num_perm, settings.seed, scheme=SCHEME).permutations
    for unit in new_units:
        key = digest(unit)
        group = groups.get(key)
        if group is None:
            signature = unit_signature(unit, settings, permutations)
            group = groups[key] = _Group(unit_name(unit), signature)
        group.new.append(unit.note)
        group.shingles = unit.shingles
    return groups


def candidate_groups(
    groups: Mapping[bytes, _Group], settings: CloneSettings
) -> set[tuple[bytes, bytes]]:
    """Pairs of groups the LSH offers, at least one holding a new note (each pair once)."""
    keys = list(groups)
    lsh = MinHashLSH(num_perm=settings.num_perm, params=(settings.bands, settings.rows))
    for index, key in enumerate(keys):
        lsh.insert(index, groups[key].signature)
    found: set[tuple[bytes, bytes]] = set()
    for index, key in enumerate(keys):
        if not groups[key].new:
            continue
        for other in lsh.query(groups[key].signature):
            if other != index:
                first, second = sorted((key, keys[other]))
                found.add((first, second))
    return found


def _involves_new(pairs: Iterable[Pair], new: Collection[int]) -> set[Pair]:
    """The pairs with at least one new note (pairs of old notes were recorded before)."""
    return {pair for pair in pairs if pair.a in new or pair.b in new}


def pairs_of(
    groups: Mapping[bytes, _Group],
    candidates: Iterable[tuple[bytes, bytes]],
    settings: CloneSettings,
) -> set[Pair]:
    """Note pairs to flag: identical units, and candidate groups at the exact threshold.

    Every group in ``candidates`` must have its shingles (new units carry them; the caller
    reads them for stored ones).
    """
    cap = settings.max_matches
    new = {note for group in groups.values() for note in group.new}
    pairs: set[Pair] = set()
    for group in groups.values():
        if group.new:
            pairs.update(within(group.members, cap))
    for first, second in candidates:
        one, two = groups[first], groups[second]
        if similar(one.unit(), two.unit(), settings):
            pairs.update(linked(one.members, two.new, cap))
            pairs.update(linked(two.members, one.new, cap))
    return _involves_new(pairs, new)


def _clone_note(note: StoredNote) -> CloneNote:
    return CloneNote(note.note_id, note.text, note.provider, None, note.date_of_service)


def _link(mine: int, theirs: int, match: CloneMatch, settings: CloneSettings) -> LinkRecord:
    """How note ``mine`` repeats note ``theirs``, as stored."""
    return LinkRecord(
        item_id=mine,
        match_item_id=theirs,
        similarity=match.similarity,
        whole_note=match.similarity >= settings.note.threshold,
        earlier=match.earlier,
        same_provider=match.same_provider,
        sections=[s.model_dump() for s in match.sections],
        identical_sections=list(match.identical_sections),
        evidence=[span.model_dump() for span in match.evidence],
    )


def links_for(
    pairs: Iterable[Pair],
    notes: Mapping[int, StoredNote],
    reading: Callable[[int], CloneReading],
    settings: CloneSettings,
) -> list[LinkRecord]:
    """Both directions of every pair, described as ``chartready clones`` describes them.

    Each pair is compared once (:func:`describe_both`); its two directions follow.
    """
    links = []
    for pair in sorted(pairs, key=lambda p: (p.a, p.b)):
        forward, backward = describe_both(
            _clone_note(notes[pair.a]),
            _clone_note(notes[pair.b]),
            reading(pair.a),
            reading(pair.b),
            settings,
        )
        links.append(_link(pair.a, pair.b, forward, settings))
        links.append(_link(pair.b, pair.a, backward, settings))
    return links


def scan_records(
    units: Iterable[Unit], scanned: Iterable[int], groups: dict[bytes, _Group]
) -> list[ScanRecord]:
    """Per new note: its parts, and their digests and signatures to keep.

    The signatures are the ones :func:`build_groups` computed (identical parts share one).
    """
    by_note: dict[int, list[StoredSignature]] = {note: [] for note in scanned}
    for unit in units:
        key = digest(unit)
        signature = groups[key].signature
        by_note[unit.note].append(
            StoredSignature(
                unit.note,
                unit_name(unit),
                key,
                signature.hashvalues.astype(np.uint32).tobytes(),
            )
        )
    return [
        ScanRecord(note, [s.unit for s in signatures], signatures)
        for note, signatures in by_note.items()
    ]


class _Readings:
    """Notes read for clone detection once per scan; stored notes' text fetched on demand."""

    def __init__(self, database: Database, notes: dict[int, StoredNote], settings: CloneSettings):
        self.database = database
        self.notes = notes
        self.settings = settings
        self.read: dict[int, CloneReading] = {}

    def fetch(self, item_ids: Iterable[int]) -> None:
        """Read the text of the stored notes among ``item_ids`` not read yet (one query)."""
        missing = {i for i in item_ids if i not in self.read and not self.notes[i].text}
        if missing:
            with self.database.session() as session:
                self.notes.update(CloneRepository(session).notes(missing))
        for item_id in item_ids:
            self(item_id)

    def __call__(self, item_id: int) -> CloneReading:
        if item_id not in self.read:
            self.read[item_id] = read_for_clones(self.notes[item_id].text, self.settings)
        return self.read[item_id]


def scan_pending(
    database: Database, settings: CloneSettings | None = None, limit: int = SCAN_LIMIT
) -> int:
    """Compare up to ``limit`` notes not yet compared and store their flags; how many.

    Reads and writes in short transactions (the comparing runs with none open), so the
    worklist's own checking is not held up.
    """
    settings = settings or default_settings()
    detector = settings.label()
    with _exclusive(database) as allowed:
        if not allowed:
            return 0
        with database.session() as session:
            pending = CloneRepository(session).pending(detector, limit)
        if not pending:
            return 0
        new = {note.item_id: note for note in pending}
        days = [note.date_of_service for note in pending]
        window = timedelta(days=settings.window_days)
        with database.session() as session:
            earlier, stored = CloneRepository(session).compared_between(
                min(days) - window, max(days) + window, detector, exclude=new
            )
        readings = _Readings(database, {**earlier, **new}, settings)
        units = [
            u
            for note in pending
            for u in units_of_reading(note.item_id, readings(note.item_id), settings)
        ]
        groups = build_groups(units, stored, settings)
        candidates = candidate_groups(groups, settings)
        # Stored groups offered as candidates: read one note of each for its shingles.
        unread = {key for pair in candidates for key in pair if groups[key].shingles is None}
        readings.fetch(groups[key].old[0] for key in unread)
        for key in unread:
            group = groups[key]
            group.shingles = unit_shingles(readings(group.old[0]), group.name)
        pairs = pairs_of(groups, candidates, settings)
        readings.fetch(note for pair in pairs for note in (pair.a, pair.b))
        links = links_for(pairs, readings.notes, readings, settings)
        with database.session() as session:
            CloneRepository(session).record(detector, scan_records(units, new, groups), links)
    logger.info(
        "clone scan: %d notes compared with %d earlier, %d matching pairs",
        len(pending),
        len(earlier),
        len(pairs),
    )
    return len(pending)


def scan_all(database: Database, settings: CloneSettings | None = None) -> int:
    """Compare every note not yet compared (round after round); how many."""
    total = 0
    while scanned := scan_pending(database, settings):
        total += scanned
    return total


async def scan_forever(
    database: Database, wake: asyncio.Event | None = None, poll_seconds: float = 5.0
) -> None:
    """Compare new worklist notes as they arrive (the web app runs this in its lifespan).

    ``wake`` (set after an import or a save) makes it look before the next poll.
    """
    while True:
        if wake is not None:
            wake.clear()  # before looking: a note arriving during the scan wakes the next one
        try:
            scanned = await anyio.to_thread.run_sync(scan_pending, database)
        except Exception:  # the store may be briefly unavailable, or another server won a race
            logger.exception("clone scan failed; retrying")
            scanned = 0
        if scanned:
            continue
        if wake is None:
            await asyncio.sleep(poll_seconds)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=poll_seconds)
