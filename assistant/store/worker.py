"""The worklist's background checker: a persisted queue that survives a crash (SIGKILL).

Mechanism (the database is the queue; nothing is held only in memory):

1. **Import** adds every item as ``pending`` in one transaction, so a crash mid-import
   leaves either the whole batch or nothing.
2. **Claim**: the worker flips one item ``pending -> running`` with a compare-and-set
   ``UPDATE ... WHERE id = :id AND queue_status = 'pending'`` and increments ``attempts``;
   the claim commits before checking, so two workers can never take the same item.
3. **Check** runs with no transaction open (reading takes ~0.1 s; the database stays free).
4. **Commit**: the result, verdict, family, risk and priority are written and the item set
   ``done`` in one transaction, guarded by ``queue_status = 'running'``. A note the checker
   refuses (empty, undecodable, bad claim) is set ``failed`` with the error code, never
   the text.
5. **Recover** (on start): items left ``running`` were interrupted by a crash; they go back to
   ``pending`` and are checked once more. Because a check is deterministic and step 4 is a
   single transaction, re-checking is idempotent: an item is either fully done or not.
   An item that has already been claimed ``MAX_ATTEMPTS`` times (it keeps killing the
   process) is set ``failed`` instead of looping forever.

One worker per database is assumed (recovery resets every ``running`` item); run
the web app with a single process per database, as ``chartready serve`` does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from assistant.store.db import Database
from assistant.store.models import WorklistItem, utcnow

logger = logging.getLogger("chartready.worklist")

MAX_ATTEMPTS = 3
CheckFunction = Callable[[WorklistItem], dict[str, Any]]


def check_worklist_note(
    text: str, note_id: str, payer: str, claim: dict[str, Any] | None, label: str
) -> dict[str, Any]:
    """Check one worklist note (with its claim, if any); the result as JSON.

    Plain arguments, so a reader process can run it (``label`` names the claim in errors).
    """
    from assistant.checks import check_note
    from assistant.checks.claims import parse_claim

    parsed = parse_claim(claim, label) if claim else None
    return check_note(text, note_id=note_id, payer=payer, claim=parsed).to_json_dict()


def worklist_check_args(item: WorklistItem) -> tuple[str, str, str, dict[str, Any] | None, str]:
    """The arguments of :func:`check_worklist_note` for ``item``."""
    return item.note_text, item.note_id, item.payer, item.claim, f"item {item.id} claim"


def check_worklist_item(item: WorklistItem) -> dict[str, Any]:
    """Check one item's note (with its claim, if any) and return the result as JSON."""
    return check_worklist_note(*worklist_check_args(item))


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


class CheckWorker:
    """Checks ``pending`` worklist items one at a time.

    Inline (``run_pending``), in a daemon thread (``start``), or driven by the web app's
    event loop (``claim_next``, :func:`check_worklist_note` in a reader process, ``record``).
    """

    def __init__(
        self,
        database: Database,
        check: CheckFunction = check_worklist_item,
        poll_seconds: float = 2.0,
    ) -> None:
        self.database = database
        self.check = check
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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

    def handle(self, item: WorklistItem) -> None:
        """Check a claimed item and commit its result (or its failure) in one transaction."""
        try:
            outcome: dict[str, Any] | Exception = self.check(item)
        except Exception as exc:  # a bad note must not stop the queue
            outcome = exc
        self.record(item, outcome)

    def record(self, item: WorklistItem, outcome: dict[str, Any] | Exception) -> None:
        """Commit a claimed item's check result, or the error that stopped it (its code only)."""
        if isinstance(outcome, Exception):
            code = str(getattr(outcome, "code", type(outcome).__name__))
            logger.warning("worklist item %d failed: %s", item.id, code)
            self._finish(item.id, {"queue_status": "failed", "error": code[:500]})
            return
        summary = summarise(outcome, item.charge_total)
        self._finish(item.id, {"queue_status": "done", "result": outcome, "error": None, **summary})

    def process_one(self) -> bool:
        """Claim, check and commit one item; ``False`` when the queue is empty."""
        item = self.claim_next()
        if item is None:
            return False
        self.handle(item)
        return True

    def run_pending(self, limit: int | None = None) -> int:
        """Process pending items inline until the queue is empty (or ``limit``); returns count."""
        count = 0
        while (limit is None or count < limit) and not self._stop.is_set():
            if not self.process_one():
                break
            count += 1
        return count

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # the database may be briefly unavailable; retry later
                logger.exception("worklist worker error; retrying")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def start(self) -> None:
        """Recover interrupted items, then check in a daemon thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="worklist-checker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (after an import) rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current item and wait for the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
