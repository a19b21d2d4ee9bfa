"""Housekeeping the serving process runs on a schedule: expired web sessions are deleted.

A session is refused after its expiry anyway; deleting the rows keeps the table (and what
a stolen database would show of who signed in when) small.
"""

from __future__ import annotations

import asyncio
import logging

import anyio

from assistant.store.db import Database
from assistant.store.staff import WebSessionRepository

logger = logging.getLogger("chartready.store")
SESSION_PURGE_SECONDS = 3600.0


def purge_expired_sessions(database: Database) -> int:
    """Delete every expired web session now; returns how many."""
    with database.session() as session:
        return WebSessionRepository(session).purge_expired()


async def purge_sessions_forever(database: Database, every: float = SESSION_PURGE_SECONDS) -> None:
    """Purge expired sessions at once and then every ``every`` seconds, until cancelled."""
    while True:
        try:
            removed = await anyio.to_thread.run_sync(purge_expired_sessions, database)
            if removed:
                logger.info("purged %d expired web sessions", removed)
        except Exception:  # the store may be briefly unavailable; try at the next round
            logger.exception("session purge failed; retrying at the next round")
        await asyncio.sleep(every)
