"""Retention: delete stored checks, CDS feedback and worklist batches older than a cut-off.

What goes (one transaction, all or nothing):

- ``checks`` stored with ``store=true`` (their results quote the note) and ``cds_feedback``
  (free-text override comments), by when they were written;
- worklist ``batches`` by when they were imported, with their ``worklist_items`` (the note
  text, claim and result) and the ``overrides`` recorded on those items.

Audits hold no note text and are kept: an audit whose sample included a purged item
records its id in ``purged_item_ids``, and the report marks it purged (SQLite may hand a
deleted id to a later item, so the report must not look the id up again). Remittances that
were matched to a purged check or item keep their payment data; the link is cleared by the
foreign key (``ON DELETE SET NULL``). Counts only are reported, never note text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from assistant.store.db import Database
from assistant.store.models import (
    Audit,
    Batch,
    CdsFeedback,
    Override,
    StoredCheck,
    WorklistItem,
    utcnow,
)


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows of each kind a purge deleted (or, on a dry run, would delete)."""

    checks: int = 0
    cds_feedback: int = 0
    batches: int = 0
    worklist_items: int = 0
    overrides: int = 0
    audits_marked: int = 0

    @property
    def total(self) -> int:
        """Every row deleted (audits are updated, not deleted, so they do not count)."""
        return sum(count for _, count in self.rows()) - self.audits_marked

    def rows(self) -> list[tuple[str, int]]:
        """``(kind, count)`` pairs in a fixed order, for the CLI and the log."""
        return [(f.name, int(getattr(self, f.name))) for f in fields(self)]

    def describe(self) -> str:
        """``checks=2, cds_feedback=0, ...``: the counts on one line, for a log."""
        return ", ".join(f"{name}={count}" for name, count in self.rows())


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    """The moment ``days`` days before ``now``; ``ValueError`` unless ``days`` is positive.

    A zero or negative age would delete everything, including what was stored a moment
    ago, so it is refused rather than read as "now".
    """
    if days < 1:
        raise ValueError(f"the age must be a positive number of days, got {days}")
    return (now or utcnow()) - timedelta(days=days)


def _count(session: Session, model: type, condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _audit_marks(session: Session, item_ids: set[int]) -> list[tuple[Audit, list[int]]]:
    """Audits whose sample holds a newly purged item, each with its new purged list."""
    marks = []
    for audit in session.scalars(select(Audit).order_by(Audit.id)):
        already = set(audit.purged_item_ids or [])
        hit = item_ids.intersection(audit.item_ids) - already
        if hit:
            marks.append((audit, sorted(already | hit)))
    return marks


def purge_older_than(session: Session, cutoff: datetime, *, dry_run: bool = False) -> PurgeCounts:
    """Delete (or with ``dry_run`` only count) what was stored before ``cutoff``.

    Runs in the caller's transaction, so the deletions commit or roll back together.
    Children go before their parents, so no foreign key is left dangling at any step.
    """
    old_batches = Batch.created_at < cutoff
    old_items = WorklistItem.batch_id.in_(select(Batch.id).where(old_batches))
    old_overrides = Override.item_id.in_(select(WorklistItem.id).where(old_items))
    doomed = (
        (Override, old_overrides),
        (WorklistItem, old_items),
        (Batch, old_batches),
        (StoredCheck, StoredCheck.created_at < cutoff),
        (CdsFeedback, CdsFeedback.created_at < cutoff),
    )
    overrides, items, batches, checks, feedback = (
        _count(session, model, condition) for model, condition in doomed
    )
    marks = _audit_marks(session, set(session.scalars(select(WorklistItem.id).where(old_items))))
    if not dry_run:
        for audit, purged in marks:
            audit.purged_item_ids = purged
        session.flush()
        for model, condition in doomed:
            session.execute(
                delete(model).where(condition).execution_options(synchronize_session=False)
            )
    return PurgeCounts(checks, feedback, batches, items, overrides, len(marks))


def purge_database(database: Database, cutoff: datetime, *, dry_run: bool = False) -> PurgeCounts:
    """Purge what ``database`` stored before ``cutoff`` (:func:`retention_cutoff`), at once."""
    with database.session() as session:
        return purge_older_than(session, cutoff, dry_run=dry_run)
