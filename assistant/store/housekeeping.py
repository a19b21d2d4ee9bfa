"""Housekeeping on a schedule: expired web sessions and old failed sign-ins are deleted.

A session is refused after its expiry anyway, and a failure older than a day no longer
counts towards a lock; deleting the rows keeps the tables (and what a stolen database would
show of who signed in when) small. With a retention period (``CHARTREADY_RETENTION_DAYS``),
stored checks, worklist notes and imported remittances older than it are purged too
(``assistant.store.retention``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import anyio

from assistant.store.db import Database
from assistant.store.models import utcnow
from assistant.store.retention import purge_database, retention_cutoff
from assistant.store.sign_in_guard import SignInGuard
from assistant.store.staff import WebSessionRepository

logger = logging.getLogger("chartready.store")
HOUSEKEEPING_SECONDS = 3600.0
FAILURES_KEPT = timedelta(days=1)


def purge_expired_sessions(database: Database) -> int:
    """Delete every expired web session now; returns how many."""
    with database.session() as session:
        return WebSessionRepository(session).purge_expired()


def forget_old_sign_in_failures(database: Database) -> int:
    """Delete failed sign-ins older than a day (they no longer count); returns how many."""
    with database.session() as session:
        return SignInGuard(session).forget_before(utcnow() - FAILURES_KEPT)


def purge_past_retention(database: Database, retention_days: int | None) -> None:
    """Purge checks, worklist batches and remittances past ``retention_days`` (None: keep all)."""
    if retention_days is None:
        return
    counts = purge_database(database, retention_cutoff(retention_days))
    if counts.total:
        logger.info("retention %d days: deleted %s", retention_days, counts.describe())


def one_round(database: Database, retention_days: int | None = None) -> tuple[int, int]:
    """One housekeeping pass; returns (expired sessions, old sign-in failures) deleted."""
    deleted = purge_expired_sessions(database), forget_old_sign_in_failures(database)
    purge_past_retention(database, retention_days)
    return deleted


async def housekeeping_forever(
    database: Database, every: float = HOUSEKEEPING_SECONDS, retention_days: int | None = None
) -> None:
    """Run the housekeeping at once and then every ``every`` seconds, until cancelled."""
    while True:
        try:
            sessions, failures = await anyio.to_thread.run_sync(one_round, database, retention_days)
            if sessions or failures:
                logger.info(
                    "deleted %d expired sessions, %d old sign-in failures", sessions, failures
                )
        except Exception:  # the store may be briefly unavailable; try at the next round
            logger.exception("housekeeping failed; retrying at the next round")
        await asyncio.sleep(every)
