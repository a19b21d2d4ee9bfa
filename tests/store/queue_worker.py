"""One ``chartready serve`` worklist loop as a process of its own, for the shared-queue tests.

``python queue_worker.py URL OUT GO [--lease S] [--die-after-claim]``: migrates (as a
server does on start), waits for the file GO, then drains the queue with the real
``check_queue`` and a stub check that appends each note id to OUT before "checking" it.
With ``--die-after-claim`` it claims one item and SIGKILLs itself, like a crashed server.
No reader is loaded and no note text is written anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

from assistant.store import Database, WorklistItem, WorklistQueue, check_queue


def wait_for(go: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{go} never appeared")
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("go", type=Path)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--die-after-claim", action="store_true")
    args = parser.parse_args()
    database = Database(args.url)
    database.migrate()
    queue = WorklistQueue(database, poll_seconds=0.05, lease_seconds=args.lease)
    wait_for(args.go)
    if args.die_after_claim:
        queue.claim_next()
        os.kill(os.getpid(), signal.SIGKILL)

    async def check(item: WorklistItem) -> dict[str, Any]:
        with args.out.open("a", encoding="utf-8") as out:
            out.write(f"{item.note_id}\n")
        await asyncio.sleep(0.03)
        return {"verdict": "ready", "facts": {"procedures": []}, "risk": None}

    asyncio.run(check_queue(queue, check, until_empty=True))
    database.dispose()


if __name__ == "__main__":
    main()
