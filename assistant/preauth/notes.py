"""A patient's notes: files or folders, dates of service, and one reading of each.

Dates come from a manifest (JSON or CSV: ``file``, ``date_of_service``, optional
``patient`` and ``note_id``) or, failing that, a ``Date of service:`` line in the note. The
patient key is pseudonymous and supplied by the practice; errors name files, never text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import Errors, PreauthInputError, validation_paths
from assistant.facts import NoteFacts
from assistant.layout import NoteLayout
from assistant.notes import decode_note
from assistant.pipeline import read_note_layout
from assistant.preauth.values import labelled_date


class ManifestEntry(BaseModel):
    """One manifest row: which file, its date of service, and whose note it is."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(min_length=1)
    date_of_service: dt.date
    patient: str | None = None
    note_id: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: list[ManifestEntry]

    def entry(self, path: Path) -> ManifestEntry | None:
        """The row for ``path``, matched by file name or by stem."""
        for row in self.notes:
            if row.file in (path.name, path.stem, str(path)):
                return row
        return None


@dataclass(frozen=True)
class PatientNote:
    """One note of the patient, dated and read once: its facts and layout (sections, ConText)."""

    note_id: str
    date: dt.date
    text: str
    facts: NoteFacts
    layout: NoteLayout


def note_files(paths: Sequence[Path]) -> list[Path]:
    """The note files named by ``paths`` (a folder gives its ``*.txt``, sorted).

    Raises:
        PreauthInputError: a path does not exist (Errors.E103) or a folder is empty (Errors.E102).
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.txt"))
            if not found:
                raise PreauthInputError(Errors.E102, folder=path)
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise PreauthInputError(Errors.E103, source=path, problem="no such file")
    return list(dict.fromkeys(out))


def _manifest_data(path: Path, raw: str) -> object:
    if path.suffix.lower() == ".csv":
        rows = [
            {key: value for key, value in row.items() if value not in (None, "")}
            for row in csv.DictReader(io.StringIO(raw))
        ]
        return {"notes": rows}
    data = json.loads(raw)
    return {"notes": data} if isinstance(data, list) else data


def load_manifest(path: Path) -> Manifest:
    """Read a JSON (list or ``{"notes": [...]}``) or CSV manifest, with path-precise errors."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
        return Manifest.model_validate(_manifest_data(path, raw))
    except OSError as exc:
        problem = f"cannot read ({exc.strerror or exc})"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        problem = f"not JSON (line {exc.lineno}, column {exc.colno})"
    except ValidationError as exc:
        problem = validation_paths(exc)
    raise PreauthInputError(Errors.E105, source=path, problem=problem)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PreauthInputError(
            Errors.E103, source=path, problem=exc.strerror or str(exc)
        ) from None
    return decode_note(raw, str(path))


def _patients(files: Sequence[Path], manifest: Manifest | None) -> set[str]:
    rows = (manifest.entry(path) if manifest else None for path in files)
    return {row.patient for row in rows if row is not None and row.patient}


def select_files(
    files: Sequence[Path], manifest: Manifest | None, patient: str | None
) -> list[Path]:
    """The files of one patient: those the manifest gives ``patient`` (or gives nobody).

    Raises:
        PreauthInputError: several patients and none chosen (Errors.E105).
    """
    if patient is None:
        keys = _patients(files, manifest)
        if len(keys) > 1 and manifest is not None:
            problem = f"notes of {len(keys)} patients; choose one with --patient"
            raise PreauthInputError(Errors.E105, source="manifest", problem=problem)
        return list(files)
    chosen = []
    for path in files:
        row = manifest.entry(path) if manifest else None
        if row is None or row.patient in (None, patient):
            chosen.append(path)
    return chosen


def date_of_service(path: Path, text: str, manifest: Manifest | None) -> dt.date:
    """The manifest's date for ``path``, else the note's ``Date of service:`` line.

    Raises:
        PreauthInputError: neither gives a date (Errors.E104).
    """
    row = manifest.entry(path) if manifest else None
    found = row.date_of_service if row else labelled_date(text)
    if found is None:
        raise PreauthInputError(Errors.E104, note=path)
    return found


def read_patient_notes(
    files: Sequence[Path], manifest: Manifest | None = None
) -> list[PatientNote]:
    """Decode, date and read each file once (with the pipeline's reader), oldest first.

    Raises:
        PreauthInputError: a file cannot be read or has no date (Errors.E103, Errors.E104).
        NoteInputError: a file is empty, too large or not UTF-8 text (Errors.E002).
    """
    loaded: list[tuple[str, dt.date, str]] = []
    for path in files:
        text = _read_text(path)
        row = manifest.entry(path) if manifest else None
        note_id = (row.note_id if row else None) or path.stem
        loaded.append((note_id, date_of_service(path, text, manifest), text))
    return dated_notes(loaded)


def dated_notes(items: Sequence[tuple[str, dt.date, str]]) -> list[PatientNote]:
    """Read ``(note_id, date, text)`` notes once each; the result is oldest first.

    One reader pass per note gives its facts and its layout (sections and ConText
    modifiers, which the checklist detectors read negation from).

    Raises:
        ChartReadyError: a note id is used twice (Errors.E105), or the reader refuses a note.
    """
    ids = [note_id for note_id, _, _ in items]
    if len(ids) != len(set(ids)):
        problem = "two notes have the same id; note ids must be unique"
        raise PreauthInputError(Errors.E105, source="notes", problem=problem)
    notes = [
        PatientNote(note_id, date, text, *read_note_layout(text, note_id))
        for note_id, date, text in items
    ]
    return sorted(notes, key=lambda note: (note.date, note.note_id))


__all__ = [
    "Manifest",
    "ManifestEntry",
    "PatientNote",
    "dated_notes",
    "load_manifest",
    "note_files",
    "read_patient_notes",
    "select_files",
]
