"""Queries over imported remittances and the checks they are matched to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from assistant.store.models import StoredCheck, WorklistItem
from assistant.store.remittance_tables import (
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
)
from assistant.store.worklist import month_bounds

LineRow = tuple[RemittanceLine, RemittanceClaim, WorklistItem | None]


class RemittanceRepository:
    """Find files already imported, candidate charts for a claim, and a month's lines."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def file_by_sha256(self, sha256: str) -> RemittanceFile | None:
        """The file imported with this content hash, if any."""
        return self.session.scalar(select(RemittanceFile).where(RemittanceFile.sha256 == sha256))

    def worklist_candidates(self, note_id: str) -> Sequence[WorklistItem]:
        """Checked worklist items whose note id is ``note_id``, newest check first."""
        stmt = (
            select(WorklistItem)
            .where(WorklistItem.note_id == note_id, WorklistItem.queue_status == "done")
            .order_by(WorklistItem.id.desc())
        )
        return self.session.scalars(stmt).all()

    def latest_check(self, note_id: str) -> StoredCheck | None:
        """The newest check stored through the API for ``note_id``."""
        stmt = (
            select(StoredCheck)
            .where(StoredCheck.note_id == note_id)
            .order_by(StoredCheck.id.desc())
            .limit(1)
        )
        return self.session.scalar(stmt)

    def _lines(self, *conditions: ColumnElement[bool]) -> Sequence[LineRow]:
        """Lines with their claim and matched worklist item, in claim then line order."""
        stmt = (
            select(RemittanceLine, RemittanceClaim, WorklistItem)
            .join(RemittanceClaim, RemittanceLine.claim_id == RemittanceClaim.id)
            .outerjoin(WorklistItem, RemittanceClaim.worklist_item_id == WorklistItem.id)
            .where(*conditions)
            .order_by(RemittanceClaim.id, RemittanceLine.line_number)
        )
        return [(line, claim, item) for line, claim, item in self.session.execute(stmt).all()]

    def lines_between(self, start: date, end: date) -> Sequence[LineRow]:
        """Lines whose date of service (else the claim's statement date) is in ``[start, end)``."""
        return self._lines(
            or_(
                (RemittanceLine.date_of_service >= start) & (RemittanceLine.date_of_service < end),
                RemittanceLine.date_of_service.is_(None)
                & (RemittanceClaim.statement_date >= start)
                & (RemittanceClaim.statement_date < end),
            )
        )

    def all_lines(self) -> Sequence[LineRow]:
        """Every imported line (retraining reads the whole history)."""
        return self._lines()

    def checks(self, check_ids: Collection[int]) -> dict[int, StoredCheck]:
        """Stored API checks by id (the ones claims were matched to)."""
        if not check_ids:
            return {}
        stmt = select(StoredCheck).where(StoredCheck.id.in_(sorted(check_ids)))
        return {check.id: check for check in self.session.scalars(stmt)}

    def lines_in_month(self, month: str) -> Sequence[LineRow]:
        """Lines with a date of service in ``month`` (YYYY-MM)."""
        return self.lines_between(*month_bounds(month))

    def adjustments_for(self, line_ids: Sequence[int]) -> Sequence[RemittanceAdjustment]:
        """Line-level adjustments of ``line_ids``, by id."""
        if not line_ids:
            return []
        stmt = (
            select(RemittanceAdjustment)
            .where(RemittanceAdjustment.line_id.in_(line_ids))
            .order_by(RemittanceAdjustment.id)
        )
        return self.session.scalars(stmt).all()
