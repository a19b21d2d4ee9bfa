"""Batch inputs on this machine: CSV(.gz), JSON Lines(.gz) and Parquet, streamed row by row.

Rows come out as ``(index, {column: value})`` in file order (0-based, header and blank
lines not counted), the same order Spark's readers give a single file, so a row number
means the same row in both engines. Nothing here holds more than one Parquet batch or
one CSV/JSON line in memory.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from assistant.batch.schema import CORRUPT_COLUMN, INPUT_ALIASES, REQUIRED_INPUT_COLUMNS
from assistant.errors import BatchInputError, Errors

InputFormat = Literal["csv", "jsonl", "parquet"]
RawRow = tuple[int, dict[str, Any]]
_SUFFIXES: dict[str, InputFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}
PARQUET_BATCH_ROWS = 256

csv.field_size_limit(10_000_000)


def input_format(path: str) -> InputFormat:
    """The format named by the path's suffix (``.gz`` allowed); a folder holds Parquet."""
    name = path.rstrip("/").lower().removesuffix(".gz")
    for suffix, found in _SUFFIXES.items():
        if name.endswith(suffix):
            return found
    if Path(path).is_dir() or "." not in name.rsplit("/", 1)[-1]:
        return "parquet"
    problem = "unknown input format; use .csv, .jsonl or .parquet (.csv.gz, .jsonl.gz too)"
    raise BatchInputError(Errors.E021, source=path, problem=problem)


def check_columns(columns: Iterable[str], source: str) -> None:
    """Raise a coded error unless the columns include a note id and the note text."""
    present = {INPUT_ALIASES.get(name, name) for name in columns}
    missing = [name for name in REQUIRED_INPUT_COLUMNS if name not in present]
    if missing:
        problem = f"missing column(s) {', '.join(missing)}"
        raise BatchInputError(Errors.E021, source=source, problem=problem)


def _open_text(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _csv_rows(path: Path) -> Iterator[RawRow]:
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        check_columns(reader.fieldnames or [], str(path))
        yield from enumerate(reader)


def _jsonl_rows(path: Path) -> Iterator[RawRow]:
    with _open_text(path) as handle:
        lines = (line for line in handle if line.strip())
        for index, line in enumerate(lines):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = None
            yield index, value if isinstance(value, dict) else {CORRUPT_COLUMN: "corrupt"}


def _parquet_rows(path: Path) -> Iterator[RawRow]:
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet")
    check_columns(dataset.schema.names, str(path))
    index = 0
    for batch in dataset.to_batches(batch_size=PARQUET_BATCH_ROWS):
        for row in batch.to_pylist():
            yield index, row
            index += 1


def iter_rows(path: Path) -> Iterator[RawRow]:
    """Every row of the input, in file order.

    Raises:
        BatchInputError: unknown format, missing columns, unreadable or not UTF-8.
    """
    readers = {"csv": _csv_rows, "jsonl": _jsonl_rows, "parquet": _parquet_rows}
    rows = readers[input_format(str(path))](path)
    try:
        yield from rows
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        problem = f"cannot read ({type(exc).__name__})"
        raise BatchInputError(Errors.E021, source=str(path), problem=problem) from None
