"""The store on PostgreSQL and SQLite: migrations both ways, and one queue for several servers.

The tests taking ``store_url`` run once per database; those taking ``postgres_schema_url``
only on PostgreSQL (skipped when it is unreachable, failed under CHARTREADY_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

import assistant.store.migrations as migrations
from assistant.store import (
    Base,
    Database,
    ImportRow,
    WorklistItem,
    WorklistQueue,
    WorklistRepository,
    check_queue,
)
from assistant.store.worklist_queue import LEASE_SECONDS

WORKER = Path(__file__).with_name("queue_worker.py")
RESULT: dict[str, Any] = {"verdict": "ready", "facts": {"procedures": []}, "risk": None}


def _import(database: Database, count: int) -> None:
    rows = [
        ImportRow(
            note_id=f"n{i:03d}",
            provider="P",
            date_of_service=date(2026, 10, 1),
            payer="medicare",
            note_text=f"synthetic note {i}",
        )
        for i in range(count)
    ]
    with database.session() as session:
        WorklistRepository(session).import_batch("b.csv", rows, "tester")


def _items(database: Database) -> dict[str, tuple[str, int]]:
    """note id -> (queue status, attempts)."""
    with database.session() as session:
        rows = session.execute(
            select(WorklistItem.note_id, WorklistItem.queue_status, WorklistItem.attempts)
        ).all()
    return {str(n): (str(s), int(a)) for n, s, a in rows}


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS + 1)


# ---- migrations ---------------------------------------------------------------------------


def _alembic() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def test_migrations_go_down_to_nothing_and_up_again(store_url: str) -> None:
    database = Database(store_url)
    database.migrate()
    config = _alembic()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    database.migrate()
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    assert diff == []


def test_servers_starting_together_migrate_once(postgres_schema_url: str) -> None:
    """The advisory lock serialises migrations: both servers start, the schema is made once."""
    barrier = threading.Barrier(3)

    def start() -> None:
        database = Database(postgres_schema_url)
        barrier.wait()
        database.migrate()
        database.dispose()

    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(start) for _ in range(3)]:
            future.result(timeout=60)
    engine = create_engine(postgres_schema_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert len(versions) == 1 and diff == []


# ---- leases: a dead loop's claim is released, a live one's is not -------------------------


def test_a_claim_past_its_lease_is_taken_over_and_recorded_once(database: Database) -> None:
    _import(database, 1)
    crashed, survivor = WorklistQueue(database), WorklistQueue(database)
    first = crashed.claim_next()
    assert first is not None and first.attempts == 1
    assert survivor.claim_next() is None  # the lease is live: may be another server's
    second = survivor.claim_next(now=_later())
    assert second is not None and second.id == first.id and second.attempts == 2
    crashed.record(first, {**RESULT, "verdict": "stale"})  # the old claim is no longer owned
    assert not crashed.renew(first)
    survivor.record(second, RESULT)
    with database.session() as session:
        row = session.get(WorklistItem, first.id)
        assert row is not None and row.queue_status == "done" and row.verdict == "ready"


def test_a_long_check_keeps_its_lease(database: Database) -> None:
    """The loop renews the lease while checking, so nobody takes the item meanwhile."""
    _import(database, 1)
    queue = WorklistQueue(database, poll_seconds=0.05, lease_seconds=1.5)
    other = WorklistQueue(database, lease_seconds=1.5)
    stolen: list[WorklistItem | None] = []

    async def slow(_item: WorklistItem) -> dict[str, Any]:
        await asyncio.sleep(2.0)  # past the first lease, so only renewals keep it
        stolen.append(await asyncio.to_thread(other.claim_next))
        await asyncio.sleep(1.0)
        return RESULT

    assert asyncio.run(check_queue(queue, slow, until_empty=True)) == 1
    assert stolen == [None]
    assert _items(database) == {"n000": ("done", 1)}


def test_a_stopping_server_hands_its_claim_back(database: Database) -> None:
    _import(database, 1)
    started = threading.Event()

    async def endless(_item: WorklistItem) -> dict[str, Any]:
        started.set()
        await asyncio.sleep(3600)
        return RESULT

    async def stop_mid_check() -> None:
        loop = asyncio.create_task(check_queue(WorklistQueue(database), endless))
        while not started.is_set():
            await asyncio.sleep(0.01)
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop

    asyncio.run(stop_mid_check())
    assert _items(database) == {"n000": ("pending", 0)}  # at once, and not counted


def test_postgres_claims_skip_a_row_another_server_holds(postgres_schema_url: str) -> None:
    """FOR UPDATE SKIP LOCKED: a locked row is passed over, not waited for."""
    database = Database(postgres_schema_url)
    database.migrate()
    _import(database, 2)
    holder = create_engine(postgres_schema_url)
    pool = ThreadPoolExecutor(1)
    try:
        with holder.connect() as connection:
            transaction = connection.begin()
            connection.execute(
                text("SELECT id FROM worklist_items WHERE note_id = 'n000' FOR UPDATE")
            )
            claiming = pool.submit(WorklistQueue(database).claim_next)
            try:
                claimed = claiming.result(timeout=20)
            finally:
                transaction.rollback()  # lets a blocked claim finish if SKIP LOCKED failed
        assert claimed is not None and claimed.note_id == "n001"
    finally:
        pool.shutdown()
        holder.dispose()
        database.dispose()


# ---- several servers on one PostgreSQL database -------------------------------------------


def _worker(url: str, out: Path, go: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(out), str(go), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finish(process: subprocess.Popen[bytes]) -> int:
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, -9), stderr.decode(errors="replace")[-2000:]
    return process.returncode


def test_two_servers_check_every_note_exactly_once(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    database = Database(postgres_schema_url)
    database.migrate()
    _import(database, 60)
    go = tmp_path / "go"
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    workers = [_worker(postgres_schema_url, out, go) for out in outs]
    go.touch()
    assert [_finish(worker) for worker in workers] == [0, 0]
    seen = [out.read_text().split() if out.exists() else [] for out in outs]
    counts = Counter(note for notes in seen for note in notes)
    items = _items(database)
    database.dispose()
    assert set(counts) == set(items) and set(counts.values()) == {1}  # each note, once
    assert all(seen), "both servers should have taken part"
    assert set(items.values()) == {("done", 1)}


def test_a_killed_servers_claim_is_checked_by_another(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    database = Database(postgres_schema_url)
    database.migrate()
    _import(database, 5)
    go = tmp_path / "go"
    go.touch()
    crashed = _worker(postgres_schema_url, tmp_path / "dead.txt", go, "--die-after-claim")
    assert _finish(crashed) == -9
    assert Counter(status for status, _ in _items(database).values()) == {
        "running": 1,
        "pending": 4,
    }
    time.sleep(0.6)  # the dead server's lease (0.5 s for the survivor) runs out
    survivor = _worker(postgres_schema_url, tmp_path / "live.txt", go, "--lease", "0.5")
    assert _finish(survivor) == 0
    notes = (tmp_path / "live.txt").read_text().split()
    items = _items(database)
    database.dispose()
    assert sorted(notes) == sorted(items) and len(set(notes)) == len(notes)
    assert sorted(attempts for _, attempts in items.values()) == [1, 1, 1, 1, 2]
    assert {status for status, _ in items.values()} == {"done"}
