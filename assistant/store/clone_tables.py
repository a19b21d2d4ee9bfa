"""Tables for clone-note flags on worklist items: what was compared, signatures, matches.

No note text: a scan keeps, per item, the detector that compared it and the parts it has
(whole note, history, exam, plan); each part's MinHash signature (so later batches are
compared with it without reading the note again); and, per matching pair, one row in each
direction with the similarity, the matching sections and the character spans repeated.
Every row goes with its item (``ON DELETE CASCADE``), so a purge leaves no match pointing
at a deleted note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models import Base, utcnow

# The unit name of a whole note (section units are named by the reader's section category).
WHOLE_NOTE = "note"


class CloneScan(Base):
    """One worklist item compared for clones: by which detector, and which parts it has."""

    __tablename__ = "clone_scans"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="CASCADE"), primary_key=True
    )
    detector: Mapped[str] = mapped_column(String(200))
    # Parts long enough to compare: "note" and the concern sections (the audit denominators).
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CloneSignature(Base):
    """The MinHash signature of one part of a scanned item, and a digest of its shingles."""

    __tablename__ = "clone_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(50))
    digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class CloneLink(Base):
    """Item ``item_id`` repeats item ``match_item_id``: similarity, sections, spans repeated.

    ``earlier``: the match's date of service is before the item's (copy-forward).
    ``whole_note``: the whole notes are alike at the detector's note threshold.
    """

    __tablename__ = "clone_links"
    __table_args__ = (UniqueConstraint("item_id", "match_item_id", name="uq_clone_link_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="CASCADE"), index=True
    )
    match_item_id: Mapped[int] = mapped_column(
        ForeignKey("worklist_items.id", ondelete="CASCADE"), index=True
    )
    similarity: Mapped[float] = mapped_column(Float)
    whole_note: Mapped[bool] = mapped_column(Boolean)
    earlier: Mapped[bool | None] = mapped_column(Boolean, default=None)
    same_provider: Mapped[bool | None] = mapped_column(Boolean, default=None)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    identical_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
