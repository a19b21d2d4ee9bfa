"""Queries over clone-note flags: what still needs comparing, signatures, matches, a month.

The comparing itself is done above the store (``assistant.batch.clones.worklist``); this
module only reads and writes the rows of ``assistant.store.clone_tables``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from assistant.store.clone_tables import WHOLE_NOTE, CloneLink, CloneScan, CloneSignature
from assistant.store.models import WorklistItem
from assistant.store.worklist import month_bounds


@dataclass(frozen=True)
class StoredNote:
    """A worklist note as clone detection needs it (its text only when asked for)."""

    item_id: int
    note_id: str
    provider: str
    date_of_service: date
    text: str = ""


@dataclass(frozen=True)
class StoredSignature:
    """One part of a note compared before: which, its shingle digest and MinHash values."""

    item_id: int
    unit: str
    digest: bytes
    signature: bytes


@dataclass(frozen=True)
class LinkRecord:
    """One direction of a matching pair, ready to store (built by the detector)."""

    item_id: int
    match_item_id: int
    similarity: float
    whole_note: bool
    earlier: bool | None
    same_provider: bool | None
    sections: list[dict[str, Any]]
    identical_sections: list[str]
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class ScanRecord:
    """What one scan of one note stores: its parts and their signatures."""

    item_id: int
    units: list[str]
    signatures: list[StoredSignature]


@dataclass(frozen=True)
class CloneMatchView:
    """A note that a worklist item repeats, as the pages show it."""

    item_id: int
    note_id: str
    provider: str
    date_of_service: date
    similarity: float
    whole_note: bool
    earlier: bool | None
    same_provider: bool | None
    sections: list[dict[str, Any]]
    identical_sections: list[str]
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class ScannedNote:
    """A compared note of a month: its provider, its parts, and the parts it repeats.

    ``repeats`` holds ``"note"`` when the whole note is alike to an earlier note, and the
    sections identical to an earlier note's.
    """

    item_id: int
    provider: str
    units: tuple[str, ...]
    repeats: frozenset[str] = field(default_factory=frozenset)


class CloneRepository:
    """Read notes and signatures for a clone scan, record its results, list matches."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def pending(self, detector: str, limit: int) -> list[StoredNote]:
        """Up to ``limit`` notes, oldest first, not yet compared by ``detector`` (with text)."""
        stmt = (
            select(WorklistItem)
            .outerjoin(CloneScan, CloneScan.item_id == WorklistItem.id)
            .where(or_(CloneScan.item_id.is_(None), CloneScan.detector != detector))
            .order_by(WorklistItem.id)
            .limit(limit)
        )
        return [_note(item, with_text=True) for item in self.session.scalars(stmt)]

    def notes(self, item_ids: Collection[int]) -> dict[int, StoredNote]:
        """Notes by item id, with their text (the ones that still exist)."""
        if not item_ids:
            return {}
        stmt = select(WorklistItem).where(WorklistItem.id.in_(sorted(item_ids)))
        return {item.id: _note(item, with_text=True) for item in self.session.scalars(stmt)}

    def compared_between(
        self, start: date, end: date, detector: str, exclude: Collection[int]
    ) -> tuple[dict[int, StoredNote], list[StoredSignature]]:
        """Notes dated ``start``..``end`` already compared by ``detector``, and their signatures.

        No note text is read: later batches are compared with the signatures.
        """
        scanned = (
            select(WorklistItem)
            .join(CloneScan, CloneScan.item_id == WorklistItem.id)
            .where(
                CloneScan.detector == detector,
                WorklistItem.date_of_service >= start,
                WorklistItem.date_of_service <= end,
            )
        )
        notes = {
            item.id: _note(item, with_text=False)
            for item in self.session.scalars(scanned)
            if item.id not in exclude
        }
        rows = self.session.scalars(
            select(CloneSignature)
            .where(CloneSignature.item_id.in_(scanned.with_only_columns(WorklistItem.id)))
            .order_by(CloneSignature.item_id, CloneSignature.id)
        )
        signatures = [
            StoredSignature(row.item_id, row.unit, row.digest, row.signature)
            for row in rows
            if row.item_id in notes
        ]
        return notes, signatures

    def record(
        self, detector: str, scans: Sequence[ScanRecord], links: Sequence[LinkRecord]
    ) -> None:
        """Store a scan: replaces earlier scans of these notes and the links of each pair."""
        scanned = [scan.item_id for scan in scans]
        if scanned:
            for model, column in (
                (CloneSignature, CloneSignature.item_id),
                (CloneScan, CloneScan.item_id),
            ):
                self.session.execute(
                    delete(model)
                    .where(column.in_(scanned))
                    .execution_options(synchronize_session=False)
                )
            self.session.execute(
                delete(CloneLink)
                .where(or_(CloneLink.item_id.in_(scanned), CloneLink.match_item_id.in_(scanned)))
                .execution_options(synchronize_session=False)
            )
        for scan in scans:
            self.session.add(CloneScan(item_id=scan.item_id, detector=detector, units=scan.units))
            self.session.add_all(
                CloneSignature(
                    item_id=s.item_id, unit=s.unit, digest=s.digest, signature=s.signature
                )
                for s in scan.signatures
            )
        for link in links:
            self.session.add(CloneLink(**asdict(link)))
        self.session.flush()

    def matches_for(self, item_ids: Collection[int]) -> dict[int, list[CloneMatchView]]:
        """The notes each of ``item_ids`` repeats, most similar first."""
        if not item_ids:
            return {}
        stmt = (
            select(CloneLink, WorklistItem)
            .join(WorklistItem, WorklistItem.id == CloneLink.match_item_id)
            .where(CloneLink.item_id.in_(sorted(item_ids)))
            .order_by(CloneLink.item_id, CloneLink.similarity.desc(), WorklistItem.note_id)
        )
        found: dict[int, list[CloneMatchView]] = defaultdict(list)
        for link, other in self.session.execute(stmt).tuples():
            found[link.item_id].append(
                CloneMatchView(
                    item_id=other.id,
                    note_id=other.note_id,
                    provider=other.provider,
                    date_of_service=other.date_of_service,
                    similarity=link.similarity,
                    whole_note=link.whole_note,
                    earlier=link.earlier,
                    same_provider=link.same_provider,
                    sections=list(link.sections),
                    identical_sections=list(link.identical_sections),
                    evidence=list(link.evidence),
                )
            )
        return dict(found)

    def scanned_in_month(self, month: str) -> tuple[list[ScannedNote], int]:
        """The compared notes of ``month`` (YYYY-MM), each with what it repeats.

        Also returns how many notes of the month are not compared yet.
        """
        start, end = month_bounds(month)
        in_month = (WorklistItem.date_of_service >= start, WorklistItem.date_of_service < end)
        rows = self.session.execute(
            select(WorklistItem.id, WorklistItem.provider, CloneScan.item_id, CloneScan.units)
            .outerjoin(CloneScan, CloneScan.item_id == WorklistItem.id)
            .where(*in_month)
            .order_by(WorklistItem.id)
        ).all()
        compared = {row[0]: row for row in rows if row[2] is not None}
        repeats: dict[int, set[str]] = defaultdict(set)
        links = self.session.scalars(
            select(CloneLink).where(
                CloneLink.item_id.in_(sorted(compared)), CloneLink.earlier.is_(True)
            )
        )
        for link in links:
            if link.whole_note:
                repeats[link.item_id].add(WHOLE_NOTE)
            repeats[link.item_id].update(link.identical_sections)
        notes = [
            ScannedNote(
                item_id=item_id,
                provider=str(provider),
                units=tuple(units or ()),
                repeats=frozenset(repeats.get(item_id, set()) & set(units or ())),
            )
            for item_id, (_, provider, _, units) in compared.items()
        ]
        return notes, len(rows) - len(compared)


def _note(item: WorklistItem, *, with_text: bool) -> StoredNote:
    return StoredNote(
        item.id,
        item.note_id,
        item.provider,
        item.date_of_service,
        item.note_text if with_text else "",
    )
