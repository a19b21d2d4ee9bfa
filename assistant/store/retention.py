"""Retention: delete stored checks, CDS feedback, worklist batches and remittances past a cut-off.

What goes (one transaction, all or nothing):

- ``checks`` stored with ``store=true`` (their results quote the note) and ``cds_feedback``
  (free-text override comments), by when they were written;
- worklist ``batches`` by when they were imported, with their ``worklist_items`` (the note
  text, claim and result) and the ``overrides`` recorded on those items;
- imported 835 ``remittance_files`` by when they were imported, with their claims (patient
  control numbers, payer claim numbers), service lines and adjustments. A purged file's
  hash goes with it, so importing the same file again would add it again.

Audits hold no note text and are kept: an audit whose sample included a purged item
records its id in ``purged_item_ids``, and the report marks it purged (SQLite may hand a
deleted id to a later item, so the report must not look the id up again). Remittances kept
(imported after the cut-off) that were matched to a purged check or item keep their payment
data; the link is cleared by the foreign key (``ON DELETE SET NULL``). Counts only are
reported, never note text.
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
from assistant.store.remittance_tables import (
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
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
    remittance_files: int = 0
    remittance_claims: int = 0
    remittance_lines: int = 0
    remittance_adjustments: int = 0

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


def _remittances_before(cutoff: datetime) -> tuple[tuple[type, ColumnElement[bool]], ...]:
    """Remittance rows of files imported before ``cutoff``, children first."""
    old_files = select(RemittanceFile.id).where(RemittanceFile.imported_at < cutoff)
    old_claims = select(RemittanceClaim.id).where(RemittanceClaim.file_id.in_(old_files))
    return (
        (RemittanceAdjustment, RemittanceAdjustment.claim_id.in_(old_claims)),
        (RemittanceLine, RemittanceLine.claim_id.in_(old_claims)),
        (RemittanceClaim, RemittanceClaim.file_id.in_(old_files)),
        (RemittanceFile, RemittanceFile.imported_at < cutoff),
    )


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
    remittances = _remittances_before(cutoff)
    overrides, items, batches, checks, feedback = (
        _count(session, model, condition) for model, condition in doomed
    )
    adjustments, lines, claims, files = (
        _count(session, model, condition) for model, condition in remittances
    )
    marks = _audit_marks(session, set(session.scalars(select(WorklistItem.id).where(old_items))))
    if not dry_run:
        for audit, purged in marks:
            audit.purged_item_ids = purged
        session.flush()
        for model, condition in (*doomed, *remittances):
            session.execute(
                delete(model).where(condition).execution_options(synchronize_session=False)
            )
    return PurgeCounts(
        checks,
        feedback,
        batches,
        items,
        overrides,
        len(marks),
        remittance_files=files,
        remittance_claims=claims,
        remittance_lines=lines,
        remittance_adjustments=adjustments,
    )


def purge_database(database: Database, cutoff: datetime, *, dry_run: bool = False) -> PurgeCounts:
    """Purge what ``database`` stored before ``cutoff`` (:func:`retention_cutoff`), at once."""
    with database.session() as session:
        return purge_older_than(session, cutoff, dry_run=dry_run)
