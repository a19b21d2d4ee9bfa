"""Parse a worklist batch (CSV or JSONL) into validated rows, all or nothing.

Each row has ``note_id``, ``provider``, ``date_of_service`` (YYYY-MM-DD), ``payer``, the note
as ``note_text`` or as a FHIR ``document_reference``, and optional ``claim_lines`` (a JSON list
of ``{cpt, modifiers, units, icd10, charge}``). In CSV, ``document_reference`` and
``claim_lines`` are JSON strings. An optional ``patient_key`` (the practice's pseudonymous
key) links the note to the patient's stored prior authorizations. Errors name the line and
field: ``line 3 [date_of_service] Input should be a valid date``. A file that is not text at all (an
image, a PDF, a spreadsheet) is refused as such before it is parsed (:func:`not_text`). A
row whose ``payer`` no payer profile defines is refused here, at import, with the allowed
ids (its own error code, ``Errors.E024``), rather than failing later in the background
check.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.checks import load_registry
from assistant.checks.claims import ClaimLine
from assistant.errors import Errors, validation_paths

DocumentReader = Callable[[dict[str, Any]], str]
MAX_ROWS = 5_000
NOT_TEXT = "this file is not a text CSV/JSONL export"
# How the files people pick by mistake begin: images, PDFs, spreadsheets, archives.
_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a spreadsheet or ZIP archive (such as .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an Office document (such as .xls)"),
)
_SNIFF_BYTES = 8192


class BatchImportError(ValueError):
    """The batch cannot be imported; ``errors`` lists every problem with its line.

    ``codes`` holds the catalogue codes among the problems (for logs and the API; the
    messages are the plain words a person reads).
    """

    def __init__(self, errors: list[str], codes: Collection[str] = ()) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors
        self.codes = sorted(set(codes))


class ImportRow(BaseModel):
    """One validated worklist row."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    note_id: str = Field(min_length=1, max_length=200)
    provider: str = Field(min_length=1, max_length=100)
    date_of_service: date
    payer: str = Field(min_length=1, max_length=50)
    patient_key: str | None = Field(default=None, min_length=1, max_length=100)
    note_text: str | None = None
    document_reference: dict[str, Any] | None = None
    claim_lines: list[ClaimLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_note(self) -> ImportRow:
        if not self.note_text and not self.document_reference:
            raise ValueError("give note_text or document_reference")
        return self

    @property
    def charge_total(self) -> float:
        """Sum of the claim lines' charges (0 when none are given)."""
        return float(sum(line.charge or 0.0 for line in self.claim_lines))


def _records(raw: str, filename: str) -> list[tuple[int, dict[str, Any]]]:
    if filename.lower().endswith((".jsonl", ".ndjson")):
        records = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchImportError([f"line {number}: not JSON ({exc.msg})"]) from None
            if not isinstance(value, dict):
                raise BatchImportError([f"line {number}: expected a JSON object"])
            records.append((number, value))
        return records
    reader = csv.DictReader(io.StringIO(raw))
    records = []
    for number, row in enumerate(reader, start=2):
        record: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        for key in ("document_reference", "claim_lines"):
            if key in record:
                try:
                    record[key] = json.loads(record[key])
                except json.JSONDecodeError as exc:
                    message = f"line {number} [{key}] not JSON ({exc.msg})"
                    raise BatchImportError([message]) from None
        records.append((number, record))
    return records


def known_payers() -> list[str]:
    """The payer ids a row may name: the checklist registry's payer profiles, sorted."""
    return sorted(load_registry().payers)


def _unknown_payer(number: int, row: ImportRow, allowed: Sequence[str]) -> str | None:
    """Why ``row`` names no known payer (its line and note id, the allowed ids), or None."""
    if row.payer in allowed:
        return None
    where = f"line {number} (note {row.note_id!r})"
    return Errors.E024.format(where=where, payer=row.payer, known=", ".join(allowed))


def not_text(raw: bytes, media_type: str = "") -> str | None:
    """Why ``raw`` is not a text export, in words (an image, a PDF...), or ``None``.

    Checked before decoding, so a picture or a spreadsheet is named as such instead of
    failing as "not valid UTF-8" or as a CSV with one odd column. ``media_type`` is what the
    browser said the file is; an image, audio or video type is refused even as text (SVG).
    """
    kind = next((kind for magic, kind in _SIGNATURES if raw.startswith(magic)), None)
    if kind is None and media_type.startswith(("image/", "audio/", "video/")):
        kind = f"a file of type {media_type}"
    if kind is None and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"{NOT_TEXT}: it is UTF-16 text; save it as CSV (UTF-8) or JSONL and import that"
    if kind is None and b"\x00" in raw[:_SNIFF_BYTES]:
        kind = "a binary file"
    if kind is None:
        return None
    return f"{NOT_TEXT}: it looks like {kind}; export the batch as CSV or JSONL and import that"


def parse_batch(
    raw: bytes,
    filename: str,
    document_reader: DocumentReader | None = None,
    media_type: str = "",
    payers: Collection[str] | None = None,
) -> list[ImportRow]:
    """Validated rows of a CSV/JSONL batch; raise ``BatchImportError`` listing every bad row.

    ``document_reader`` turns a FHIR DocumentReference into note text (the API passes its
    FHIR adapter; it raises ``ValueError`` for an unusable resource); without one, rows that
    only carry a DocumentReference are refused. ``media_type``: the upload's declared type.
    ``payers``: the allowed payer ids (default: :func:`known_payers`).
    """
    reason = not_text(raw, media_type)
    if reason is not None:
        raise BatchImportError([reason])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchImportError([f"not valid UTF-8 (byte {exc.start})"]) from None
    errors: list[str] = []
    codes: list[str] = []
    rows: list[ImportRow] = []
    seen: set[str] = set()
    records = _records(text, filename)
    if not records:
        raise BatchImportError(["the file has no rows"])
    if len(records) > MAX_ROWS:
        raise BatchImportError([f"at most {MAX_ROWS} rows per import"])
    allowed = sorted(payers) if payers is not None else known_payers()
    for number, record in records:
        try:
            row = ImportRow.model_validate(record)
        except ValidationError as exc:
            errors.append(f"line {number} {validation_paths(exc)}")
            continue
        if row.note_text is None and row.document_reference is not None:
            if document_reader is None:
                errors.append(f"line {number} [document_reference] FHIR input not enabled")
                continue
            try:
                row.note_text = document_reader(row.document_reference)
            except ValueError as exc:
                errors.append(f"line {number} [document_reference] {exc}")
                continue
        if row.note_id in seen:
            errors.append(f"line {number} [note_id] duplicate {row.note_id!r}")
            continue
        seen.add(row.note_id)
        unknown = _unknown_payer(number, row, allowed)
        if unknown is not None:
            errors.append(unknown)
            codes.append(Errors.E024.code)
            continue
        rows.append(row)
    if errors:
        raise BatchImportError(errors, codes)
    return rows
