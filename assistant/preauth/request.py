"""A prior-authorization request given as data (the API, the web page), checked before reading.

The CLI gathers a patient's notes from files; the API and the web page send them as
``{note_id, date_of_service, text}``. Both end in the same :func:`build_packet`. A request is
checked in full before any note is read (:func:`prepare`), so a wrong family, payer, level,
date or note is refused at once with its coded error; the reading and judging
(:func:`packet_of`) can then run in a reader process. Errors name where the problem is
(``notes -> 2 -> date_of_service``), never a note's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from assistant.checks import load_registry
from assistant.checks.registry import ChecklistRegistry
from assistant.errors import Errors, PreauthInputError
from assistant.facts import Laterality
from assistant.notes import validate_note_text
from assistant.preauth.notes import dated_notes
from assistant.preauth.packet import Packet, build_packet, check_family
from assistant.preauth.planned import PlannedProcedure, parse_levels
from assistant.preauth.values import labelled_date

MAX_NOTES = 50
# Dates outside these are typing slips, and the rolling windows cannot reach before year 1.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
DateText = Annotated[
    str,
    Field(max_length=40, json_schema_extra={"format": "date"}, examples=["2024-03-01"]),
]
# Names a note (index) or one of its fields in an error: ``notes -> 2 -> date_of_service``.
NoteLabel = Callable[[int, str | None], str]


class NoteIn(BaseModel):
    """One note of the patient: an id, its date of service and its plain text."""

    model_config = ConfigDict(extra="forbid")

    note_id: str = Field(min_length=1, max_length=200, description="Unique among the notes.")
    date_of_service: DateText | None = Field(
        default=None,
        description="YYYY-MM-DD; when absent, the note's own 'Date of service:' line.",
    )
    text: str = Field(description="The note's plain text (UTF-8).")


class ProcedureIn(BaseModel):
    """The procedure to authorize: family, levels, side, payer and (optionally) its date."""

    model_config = ConfigDict(extra="forbid")

    family: str = Field(
        min_length=1, max_length=50, description="Procedure family with criteria, e.g. facet_rfa."
    )
    levels: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20, description='Spinal levels, e.g. ["L4-L5", "L5-S1"].'
    )
    side: Laterality | None = None
    payer: str = Field(min_length=1, max_length=50, description="Payer profile id.")
    date: DateText | None = Field(
        default=None, description="Planned date (YYYY-MM-DD); default: the latest note's date."
    )


class PacketRequest(BaseModel):
    """A patient's notes and the procedure to authorize."""

    model_config = ConfigDict(extra="forbid")

    notes: list[NoteIn] = Field(default_factory=list, max_length=MAX_NOTES)
    procedure: ProcedureIn
    patient: str | None = Field(
        default=None, max_length=100, description="Pseudonymous patient key (no names)."
    )


@dataclass(frozen=True)
class PreparedRequest:
    """A checked request: the planned procedure and the dated notes, not yet read."""

    planned: PlannedProcedure
    notes: tuple[tuple[str, dt.date, str], ...]
    patient: str | None


def api_label(index: int, field: str | None = None) -> str:
    """Where note ``index`` (or its ``field``) sits in a JSON request (``notes -> 2``)."""
    return f"notes -> {index}" + (f" -> {field}" if field else "")


def parse_date(raw: str, source: str) -> dt.date:
    """A YYYY-MM-DD date between 1900 and 2100, else Errors.E105 naming ``source``."""
    try:
        found = dt.date.fromisoformat(raw.strip())
    except ValueError:
        found = None
    if found is None or not FIRST_DATE <= found <= LAST_DATE:
        problem = "not a date between 1900-01-01 and 2100-12-31 written as YYYY-MM-DD"
        raise PreauthInputError(Errors.E105, source=source, problem=problem)
    return found


def planned_procedure(
    procedure: ProcedureIn, registry: ChecklistRegistry, source: str = "procedure"
) -> PlannedProcedure:
    """The planned procedure, once its family, payer, levels and date are known to be valid.

    Raises:
        PreauthInputError: no criteria for the family (Errors.E101), levels
            (Errors.E106) or date (Errors.E105).
        UnknownPayerError: no such payer profile (Errors.E011).
    """
    check_family(procedure.family, registry)
    registry.payer(procedure.payer)
    levels = [level for raw in procedure.levels for level in parse_levels(raw)]
    when = parse_date(procedure.date, f"{source} -> date") if procedure.date else None
    return PlannedProcedure.model_validate(
        {
            "family": procedure.family,
            "levels": list(dict.fromkeys(levels)),
            "side": procedure.side,
            "payer": procedure.payer,
            "date": when,
        }
    )


def note_date(note: NoteIn, index: int, label: NoteLabel = api_label) -> dt.date:
    """The note's date of service as given, else its ``Date of service:`` line.

    Raises:
        PreauthInputError: a malformed date (Errors.E105), or none at all (Errors.E104).
    """
    if note.date_of_service is not None and note.date_of_service.strip():
        return parse_date(note.date_of_service, label(index, "date_of_service"))
    found = labelled_date(note.text)
    if found is None:
        raise PreauthInputError(Errors.E104, note=f"{label(index, None)} ({note.note_id})")
    if not FIRST_DATE <= found <= LAST_DATE:
        problem = "the note's 'Date of service:' line is not between 1900 and 2100"
        raise PreauthInputError(Errors.E105, source=label(index, None), problem=problem)
    return found


def note_items(
    notes: Sequence[NoteIn], label: NoteLabel = api_label
) -> list[tuple[str, dt.date, str]]:
    """``(note_id, date, text)`` of each note, every one readable and dated.

    Raises:
        PreauthInputError: no notes or a bad date (Errors.E105), no date (Errors.E104).
        NoteInputError: a note is empty, too long or not text (Errors.E002).
    """
    if not notes:
        problem = "no notes given; send at least one note of the patient"
        raise PreauthInputError(Errors.E105, source="notes", problem=problem)
    items = []
    for index, note in enumerate(notes):
        text = validate_note_text(note.text, label(index, "text"))
        items.append((note.note_id, note_date(note, index, label), text))
    return items


def prepare(
    request: PacketRequest, registry: ChecklistRegistry, label: NoteLabel = api_label
) -> PreparedRequest:
    """Check everything in ``request`` that can be checked without reading a note."""
    planned = planned_procedure(request.procedure, registry)
    items = note_items(request.notes, label)
    seen: set[str] = set()
    for index, (note_id, _, _) in enumerate(items):
        if note_id in seen:
            problem = f"{note_id!r} is the id of an earlier note too; note ids must be unique"
            raise PreauthInputError(Errors.E105, source=label(index, "note_id"), problem=problem)
        seen.add(note_id)
    patient = request.patient.strip() if request.patient and request.patient.strip() else None
    return PreparedRequest(planned, tuple(items), patient)


def packet_of(prepared: PreparedRequest) -> Packet:
    """Read every note once and judge the criteria (picklable: runs in a reader process)."""
    registry = load_registry()
    notes = dated_notes(list(prepared.notes))
    return build_packet(prepared.planned, notes, registry, prepared.patient)


__all__ = [
    "MAX_NOTES",
    "NoteIn",
    "PacketRequest",
    "PreparedRequest",
    "ProcedureIn",
    "api_label",
    "note_items",
    "packet_of",
    "parse_date",
    "planned_procedure",
    "prepare",
]
