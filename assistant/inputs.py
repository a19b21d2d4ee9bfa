"""Where notes come from: .txt files, folders, CSV(.gz) tables and stdin.

Each source yields ``NoteSource`` items in input order; an unreadable item carries its
error instead of text so a batch goes on with the rest.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import NoteInputError
from assistant.notes import decode_note, validate_note_text

csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class NoteSource:
    """One note to read, or the reason it cannot be read."""

    note_id: str
    text: str | None
    error: str | None = None


def _from_bytes(note_id: str, raw: bytes, source: str) -> NoteSource:
    try:
        return NoteSource(note_id, decode_note(raw, source))
    except NoteInputError as exc:
        return NoteSource(note_id, None, f"{exc.code} {exc}")


def _from_table(path: Path) -> Iterator[NoteSource]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        yield NoteSource(path.name, None, f"{path}: cannot read ({exc.strerror or exc})")
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield NoteSource(path.name, None, f"{path}: not valid UTF-8 (byte {exc.start})")
        return
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    if "note_id" not in fields or "text" not in fields:
        yield NoteSource(path.name, None, f"{path}: needs 'note_id' and 'text' columns")
        return
    for row_number, row in enumerate(reader, start=2):
        note_id = (row.get("note_id") or "").strip() or f"{path.name}:{row_number}"
        try:
            yield NoteSource(
                note_id, validate_note_text(row.get("text") or "", f"{path}:{row_number}")
            )
        except NoteInputError as exc:
            yield NoteSource(note_id, None, f"{exc.code} {exc}")


def iter_sources(paths: list[str]) -> Iterator[NoteSource]:
    """Every note named by ``paths`` (files, folders, tables, ``-``), in order."""
    for name in paths:
        if name == "-":
            yield _from_bytes("stdin", sys.stdin.buffer.read(), "stdin")
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.glob("*.txt")):
                yield _read_file(child)
        elif path.name.endswith((".csv", ".csv.gz")):
            yield from _from_table(path)
        else:
            yield _read_file(path)


def _read_file(path: Path) -> NoteSource:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return NoteSource(path.stem, None, f"{path}: cannot read ({exc.strerror or exc})")
    return _from_bytes(path.stem, raw, str(path))
