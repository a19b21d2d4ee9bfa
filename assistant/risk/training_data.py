"""Training rows for the risk model: what happened to each claim, read and written as files.

Label: a claim that was not paid in full (``denied`` or ``partial``) is positive. Rows come
from an outcomes CSV (notes still to be checked, see :func:`assistant.pipeline.training_rows`),
from checks stored before billing and matched to imported remittances (``StoredOutcome``,
see :func:`assistant.pipeline.stored_training_rows`), from precomputed JSON Lines, or from
the outcome simulator; their hash goes in the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import Errors, TrainingDataError, validation_paths
from assistant.risk.features import RiskInput
from assistant.risk.schema import Outcome
from assistant.risk.simulate import SimulatedCase

POSITIVE: tuple[Outcome, ...] = ("denied", "partial")
OUTCOMES: tuple[Outcome, ...] = ("paid", "denied", "partial")


@dataclass(frozen=True)
class TrainingRow:
    """One labelled check: what the model sees and what happened to the claim."""

    input: RiskInput
    outcome: Outcome
    carc: tuple[str, ...] = ()
    rarc: tuple[str, ...] = ()
    paid_amount: float | None = None
    date_of_service: date | None = None


@dataclass(frozen=True)
class OutcomeRow:
    """One row of an outcomes CSV before the checker has run on its note."""

    row: int
    note_id: str
    text: str
    claim: dict[str, Any] | None
    payer: str | None
    outcome: Outcome
    carc: tuple[str, ...] = ()
    rarc: tuple[str, ...] = ()
    paid_amount: float | None = None


@dataclass(frozen=True)
class StoredOutcome:
    """A check stored before billing (its result JSON and claim) and what the remittance says.

    ``where`` names it without identifiers (``remittance claim 12``); ``lines`` is how many
    remitted lines the outcome sums up, so lines that cannot be used are counted, not lost.
    """

    where: str
    result: dict[str, Any]
    claim: dict[str, Any] | None
    outcome: Outcome
    date_of_service: date
    lines: int
    carc: tuple[str, ...] = ()
    rarc: tuple[str, ...] = ()
    paid_amount: float | None = None


def label(outcome: Outcome) -> int:
    """1 when the claim was not paid in full (denied or partial)."""
    return int(outcome in POSITIVE)


def _invalid(where: object, problem: str) -> TrainingDataError:
    return TrainingDataError(Errors.E303, where=where, problem=problem)


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(c.strip() for c in str(value).replace(",", ";").split(";") if c.strip())


def _outcome(value: Any, where: str) -> Outcome:
    text = str(value or "").strip().lower()
    for outcome in OUTCOMES:
        if text == outcome:
            return outcome
    raise _invalid(where, f"outcome {text!r} is not one of {list(OUTCOMES)}")


def _amount(value: Any, where: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise _invalid(where, f"paid_amount {value!r} is not a number") from exc


def _read_text(path: Path, encoding: str = "utf-8") -> str:
    try:
        return path.read_text(encoding=encoding)
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(path, f"cannot read ({exc})") from exc


def read_features_jsonl(path: Path) -> list[TrainingRow]:
    """Precomputed rows: one JSON object per line, ``{"input": RiskInput, "outcome": ...}``."""
    rows = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
            inp = RiskInput.model_validate(obj["input"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise _invalid(where, f"needs a JSON object with 'input' ({exc})") from exc
        except ValidationError as exc:
            raise _invalid(where, validation_paths(exc)) from exc
        rows.append(
            TrainingRow(
                inp,
                _outcome(obj.get("outcome"), where),
                _codes(obj.get("carc")),
                _codes(obj.get("rarc")),
                _amount(obj.get("paid_amount"), where),
            )
        )
    return rows


def write_features_jsonl(rows: Iterable[TrainingRow], path: Path) -> None:
    """Write rows in the format ``read_features_jsonl`` reads."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            obj = {
                "input": row.input.model_dump(mode="json"),
                "outcome": row.outcome,
                "carc": list(row.carc),
                "rarc": list(row.rarc),
                "paid_amount": row.paid_amount,
            }
            handle.write(json.dumps(obj) + "\n")


def rows_from_simulation(cases: Iterable[SimulatedCase]) -> list[TrainingRow]:
    """Simulated cases as training rows."""
    return [TrainingRow(c.input, c.outcome) for c in cases]


def _note_text(raw: dict[str, str | None], folder: Path, where: str) -> str:
    """The row's ``note_text``, else the file at ``note_path`` (relative to the table)."""
    note_text = (raw.get("note_text") or "").strip()
    note_path = (raw.get("note_path") or "").strip()
    if not note_text and note_path:
        candidate = Path(note_path)
        candidate = candidate if candidate.is_absolute() else folder / candidate
        try:
            note_text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _invalid(where, f"cannot read note {note_path!r} ({exc})") from exc
    if not note_text:
        raise _invalid(where, "no note text or path")
    return note_text


def _claim(raw: dict[str, str | None], where: str) -> dict[str, Any] | None:
    claim_raw = (raw.get("claim") or "").strip()
    try:
        claim = json.loads(claim_raw) if claim_raw else None
    except json.JSONDecodeError as exc:
        raise _invalid(where, f"claim is not JSON ({exc.msg})") from exc
    if claim is not None and not isinstance(claim, dict):
        raise _invalid(where, "claim must be an object")
    return claim


def read_outcomes_csv(path: Path) -> list[OutcomeRow]:
    """An outcomes table (columns in models/README.md); note paths are relative to it."""
    reader = csv.DictReader(io.StringIO(_read_text(path, "utf-8-sig")))
    fields = set(reader.fieldnames or [])
    if "outcome" not in fields or not fields & {"note_text", "note_path"}:
        raise _invalid(path, "needs an 'outcome' column and 'note_text' or 'note_path'")
    rows = []
    for number, raw in enumerate(reader, start=2):
        where = f"{path}:{number}"
        rows.append(
            OutcomeRow(
                row=number,
                note_id=(raw.get("note_id") or "").strip() or f"{path.name}:{number}",
                text=_note_text(raw, path.parent, where),
                claim=_claim(raw, where),
                payer=(raw.get("payer") or "").strip() or None,
                outcome=_outcome(raw.get("outcome"), where),
                carc=_codes(raw.get("carc")),
                rarc=_codes(raw.get("rarc")),
                paid_amount=_amount(raw.get("paid_amount"), where),
            )
        )
    return rows


def sha256_file(path: Path) -> str:
    """Hash of a training-data file as given (``sha256sum`` gives the same)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_rows(rows: Iterable[TrainingRow]) -> str:
    """Hash of the canonical training rows (used when there is no source file)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.input.model_dump_json().encode())
        digest.update(f"|{row.outcome}|{','.join(row.carc)}|{row.paid_amount}\n".encode())
    return digest.hexdigest()
