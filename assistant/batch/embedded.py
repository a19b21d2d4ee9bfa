"""The embedded engine: every core of one machine, one reader per process, resumable.

The input is cut into numbered chunks of ``chunk_size`` rows in file order. Worker
processes (spawned, each with its own reader) check whole chunks; this process commits each
finished chunk to the output folder (:class:`ChunkStore`). A rerun after a kill skips the
committed chunks, so no note is lost and none is written twice; only chunks that were in
flight are checked again.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from assistant.batch.output import ChunkStore
from assistant.batch.rows import RowError, note_id_of, outcomes, repeated_ids, serialise
from assistant.batch.sources import RawRow, iter_rows

Progress = Callable[[int, int], None]  # (rows done so far, rows in the input)


@dataclass(frozen=True)
class BatchOptions:
    """Settings of a batch run that shape its results (part of the resume key)."""

    payer: str = "commercial"
    chunk_size: int = 256


@dataclass(frozen=True)
class ChunkResult:
    """One checked chunk: Parquet values and JSON lines of its results, and its skipped rows."""

    index: int
    values: list[tuple[Any, ...]]
    lines: list[str]
    errors: list[RowError]


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: rows checked and skipped, chunks found already done, wall time."""

    rows: int
    checked: int
    skipped: int
    resumed_chunks: int
    seconds: float


def check_chunk(
    index: int, rows: Sequence[RawRow], duplicates: frozenset[str], payer: str
) -> ChunkResult:
    """Check one chunk of raw rows (runs in a worker process, or in this one)."""
    values, lines, errors = [], [], []
    for outcome in outcomes(rows, duplicates, payer):
        if isinstance(outcome, RowError):
            errors.append(outcome)
        else:
            row_values, line = serialise(outcome)
            values.append(row_values)
            lines.append(line)
    return ChunkResult(index, values, lines, errors)


def _chunks(rows: Iterable[RawRow], size: int) -> Iterator[tuple[int, list[RawRow]]]:
    iterator = iter(rows)
    index = 0
    while chunk := list(islice(iterator, size)):
        yield index, chunk
        index += 1


def _among(rows: Sequence[RawRow], duplicates: frozenset[str]) -> frozenset[str]:
    """The repeated ids a chunk holds (all a worker needs, however many the input has)."""
    return frozenset(i for _, raw in rows if (i := note_id_of(raw)) in duplicates)


def run_key(path: Path, options: BatchOptions) -> dict[str, Any]:
    """What a resumed run must share with the first: the same input file, settings, versions."""
    from assistant.reader.read import reader_version
    from assistant.risk import load_active_model

    stat = path.stat()
    return {
        "input": str(path.resolve()),
        "input_bytes": stat.st_size,
        "input_mtime_ns": stat.st_mtime_ns,
        "payer": options.payer,
        "chunk_size": options.chunk_size,
        "reader_version": reader_version(),
        "model_version": load_active_model().version,
    }


# How often a pool worker checks that the batch process that started it is still there.
PARENT_CHECK_SECONDS = 2.0


def watch_parent(
    parent_alive: Callable[[], bool],
    leave: Callable[[], object],
    period: float = PARENT_CHECK_SECONDS,
) -> None:
    """Call ``leave`` once ``parent_alive`` turns false, checking every ``period`` seconds."""
    while parent_alive():
        time.sleep(period)
    leave()


def _warm_worker() -> None:
    """Start watching the batch process, then build the reader.

    A batch killed with -9 does not tell its workers: they would wait on their queue for
    ever (holding memory), so each leaves as soon as it is no longer the batch's child.
    """
    from assistant.pipeline import warm_up

    parent = os.getppid()
    threading.Thread(
        target=watch_parent,
        args=(lambda: os.getppid() == parent, lambda: os._exit(1)),
        name="batch-parent-watch",
        daemon=True,
    ).start()
    warm_up()


def _checked_chunks(
    chunks: Iterable[tuple[int, list[RawRow]]],
    duplicates: frozenset[str],
    payer: str,
    processes: int,
) -> Iterator[ChunkResult]:
    """Chunks checked here (one process) or by a pool, as they finish (any order).

    At most two chunks per process are in flight, so memory does not grow with the input.
    """
    if processes <= 1:
        for index, rows in chunks:
            yield check_chunk(index, rows, _among(rows, duplicates), payer)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_warm_worker) as pool:
        pending: set[Future[ChunkResult]] = set()
        for index, rows in chunks:
            if len(pending) >= 2 * processes:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in finished)
            pending.add(pool.submit(check_chunk, index, rows, _among(rows, duplicates), payer))
        for future in pending:
            yield future.result()


def run_embedded(
    path: Path,
    out: Path,
    options: BatchOptions,
    processes: int = 0,
    progress: Progress | None = None,
) -> BatchSummary:
    """Check every row of ``path`` into ``out``, resuming a killed run of the same input.

    ``processes`` 0 means one per core; 1 checks in this process.
    """
    started = time.perf_counter()
    ids = [note_id_of(raw) for _, raw in iter_rows(path)]  # reads the whole input first
    duplicates, total = repeated_ids(ids), len(ids)
    store = ChunkStore.open(out, run_key(path, options))
    done = store.done()
    size = options.chunk_size
    rows_done = sum(min(size, total - index * size) for index in done)
    if progress:
        progress(rows_done, total)
    todo = (chunk for chunk in _chunks(iter_rows(path), size) if chunk[0] not in done)
    workers = processes or os.cpu_count() or 1
    for result in _checked_chunks(todo, duplicates, options.payer, workers):
        store.commit(result.index, result.values, result.lines, result.errors)
        rows_done += len(result.values) + len(result.errors)
        if progress:
            progress(rows_done, total)
    checked, skipped = store.counts()
    store.write_manifest({"status": "complete", "rows": total, "checked": checked})
    return BatchSummary(total, checked, skipped, len(done), time.perf_counter() - started)
