"""Worklist, overrides and audits: the repository the web pages and the audit code use."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assistant.store.importing import ImportRow
from assistant.store.models import (
    REVIEW_STATUSES,
    Audit,
    Batch,
    Override,
    WorklistItem,
    utcnow,
)
from assistant.store.worklist_queue import summarise

SORTS = ("priority", "date", "provider")


@dataclass(frozen=True)
class WorklistFilter:
    """Queue filters; ``None`` means any."""

    provider: str | None = None
    family: str | None = None
    payer: str | None = None
    verdict: str | None = None
    review_status: str | None = None
    batch_id: int | None = None


@dataclass(frozen=True)
class BatchProgress:
    """How far the background check of one batch has got."""

    batch_id: int
    total: int
    done: int
    failed: int

    @property
    def finished(self) -> bool:
        """True when every item is checked or failed."""
        return self.done + self.failed >= self.total


def month_bounds(month: str) -> tuple[date, date]:
    """``[first day, first day of next month)`` for ``YYYY-MM``; ``ValueError`` if malformed."""
    year, _, mon = month.partition("-")
    if len(year) != 4 or len(mon) != 2 or not (year + mon).isdigit():
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    start = date(int(year), int(mon), 1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end


def month_name(month: str) -> str:
    """``YYYY-MM`` in words ("March 2026")."""
    start, _ = month_bounds(month)
    return f"{calendar.month_name[start.month]} {start.year}"


class WorklistRepository:
    """Import batches, list and filter the queue, set statuses, record overrides and audits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def import_batch(self, name: str, rows: Sequence[ImportRow], imported_by: str) -> Batch:
        """Add a batch and its items as ``pending`` (one transaction: all rows or none)."""
        batch = Batch(name=name[:200], imported_by=imported_by)
        self.session.add(batch)
        self.session.flush()
        for row in rows:
            claim: dict[str, Any] | None = None
            if row.claim_lines:
                claim = {
                    "payer": row.payer,
                    "date_of_service": row.date_of_service.isoformat(),
                    "lines": [line.model_dump(mode="json") for line in row.claim_lines],
                }
            self.session.add(
                WorklistItem(
                    batch_id=batch.id,
                    note_id=row.note_id,
                    provider=row.provider,
                    date_of_service=row.date_of_service,
                    payer=row.payer,
                    patient_key=row.patient_key,
                    note_text=row.note_text or "",
                    claim=claim,
                    charge_total=row.charge_total,
                )
            )
        self.session.flush()
        return batch

    def save_checked(
        self,
        *,
        note_id: str,
        note_text: str,
        payer: str,
        claim: dict[str, Any] | None,
        result: dict[str, Any],
        user: str,
        day: date,
        patient_key: str | None = None,
    ) -> WorklistItem:
        """Keep a check made on the pre-sign page as a checked item of the user's day batch.

        The note needs no queue: its result is stored as checked. Each user's saves of one
        day share a batch (``imported_by`` is the user); saving the same note id again that
        day updates its item instead of adding a second one. ``patient_key`` links the item
        to the patient's authorizations, as an imported row's key does.
        """
        name = f"Pre-sign checks saved by {user} on {day.isoformat()}"[:200]
        batch = self.session.scalar(
            select(Batch).where(Batch.name == name, Batch.imported_by == user)
        )
        if batch is None:
            batch = Batch(name=name, imported_by=user)
            self.session.add(batch)
            self.session.flush()
        item = self.session.scalar(
            select(WorklistItem).where(
                WorklistItem.batch_id == batch.id, WorklistItem.note_id == note_id
            )
        )
        if item is None:
            item = WorklistItem(batch_id=batch.id, note_id=note_id, charge_total=0.0)
            self.session.add(item)
        item.provider, item.date_of_service, item.payer = user, day, payer
        item.note_text, item.claim, item.result = note_text, claim, result
        item.patient_key = patient_key
        item.queue_status, item.error, item.checked_at = "done", None, utcnow()
        self.set_columns(item, summarise(result, item.charge_total or 0.0))
        self.session.flush()
        return item

    def saved_by(self, item: WorklistItem, user: str) -> bool:
        """Whether ``user`` saved ``item`` (their pre-sign save, or a batch they imported)."""
        batch = self.session.get(Batch, item.batch_id)
        return batch is not None and batch.imported_by == user

    def get(self, item_id: int) -> WorklistItem | None:
        """One item by id."""
        return self.session.get(WorklistItem, item_id)

    @staticmethod
    def _matching(stmt: Select[Any], filters: WorklistFilter) -> Select[Any]:
        """``stmt`` restricted to the items matching ``filters``."""
        for column, value in (
            (WorklistItem.provider, filters.provider),
            (WorklistItem.family, filters.family),
            (WorklistItem.payer, filters.payer),
            (WorklistItem.verdict, filters.verdict),
            (WorklistItem.review_status, filters.review_status),
            (WorklistItem.batch_id, filters.batch_id),
        ):
            if value is not None and value != "":
                stmt = stmt.where(column == value)
        return stmt

    def queue(
        self,
        filters: WorklistFilter,
        sort: str = "priority",
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[WorklistItem]:
        """Items matching ``filters``; by default highest risk x charge first.

        ``limit`` and ``offset`` give one page of that order.
        """
        stmt = self._matching(select(WorklistItem), filters)
        if sort == "date":
            order = [WorklistItem.date_of_service.desc(), WorklistItem.id]
        elif sort == "provider":
            order = [WorklistItem.provider, WorklistItem.priority.desc(), WorklistItem.id]
        else:
            order = [WorklistItem.priority.desc(), WorklistItem.id]
        stmt = stmt.order_by(*order).offset(offset).limit(limit)
        return self.session.scalars(stmt).all()

    def count(self, filters: WorklistFilter) -> int:
        """How many items match ``filters`` (every page of :meth:`queue`)."""
        stmt = self._matching(select(func.count()).select_from(WorklistItem), filters)
        return int(self.session.scalar(stmt) or 0)

    def facets(self) -> dict[str, list[str]]:
        """Distinct providers, families, payers and verdicts, for the filter menus."""
        out: dict[str, list[str]] = {}
        for key, column in (
            ("provider", WorklistItem.provider),
            ("family", WorklistItem.family),
            ("payer", WorklistItem.payer),
            ("verdict", WorklistItem.verdict),
        ):
            values = self.session.scalars(select(column).distinct().order_by(column)).all()
            out[key] = [v for v in values if v]
        return out

    def progress(self, batch_id: int) -> BatchProgress:
        """Checked, failed and total counts for a batch."""
        rows = self.session.execute(
            select(WorklistItem.queue_status, func.count())
            .where(WorklistItem.batch_id == batch_id)
            .group_by(WorklistItem.queue_status)
        ).all()
        counts = {str(status): int(count) for status, count in rows}
        return BatchProgress(
            batch_id, sum(counts.values()), counts.get("done", 0), counts.get("failed", 0)
        )

    def batches(self, limit: int | None = None) -> Sequence[Batch]:
        """Batches newest first: every one, or the ``limit`` newest (read no more)."""
        return self.session.scalars(select(Batch).order_by(Batch.id.desc()).limit(limit)).all()

    def get_batch(self, batch_id: int) -> Batch | None:
        """One batch by id."""
        return self.session.get(Batch, batch_id)

    def set_review_status(self, item: WorklistItem, status: str) -> None:
        """Move an item to a review status; ``ValueError`` for an unknown one."""
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        item.review_status = status
        item.updated_at = utcnow()

    def set_columns(self, item: WorklistItem, columns: dict[str, Any]) -> None:
        """Replace the columns kept beside the result (verdict, family, risk, priority)."""
        for name, value in columns.items():
            setattr(item, name, value)
        item.updated_at = utcnow()

    def add_override(self, item: WorklistItem, rule_id: str, reason: str, user: str) -> Override:
        """Record that ``user`` overrode finding ``rule_id`` on ``item`` and why."""
        reason = reason.strip()
        if not reason:
            raise ValueError("an override needs a reason")
        findings = (item.result or {}).get("findings", [])
        if rule_id not in {f.get("rule_id") for f in findings}:
            raise ValueError(f"the item has no finding {rule_id!r}")
        row = Override(item_id=item.id, rule_id=rule_id, reason=reason[:1000], user_name=user)
        self.session.add(row)
        self.session.flush()
        return row

    def overrides_for(self, item_ids: Sequence[int]) -> Sequence[Override]:
        """Overrides on any of ``item_ids``, oldest first."""
        if not item_ids:
            return []
        stmt = select(Override).where(Override.item_id.in_(item_ids)).order_by(Override.id)
        return self.session.scalars(stmt).all()

    def override_labels(self) -> list[dict[str, Any]]:
        """Every override as a retraining label: the finding judged wrong, by whom and why."""
        stmt = select(Override, WorklistItem).join(WorklistItem).order_by(Override.id)
        return [
            {
                "note_id": item.note_id,
                "payer": item.payer,
                "family": item.family,
                "rule_id": override.rule_id,
                "label": "finding_overridden",
                "reason": override.reason,
                "user": override.user_name,
                "at": override.created_at.isoformat(),
            }
            for override, item in self.session.execute(stmt).all()
        ]

    def checked_in_month(self, month: str) -> Sequence[WorklistItem]:
        """Checked items whose date of service falls in ``month`` (YYYY-MM), by id."""
        start, end = month_bounds(month)
        stmt = (
            select(WorklistItem)
            .where(WorklistItem.queue_status == "done")
            .where(WorklistItem.date_of_service >= start, WorklistItem.date_of_service < end)
            .order_by(WorklistItem.id)
        )
        return self.session.scalars(stmt).all()

    def items(self, item_ids: Sequence[int]) -> Sequence[WorklistItem]:
        """Items by id (those that still exist), by id."""
        if not item_ids:
            return []
        stmt = select(WorklistItem).where(WorklistItem.id.in_(item_ids)).order_by(WorklistItem.id)
        return self.session.scalars(stmt).all()

    def add_audit(
        self, month: str, per_provider: int, seed: int, item_ids: Sequence[int], user: str
    ) -> Audit:
        """Record an audit with its seed and the sample it drew."""
        audit = Audit(
            month=month,
            per_provider=per_provider,
            seed=seed,
            created_by=user,
            item_ids=list(item_ids),
        )
        self.session.add(audit)
        self.session.flush()
        return audit

    def get_audit(self, audit_id: int) -> Audit | None:
        """One audit by id."""
        return self.session.get(Audit, audit_id)

    def audits(self) -> Sequence[Audit]:
        """Every audit, newest first."""
        return self.session.scalars(select(Audit).order_by(Audit.id.desc())).all()
