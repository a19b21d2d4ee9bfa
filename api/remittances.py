"""Uploaded 835 files and denial reports for the API and the pages (blocking: thread pool).

An upload is decoded, validated and parsed in full before the store is touched, then
written in one transaction by the importer (``assistant.remittances.importer``), so a
refused file leaves no row behind. What the caller sees of the import is read back from
the store by file id, so a file uploaded a second time reports what the first one added.
Nothing here logs a file's content, names or patient control numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import Errors, RemittanceFormatError
from assistant.remittances.importer import import_bytes
from assistant.remittances.outcomes import OUTCOMES
from assistant.remittances.report import DenialReport, build_report
from assistant.store import (
    Database,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
    RemittanceRepository,
    WorklistRepository,
)

DEFAULT_FILENAME = "remittance.835"
MATCHED = frozenset({"worklist", "api_check"})
REVERSAL_STATUS = "22"
# The envelope segment each version check reads, and the loop it opens.
ENVELOPE_LOOPS = {"ISA": "ISA_LOOP", "GS": "GS_LOOP", "ST": "ST_LOOP"}
# The importer's messages (``assistant.errors`` E901, E902) after their "<file>: " prefix.
_E901 = re.compile(r"(?P<segment>\S+) segment in loop (?P<loop>\S+) \(line (?P<line>\d+)\): ")
_E902 = re.compile(r"(?P<segment>[A-Z0-9]+) \((?P<element>[A-Z0-9]+)\) says (?P<found>.+?); ")
ProblemKind = Literal["not_text", "too_large", "not_x12", "wrong_version", "malformed"]


@dataclass(frozen=True)
class FileSummary:
    """What one imported file holds, in counts and cents (no identifiers)."""

    filename: str
    file_id: int
    already_imported: bool
    claims: int
    lines: int
    outcomes: dict[str, int]
    matched_claims: int
    matched_lines: int
    paid_cents: int
    denied_cents: int
    months: tuple[str, ...]

    @property
    def unmatched_claims(self) -> int:
        """Claims not matched to a checked chart (worklist item or stored API check)."""
        return self.claims - self.matched_claims

    @property
    def unmatched_lines(self) -> int:
        """Lines of the unmatched claims."""
        return self.lines - self.matched_lines


@dataclass(frozen=True)
class FormatProblem:
    """Where and why an upload was refused: the importer's error, located."""

    kind: ProblemKind
    code: str
    message: str
    segment: str
    loop: str
    line: int | None = None
    element: str | None = None
    detail: str = ""


def upload_name(raw: str | None) -> str:
    """The file's own name without any client path, at most 255 characters."""
    name = re.split(r"[/\\]", raw or "")[-1].strip()
    return name[:255] or DEFAULT_FILENAME


def file_summary(session: Session, file_id: int, filename: str, *, again: bool) -> FileSummary:
    """Counts of one stored file: claims, lines by outcome, matched, dollars, months."""
    claims = session.execute(
        select(RemittanceClaim.status, RemittanceClaim.match, RemittanceClaim.paid_cents).where(
            RemittanceClaim.file_id == file_id
        )
    ).all()
    lines = session.execute(
        select(
            RemittanceLine.outcome,
            RemittanceLine.denied_cents,
            RemittanceClaim.match,
            func.coalesce(RemittanceLine.date_of_service, RemittanceClaim.statement_date),
        )
        .join(RemittanceClaim, RemittanceLine.claim_id == RemittanceClaim.id)
        .where(RemittanceClaim.file_id == file_id)
    ).all()
    outcomes = Counter(outcome for outcome, _, _, _ in lines)
    return FileSummary(
        filename=filename,
        file_id=file_id,
        already_imported=again,
        claims=len(claims),
        lines=len(lines),
        outcomes={name: outcomes.get(name, 0) for name in OUTCOMES},
        matched_claims=sum(match in MATCHED for _, match, _ in claims),
        matched_lines=sum(match in MATCHED for _, _, match, _ in lines),
        paid_cents=sum(paid for status, _, paid in claims if status != REVERSAL_STATUS),
        denied_cents=sum(denied for _, denied, _, _ in lines),
        months=tuple(sorted({day.strftime("%Y-%m") for *_, day in lines if day is not None})),
    )


def import_835(database: Database, data: bytes, filename: str, user: str) -> FileSummary:
    """Validate and import one uploaded 835 whole; :class:`RemittanceFormatError` if refused."""
    imported = import_bytes(database, data, filename, user)
    with database.session() as session:
        return file_summary(session, imported.file_id, filename, again=imported.already_imported)


def locate(exc: RemittanceFormatError, source: str) -> FormatProblem:
    """Segment, loop (and line or element) of a refused file, read from the coded message."""
    message = str(exc)
    rest = message.removeprefix(f"{source}: ")
    if exc.code == Errors.E902.code and (found := _E902.match(rest)):
        segment = found["segment"]
        return FormatProblem(
            "wrong_version",
            exc.code,
            message,
            segment,
            ENVELOPE_LOOPS.get(segment, f"{segment}_LOOP"),
            element=found["element"],
            detail=found["found"],
        )
    located = _E901.match(rest)
    if located is None:
        return FormatProblem("malformed", exc.code, message, "ISA", "ISA_LOOP", detail=rest)
    problem = rest[located.end() :]
    kind: ProblemKind = "malformed"
    if problem.startswith("the file is not text"):
        kind = "not_text"
    elif problem.startswith("the file is larger than"):
        kind = "too_large"
    elif problem.startswith("the file does not begin with an ISA"):
        kind = "not_x12"
    return FormatProblem(
        kind,
        exc.code,
        message,
        located["segment"],
        located["loop"],
        line=int(located["line"]),
        detail=problem,
    )


def month_report(database: Database, month: str) -> DenialReport:
    """The denial report of ``month``; :class:`~assistant.errors.NoRemittances` when empty."""
    with database.session() as session:
        return build_report(RemittanceRepository(session), WorklistRepository(session), month)


def latest_month(database: Database) -> str | None:
    """The month of the latest imported date of service, if anything was imported."""
    with database.session() as session:
        latest = session.scalar(select(func.max(RemittanceLine.date_of_service)))
    return latest.strftime("%Y-%m") if latest is not None else None


def recent_files(database: Database, limit: int = 20) -> list[RemittanceFile]:
    """The files imported last, newest first."""
    with database.session() as session:
        stmt = select(RemittanceFile).order_by(RemittanceFile.id.desc()).limit(limit)
        return list(session.scalars(stmt))
