"""Where the API runs pipeline calls (reads, checks): reader processes, or one thread here."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio

from api.reader_pool import ReaderPool
from assistant.facts import NoteFacts
from assistant.pipeline import read_note, warm_up

T = TypeVar("T")
READER_NICENESS = 5  # below the serving process: see ReaderPool
# A check may queue in a busy reader only behind notes this short (~15 ms each): see ReaderPool
QUEUE_BEHIND_CHARACTERS = 4_000


def default_reader_processes(cpus: int | None = None) -> int:
    """One reader process per core on two or more cores; none (a thread here) on one core.

    On one core a separate process only adds the cost of passing notes and results.
    """
    count = os.cpu_count() if cpus is None else cpus
    return count if count and count >= 2 else 0


class PipelineRunner:
    """Runs whole pipeline calls (a read, a check) off the event loop.

    With ``processes`` > 0, calls go to a :class:`ReaderPool` (functions and arguments must
    be picklable); with 0, to one thread of this process (tests, one-core machines).
    """

    def __init__(self, processes: int) -> None:
        self.pool = (
            ReaderPool(
                processes,
                warm_up,
                niceness=READER_NICENESS,
                queue_behind=QUEUE_BEHIND_CHARACTERS,
            )
            if processes
            else None
        )
        self._thread_limiter = anyio.CapacityLimiter(1)
        self.ready = False

    @property
    def serving(self) -> bool:
        """Warm, and (with reader processes) at least one of them up to take a check."""
        return self.ready and (self.pool is None or self.pool.live > 0)

    async def start(self, warm: bool = True) -> None:
        """Start the reader processes (each warms itself), or warm this process's reader."""
        if self.pool is not None:
            await self.pool.start()
        elif warm:
            await self.run(warm_up)
        self.ready = True

    async def run(self, func: Callable[..., T], *args: object, weight: int = 0) -> T:
        """``func(*args)`` in a reader process, or in the runner's thread.

        ``weight`` is the length of the note it reads (see :class:`ReaderPool`).
        """
        if self.pool is not None:
            return await self.pool.call(func, *args, weight=weight)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._thread_limiter)

    async def read(self, text: str, note_id: str) -> NoteFacts:
        """NoteFacts for one note."""
        return await self.run(read_note, text, note_id, weight=len(text))

    def status(self) -> str:
        """For ``/readyz``: how many reader processes are warm, or ``thread``."""
        if self.pool is None:
            return "thread"
        return f"{self.pool.live}/{self.pool.size} processes"

    async def close(self) -> None:
        """Stop the reader processes, if any."""
        self.ready = False
        if self.pool is not None:
            await self.pool.close()
