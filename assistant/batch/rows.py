"""One batch row: parse it, check it, and shape the result; the same code for every engine.

Both engines hand :func:`outcomes` the raw rows (a mapping of column to value, as the CSV,
JSONL or Parquet reader gave it) with their 0-based position; it yields a result record or
a :class:`RowError` per row, in order. A bad row never stops a run, and an error names the
row and its note id, never the note's content.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from assistant.batch.schema import CORRUPT_COLUMN, INPUT_ALIASES, RESULT_COLUMNS
from assistant.checks import Claim, ProcedureHistory
from assistant.checks.claims import parse_claim, parse_history
from assistant.errors import BatchRowError, ChartReadyError, Errors
from assistant.notes import validate_note_text

Record = dict[str, Any]


@dataclass(frozen=True)
class BatchRow:
    """A row that can be checked: its note, payer and optional claim and history."""

    row: int
    note_id: str
    text: str
    patient_key: str | None = None
    provider: str | None = None
    date_of_service: dt.date | None = None
    payer: str | None = None
    claim: Claim | None = None
    history: ProcedureHistory | None = None


@dataclass(frozen=True)
class RowError:
    """A row that was skipped: 1-based data row, note id (if any), error code and problem."""

    row: int
    note_id: str | None
    code: str
    problem: str

    def to_line(self) -> str:
        """The error as one JSON line (see ``ERROR_COLUMNS``), no newline."""
        return _dumps(asdict(self))


def field_value(raw: Mapping[str, Any], column: str) -> Any:
    """The row's value for ``column`` (or its alias); empty strings count as missing."""
    value = raw.get(column)
    if value is None:
        aliases = (alias for alias, name in INPUT_ALIASES.items() if name == column)
        value = next((raw[a] for a in aliases if raw.get(a) is not None), None)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def text_field(raw: Mapping[str, Any], column: str) -> str | None:
    value = field_value(raw, column)
    return None if value is None else str(value).strip()


def note_id_of(raw: Mapping[str, Any]) -> str | None:
    """The row's note id as rows are keyed: trimmed text, ``None`` when missing or empty."""
    return text_field(raw, "note_id")


def repeated_ids(ids: Iterable[str | None]) -> frozenset[str]:
    """Note ids that appear more than once in an input (none of their rows is checked)."""
    counts = Counter(note_id for note_id in ids if note_id is not None)
    return frozenset(note_id for note_id, count in counts.items() if count > 1)


def _where(index: int, note_id: str | None) -> str:
    return f"row {index + 1}" + (f" ({note_id})" if note_id else "")


def date_field(value: Any, where: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problem = "date_of_service is not a YYYY-MM-DD date"
        raise BatchRowError(Errors.E020, where=where, problem=problem) from None


def _json(value: Any, column: str, where: str) -> Any:
    """A claim or history given as JSON text (CSV, Spark JSON) or already decoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        problem = f"{column} is not JSON (character {exc.pos})"
        raise BatchRowError(Errors.E020, where=where, problem=problem) from None


def _claim(value: Any, where: str, date_of_service: dt.date | None) -> Claim | None:
    """The row's claim; a bare list is its lines, and the row's date fills a missing one.

    A claim without a date of service would be judged against today's date (frequency
    limits), so a re-run on another day could differ.
    """
    data = _json(value, "claim", where)
    if data is None:
        return None
    if isinstance(data, list):
        data = {"lines": data}
    claim = parse_claim(data, f"{where} claim")
    if claim.date_of_service is None and date_of_service is not None:
        claim = claim.model_copy(update={"date_of_service": date_of_service})
    return claim


def parse_row(raw: Mapping[str, Any], index: int, duplicates: Collection[str]) -> BatchRow:
    """Validate one raw row (0-based ``index``) or raise a coded error naming it.

    Raises:
        ChartReadyError: no note id, a repeated one, a bad date, claim, history or note.
    """
    note_id = note_id_of(raw)
    where = _where(index, note_id)
    if raw.get(CORRUPT_COLUMN) is not None:
        problem = "the line is not a JSON object"
        raise BatchRowError(Errors.E020, where=where, problem=problem)
    if note_id is None:
        raise BatchRowError(Errors.E020, where=where, problem="the row has no note_id")
    if note_id in duplicates:
        problem = "note_id appears more than once in the input; no row with it is checked"
        raise BatchRowError(Errors.E020, where=where, problem=problem)
    text = validate_note_text(str(field_value(raw, "text") or ""), where)
    date_of_service = date_field(field_value(raw, "date_of_service"), where)
    history = _json(field_value(raw, "history"), "history", where)
    return BatchRow(
        row=index + 1,
        note_id=note_id,
        text=text,
        patient_key=text_field(raw, "patient_key"),
        provider=text_field(raw, "provider"),
        date_of_service=date_of_service,
        payer=text_field(raw, "payer"),
        claim=_claim(field_value(raw, "claim"), where, date_of_service),
        history=None if history is None else parse_history(history, f"{where} history"),
    )


def check_row(row: BatchRow, default_payer: str) -> Record:
    """Check one row through the pipeline and shape its result record (nested values)."""
    from assistant.pipeline import check_note

    payer = row.payer or default_payer
    result = check_note(
        row.text, note_id=row.note_id, payer=payer, claim=row.claim, history=row.history
    )
    data = result.to_json_dict()
    risk = data["risk"]
    return {
        "note_id": row.note_id,
        "patient_key": row.patient_key,
        "provider": row.provider,
        "date_of_service": row.date_of_service.isoformat() if row.date_of_service else None,
        "payer": payer,
        "verdict": result.verdict,
        "risk_probability": risk["probability"],
        "risk_band": risk["band"],
        "rule_ids": [finding.rule_id for finding in result.findings],
        "findings": data["findings"],
        "facts": data["facts"],
        "em": data["em"],
        "risk": risk,
        "checklists": [f"{c.id}@{c.version}" for c in result.checklists],
        "reader_version": result.reader_version,
        "model_version": risk["model_version"],
    }


def outcomes(
    rows: Iterable[tuple[int, Mapping[str, Any]]], duplicates: Collection[str], default_payer: str
) -> Iterator[Record | RowError]:
    """Each row's result record, or the reason it was skipped, in input order.

    Any exception while checking a valid row is reported as that row's error so one
    note can never stop a run of a hundred thousand; its message is not kept (it could
    quote the note), only its type.
    """
    for index, raw in rows:
        note_id = note_id_of(raw)
        try:
            yield check_row(parse_row(raw, index, duplicates), default_payer)
        except ChartReadyError as exc:
            yield RowError(index + 1, note_id, exc.code, str(exc))
        except Exception as exc:
            problem = Errors.E023.format(where=_where(index, note_id), error=type(exc).__name__)
            yield RowError(index + 1, note_id, Errors.E023.code, problem)


def serialise(record: Record) -> tuple[tuple[Any, ...], str]:
    """The record as Parquet values and as one JSON line (no newline).

    Parquet values come in column order with ``json`` columns as JSON text; the line nests them.
    """
    values = tuple(
        _dumps(value) if c.kind == "json" and value is not None else value
        for c in RESULT_COLUMNS
        for value in (record[c.name],)
    )
    return values, _dumps({c.name: record[c.name] for c in RESULT_COLUMNS})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
