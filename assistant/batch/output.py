"""The embedded engine's output folder: committed chunks, a manifest, and reading it back.

    OUT/manifest.json            what the run is (input, settings, versions) and its status
    OUT/parquet/part-NNNNNN.parquet   results of chunk NNNNNN (the chunk's commit marker)
    OUT/jsonl/part-NNNNNN.jsonl       the same results as JSON Lines
    OUT/errors/part-NNNNNN.jsonl      rows of the chunk that were skipped, if any

A chunk is committed by renaming its finished files into place, the Parquet part last, so
after a kill a chunk is either wholly there or not at all: a rerun checks exactly the
chunks without a Parquet part.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.batch.rows import RowError
from assistant.batch.schema import RESULT_COLUMNS, Column
from assistant.errors import BatchOutputError, Errors

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST = "manifest.json"
FORMAT = "chartready-batch/v1"
_PART = re.compile(r"^part-(\d{6})\.parquet$")
_TEMP_PREFIX = ".tmp-"


def arrow_schema(columns: Sequence[Column] = RESULT_COLUMNS) -> pa.Schema:
    """The Arrow (Parquet) schema of the result columns."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "json": pa.string(),
        "long": pa.int64(),
        "double": pa.float64(),
        "strings": pa.list_(pa.string()),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in columns])


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename."""
    temp = path.with_name(_TEMP_PREFIX + path.name)
    with temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)


def _parquet_bytes(values: Sequence[tuple[Any, ...]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    columns = list(zip(*values, strict=True)) if values else [() for _ in schema]
    table = pa.Table.from_arrays(
        [pa.array(list(col), type=field.type) for col, field in zip(columns, schema, strict=True)],
        schema=schema,
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def _lines(lines: Sequence[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


class ChunkStore:
    """The output folder of one embedded run, opened for writing or resuming."""

    def __init__(self, out: Path, key: dict[str, Any]) -> None:
        self.out = out
        self.key = key

    @classmethod
    def open(cls, out: Path, key: dict[str, Any]) -> ChunkStore:
        """Create ``out`` or reopen it to resume the same run; stray temporary files go.

        Raises:
            BatchOutputError: ``out`` holds another run, or files that are not a run.
        """
        manifest = out / MANIFEST
        if manifest.exists():
            found = json.loads(manifest.read_text(encoding="utf-8"))
            if found.get("key") != key:
                problem = "holds a run of another input or other settings; use a new --out"
                raise BatchOutputError(Errors.E022, out=out, problem=problem)
        elif out.exists() and any(out.iterdir()):
            raise BatchOutputError(Errors.E022, out=out, problem="is not empty")
        store = cls(out, key)
        for folder in ("parquet", "jsonl", "errors"):
            (out / folder).mkdir(parents=True, exist_ok=True)
            for temp in (out / folder).glob(_TEMP_PREFIX + "*"):
                temp.unlink()
        if not manifest.exists():
            store.write_manifest({"status": "running"})
        return store

    def write_manifest(self, status: dict[str, Any]) -> None:
        """Record the run's key and ``status`` (atomically)."""
        body = {"format": FORMAT, "key": self.key, **status}
        _write_atomically(self.out / MANIFEST, json.dumps(body, indent=2).encode("utf-8"))

    def done(self) -> set[int]:
        """Indexes of the chunks already committed."""
        names = (path.name for path in (self.out / "parquet").iterdir())
        return {int(match.group(1)) for name in names if (match := _PART.match(name))}

    def counts(self) -> tuple[int, int]:
        """Results and skipped rows committed so far."""
        import pyarrow.parquet as pq

        results = sum(
            pq.read_metadata(path).num_rows for path in (self.out / "parquet").glob("part-*")
        )
        errors = sum(
            len(path.read_text(encoding="utf-8").splitlines())
            for path in (self.out / "errors").glob("part-*")
        )
        return results, errors

    def commit(
        self,
        index: int,
        values: Sequence[tuple[Any, ...]],
        lines: Sequence[str],
        errors: Sequence[RowError],
    ) -> None:
        """Write one chunk's results and errors; the Parquet part, written last, commits it."""
        name = f"part-{index:06d}"
        if errors:
            error_lines = [error.to_line() for error in errors]
            _write_atomically(self.out / "errors" / f"{name}.jsonl", _lines(error_lines))
        _write_atomically(self.out / "jsonl" / f"{name}.jsonl", _lines(lines))
        _write_atomically(self.out / "parquet" / f"{name}.parquet", _parquet_bytes(values))


def read_results(out: Path) -> list[dict[str, Any]]:
    """Every result row under ``out/parquet`` (either engine), sorted by note id."""
    import pyarrow.dataset as ds

    table = ds.dataset(out / "parquet", format="parquet").to_table()
    return sorted(table.to_pylist(), key=lambda row: str(row["note_id"]))


def read_errors(out: Path) -> list[dict[str, Any]]:
    """Every skipped row under ``out/errors`` (either engine), sorted by row."""
    rows = [
        json.loads(line)
        for path in sorted((out / "errors").glob("part-*"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return sorted(rows, key=lambda row: int(row["row"]))
