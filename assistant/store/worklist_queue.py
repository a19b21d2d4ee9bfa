"""The worklist's persisted queue and the one loop that checks it (survives a SIGKILL).

Mechanism (the database is the queue; nothing is held only in memory):

1. **Import** adds every item as ``pending`` in one transaction, so a crash mid-import
   leaves either the whole batch or nothing.
2. **Claim**: :meth:`WorklistQueue.claim_next` flips the oldest claimable item to
   ``running``, increments ``attempts`` and stamps ``updated_at`` (the start of its
   *lease*); the claim commits before checking. On PostgreSQL the candidate is picked with
   ``SELECT ... FOR UPDATE SKIP LOCKED``, so several servers on one database each take a
   different item without waiting for one another; on SQLite (one writer at a time) a
   compare-and-set ``UPDATE ... WHERE queue_status = <seen> AND attempts = <seen>``
   guarantees the same. Either way two loops never take the same claim.
3. **Check** runs with no transaction open (the database stays free), through the ``check``
   coroutine the caller gives :func:`check_queue` (the web app sends it to a reader process).
   While it runs, the loop renews the lease every third of ``lease_seconds``; a loop that
   is cancelled (the server stopping) hands its claim straight back.
4. **Commit**: the result, verdict, family, risk and priority are written and the item set
   ``done`` in one transaction, guarded by ``queue_status = 'running'`` and the claim's
   ``attempts`` (a claim that expired and was taken over is not recorded twice). A note the
   checker refuses (empty, undecodable, bad claim) is set ``failed`` with the error code,
   never the text.
5. **Release**: a ``running`` item whose lease has expired belongs to a loop that died (a
   crashed or killed server); any loop may claim it again, and :meth:`WorklistQueue.recover`
   (on start) puts such items back to ``pending``. Live claims of other servers are left
   alone. Because a check is deterministic and step 4 is a single transaction, re-checking
   is idempotent: an item is either fully done or not. An item that has already been
   claimed ``MAX_ATTEMPTS`` times (it keeps killing the process) is set ``failed`` instead
   of looping forever.

Several ``chartready serve`` processes may therefore share one PostgreSQL database; SQLite
is meant for one server per database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import ColumnElement, Select, and_, or_, select, update

from assistant.store.db import Database
from assistant.store.models import WorklistItem, utcnow

logger = logging.getLogger("chartready.worklist")

MAX_ATTEMPTS = 3
# A claim not renewed for this long is taken to belong to a dead loop (renewed every third).
LEASE_SECONDS = 60.0
# The error of an item whose check kept stopping the checker (it is not tried again).
EXHAUSTED = f"stopped the checker {MAX_ATTEMPTS} times"
Outcome = dict[str, Any] | Exception
Check = Callable[[WorklistItem], Awaitable[dict[str, Any]]]


def worklist_check_args(item: WorklistItem) -> tuple[str, str, str, dict[str, Any] | None, str]:
    """The arguments of :func:`assistant.pipeline.check_note_json` for ``item``."""
    return item.note_text, item.note_id, item.payer, item.claim, f"item {item.id} claim"


def summarise(result: dict[str, Any], charge_total: float) -> dict[str, Any]:
    """The columns kept beside a result: verdict, first family, risk and queue priority.

    Priority is denial probability x total charge (charges under $1 count as $1), so a
    likely denial on an expensive claim comes first.
    """
    risk = result.get("risk") or {}
    probability = risk.get("probability")
    procedures = (result.get("facts") or {}).get("procedures") or []
    family = procedures[0].get("family") if procedures else None
    return {
        "verdict": result.get("verdict"),
        "family": family or "none",
        "risk_probability": probability,
        "risk_band": risk.get("band"),
        "priority": float(probability or 0.0) * max(charge_total, 1.0),
    }


class WorklistQueue:
    """The worklist items of one database as a crash-safe queue: claim, record, release."""

    def __init__(
        self, database: Database, poll_seconds: float = 2.0, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        # Row locks that other transactions skip: PostgreSQL's way to share a queue.
        self.skip_locked = database.backend == "postgresql"

    def _expired(self, now: datetime) -> ColumnElement[bool]:
        """Running items whose lease ended before ``now`` (their loop is gone)."""
        cutoff = now - timedelta(seconds=self.lease_seconds)
        return and_(WorklistItem.queue_status == "running", WorklistItem.updated_at < cutoff)

    def _pick(self, condition: ColumnElement[bool]) -> Select[int, str, int]:
        """Items matching ``condition``, oldest first, skipping rows another server holds."""
        query = (
            select(WorklistItem.id, WorklistItem.queue_status, WorklistItem.attempts)
            .where(condition)
            .order_by(WorklistItem.id)
        )
        return query.with_for_update(skip_locked=True) if self.skip_locked else query

    def recover(self, now: datetime | None = None) -> int:
        """Re-queue items whose lease expired (their server died); returns how many.

        Items claimed ``MAX_ATTEMPTS`` times are set ``failed`` instead. Claims still
        within their lease belong to a live server and are left alone.
        """
        expired = self._expired(now or utcnow())
        with self.database.session() as session:
            rows = session.execute(self._pick(expired)).all()
            exhausted = [row.id for row in rows if row.attempts >= MAX_ATTEMPTS]
            requeued = [row.id for row in rows if row.attempts < MAX_ATTEMPTS]
            if exhausted:
                session.execute(
                    update(WorklistItem)
                    .where(WorklistItem.id.in_(exhausted), expired)
                    .values(queue_status="failed", error=EXHAUSTED)
                )
            count = 0
            if requeued:
                result = session.execute(
                    update(WorklistItem)
                    .where(WorklistItem.id.in_(requeued), expired)
                    .values(queue_status="pending")
                )
                count = int(result.rowcount)  # type: ignore[attr-defined]
        if count or exhausted:
            logger.info("worklist recovery: %d re-queued after an interruption", count)
        return count

    def claim_next(self, now: datetime | None = None) -> WorklistItem | None:
        """Claim the oldest pending (or abandoned) item: ``running``, committed; or None."""
        now = now or utcnow()
        claimable = or_(WorklistItem.queue_status == "pending", self._expired(now))
        with self.database.session() as session:
            # Ends: each pass claims, fails an exhausted item, or (SQLite) sees a row that
            # another loop changed since the read, which the next read no longer offers.
            while True:
                row = session.execute(self._pick(claimable).limit(1)).first()
                if row is None:
                    return None
                unchanged = (
                    WorklistItem.id == row.id,
                    WorklistItem.queue_status == row.queue_status,
                    WorklistItem.attempts == row.attempts,
                )
                if row.queue_status == "running" and row.attempts >= MAX_ATTEMPTS:
                    session.execute(
                        update(WorklistItem)
                        .where(*unchanged)
                        .values(queue_status="failed", error=EXHAUSTED, updated_at=now)
                    )
                    continue
                claimed = session.execute(
                    update(WorklistItem)
                    .where(*unchanged)
                    .values(queue_status="running", attempts=row.attempts + 1, updated_at=now)
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    return session.get(WorklistItem, row.id)

    def _owned(self, item: WorklistItem) -> tuple[ColumnElement[bool], ...]:
        """The rows still under ``item``'s claim: running, and not claimed again since."""
        return (
            WorklistItem.id == item.id,
            WorklistItem.queue_status == "running",
            WorklistItem.attempts == item.attempts,
        )

    def renew(self, item: WorklistItem) -> bool:
        """Extend ``item``'s lease (a long check); False if the claim is no longer ours."""
        with self.database.session() as session:
            result = session.execute(
                update(WorklistItem).where(*self._owned(item)).values(updated_at=utcnow())
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, item: WorklistItem) -> bool:
        """Hand a claim back unused (the server is stopping): ``pending``, attempt not counted."""
        with self.database.session() as session:
            result = session.execute(
                update(WorklistItem)
                .where(*self._owned(item))
                .values(queue_status="pending", attempts=item.attempts - 1, updated_at=utcnow())
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def retry(self, item_id: int) -> bool:
        """Put a ``failed`` item back to ``pending`` with fresh attempts; False if not failed.

        A person asks for it (the worklist's Retry button), so the attempt count starts
        again; the guard on ``failed`` leaves a running or checked item alone.
        """
        with self.database.session() as session:
            result = session.execute(
                update(WorklistItem)
                .where(WorklistItem.id == item_id, WorklistItem.queue_status == "failed")
                .values(queue_status="pending", attempts=0, error=None, updated_at=utcnow())
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _finish(self, item: WorklistItem, values: dict[str, Any]) -> None:
        with self.database.session() as session:
            session.execute(
                update(WorklistItem)
                .where(*self._owned(item))
                .values(checked_at=utcnow(), updated_at=utcnow(), **values)
            )

    def record(self, item: WorklistItem, outcome: Outcome) -> None:
        """Commit a claimed item's check result, or the error that stopped it (its code only)."""
        if isinstance(outcome, Exception):
            code = str(getattr(outcome, "code", type(outcome).__name__))
            logger.warning("worklist item %d failed: %s", item.id, code)
            self._finish(item, {"queue_status": "failed", "error": code[:500]})
            return
        summary = summarise(outcome, item.charge_total)
        self._finish(item, {"queue_status": "done", "result": outcome, "error": None, **summary})


async def _keep_lease(queue: WorklistQueue, item: WorklistItem) -> None:
    """Renew ``item``'s lease every third of the lease while its check runs."""
    while True:
        await asyncio.sleep(queue.lease_seconds / 3)
        try:
            await anyio.to_thread.run_sync(queue.renew, item)
        except Exception:  # the store may be briefly unavailable; the next renewal may work
            logger.exception("worklist lease renewal failed; retrying")


async def _check_leased(queue: WorklistQueue, check: Check, item: WorklistItem) -> Outcome:
    """Run ``check`` on ``item`` while keeping its lease; an exception is the outcome."""
    lease = asyncio.create_task(_keep_lease(queue, item))
    try:
        return await check(item)
    except Exception as exc:  # a bad note must not stop the queue
        return exc
    except asyncio.CancelledError:  # the server is stopping: others need not wait the lease
        try:
            queue.release(item)
        except Exception:  # the lease still expires, so the item is not lost
            logger.exception("worklist claim not handed back; its lease will expire")
        raise
    finally:
        lease.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lease


async def check_queue(
    queue: WorklistQueue,
    check: Check,
    *,
    wake: asyncio.Event | None = None,
    until_empty: bool = False,
) -> int:
    """Claim, check and record items until the queue is empty (``until_empty``) or forever.

    Claims and commits run in a thread, checks in ``check``; ``wake`` (set after an
    import) makes the loop look at the queue before the next poll. Returns how many items
    were checked (only reached with ``until_empty``).
    """
    checked = 0
    while True:
        if wake is not None:  # cleared before the claim, so a wake set during it is kept
            wake.clear()
        try:
            item = await anyio.to_thread.run_sync(queue.claim_next)
        except Exception:  # the store may be briefly unavailable; try again shortly
            logger.exception("worklist claim failed; retrying")
            item = None
        if item is None:
            if until_empty:
                return checked
            if wake is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=queue.poll_seconds)
            else:
                await asyncio.sleep(queue.poll_seconds)
            continue
        outcome = await _check_leased(queue, check, item)
        await anyio.to_thread.run_sync(queue.record, item, outcome)
        checked += 1
