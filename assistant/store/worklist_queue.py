"""The worklist's persisted queue and the one loop that checks it (survives a SIGKILL).

Mechanism (the database is the queue; nothing is held only in memory):

1. **Import** adds every item as ``pending`` in one transaction, so a crash mid-import
   leaves either the whole batch or nothing.
2. **Claim**: :meth:`WorklistQueue.claim_next` flips one item ``pending -> running`` with
   a compare-and-set ``UPDATE ... WHERE id = :id AND queue_status = 'pending'`` and
   increments ``attempts``; the claim commits before checking, so two loops can never take
   the same item.
3. **Check** runs with no transaction open (the database stays free), through the ``check``
   coroutine the caller gives :func:`check_queue` (the web app sends it to a reader process).
4. **Commit**: the result, verdict, family, risk and priority are written and the item set
   ``done`` in one transaction, guarded by ``queue_status = 'running'``. A note the checker
   refuses (empty, undecodable, bad claim) is set ``failed`` with the error code, never
   the text.
5. **Recover** (on start): items left ``running`` were interrupted by a crash; they go back to
   ``pending`` and are checked once more. Because a check is deterministic and step 4 is a
   single transaction, re-checking is idempotent: an item is either fully done or not.
   An item that has already been claimed ``MAX_ATTEMPTS`` times (it keeps killing the
   process) is set ``failed`` instead of looping forever.

One loop per database is assumed (recovery resets every ``running`` item); run the web app
with a single serving process per database, as ``chartready serve`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy import select, update

from assistant.store.db import Database
from assistant.store.models import WorklistItem, utcnow

logger = logging.getLogger("chartready.worklist")

MAX_ATTEMPTS = 3
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
    """The worklist items of one database as a crash-safe queue: claim, record, recover."""

    def __init__(self, database: Database, poll_seconds: float = 2.0) -> None:
        self.database = database
        self.poll_seconds = poll_seconds

    def recover(self) -> int:
        """Return interrupted (``running``) items to the queue; returns how many."""
        with self.database.session() as session:
            exhausted = session.execute(
                update(WorklistItem)
                .where(WorklistItem.queue_status == "running")
                .where(WorklistItem.attempts >= MAX_ATTEMPTS)
                .values(queue_status="failed", error=f"stopped the checker {MAX_ATTEMPTS} times")
            )
            requeued = session.execute(
                update(WorklistItem)
                .where(WorklistItem.queue_status == "running")
                .values(queue_status="pending")
            )
        count = int(requeued.rowcount)  # type: ignore[attr-defined]
        if count or exhausted.rowcount:  # type: ignore[attr-defined]
            logger.info("worklist recovery: %d re-queued after an interruption", count)
        return count

    def claim_next(self) -> WorklistItem | None:
        """Mark the oldest ``pending`` item ``running`` (committed) and return it, if any."""
        with self.database.session() as session:
            candidate = session.scalar(
                select(WorklistItem.id)
                .where(WorklistItem.queue_status == "pending")
                .order_by(WorklistItem.id)
                .limit(1)
            )
            if candidate is None:
                return None
            claimed = session.execute(
                update(WorklistItem)
                .where(WorklistItem.id == candidate, WorklistItem.queue_status == "pending")
                .values(
                    queue_status="running",
                    attempts=WorklistItem.attempts + 1,
                    updated_at=utcnow(),
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return session.get(WorklistItem, candidate)

    def _finish(self, item_id: int, values: dict[str, Any]) -> None:
        with self.database.session() as session:
            session.execute(
                update(WorklistItem)
                .where(WorklistItem.id == item_id, WorklistItem.queue_status == "running")
                .values(checked_at=utcnow(), updated_at=utcnow(), **values)
            )

    def record(self, item: WorklistItem, outcome: Outcome) -> None:
        """Commit a claimed item's check result, or the error that stopped it (its code only)."""
        if isinstance(outcome, Exception):
            code = str(getattr(outcome, "code", type(outcome).__name__))
            logger.warning("worklist item %d failed: %s", item.id, code)
            self._finish(item.id, {"queue_status": "failed", "error": code[:500]})
            return
        summary = summarise(outcome, item.charge_total)
        self._finish(item.id, {"queue_status": "done", "result": outcome, "error": None, **summary})


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
        try:
            item = await anyio.to_thread.run_sync(queue.claim_next)
        except Exception:  # the store may be briefly unavailable; try again shortly
            logger.exception("worklist claim failed; retrying")
            item = None
        if item is None:
            if until_empty:
                return checked
            if wake is not None:
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=queue.poll_seconds)
            else:
                await asyncio.sleep(queue.poll_seconds)
            continue
        try:
            outcome: Outcome = await check(item)
        except Exception as exc:  # a bad note must not stop the queue
            outcome = exc
        await anyio.to_thread.run_sync(queue.record, item, outcome)
        checked += 1
