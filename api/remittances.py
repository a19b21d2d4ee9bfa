"""Uploaded 835 files and denial reports for the API and the pages (blocking: thread pool).

An upload is decoded, validated and parsed in full before the store is touched, then
written in one transaction by the importer (``assistant.remittances.importer``), so a
refused file leaves no row behind. What the caller sees of the import is read back from
the store by file id, so a file uploaded a second time reports what the first one added.
An upload has a size limit of its own (the ``max_remittance_bytes`` setting, 20 MB by
default), enforced with the other body limits before the route runs
(:func:`upload_limits`, ``api.limits``); every other request keeps ``max_body_bytes``.
Nothing here logs a file's content, names or patient control numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.limits import RouteLimit
from assistant.errors import RemittanceFormatError
from assistant.remittances.importer import MAX_BYTES, import_bytes, size_words
from assistant.remittances.outcomes import OUTCOMES
from assistant.remittances.report import DenialReport, build_report
from assistant.remittances.x12 import FormatLocation, ProblemKind, X12FormatError
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
# The routes that take an 835 upload: the API and the quality lead's upload page.
UPLOAD_ROUTES = (("POST", "/v1/remittances"), ("POST", "/remittances"))
TOO_LARGE_TITLE = "835 file too large"


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


def too_large_message(max_bytes: int) -> str:
    """Why an 835 upload over the limit was refused, and what to do instead."""
    return (
        f"This 835 file is larger than {size_words(max_bytes)}, the most one upload may hold "
        "(CHARTREADY_MAX_REMITTANCE_BYTES), so nothing was read or stored. Ask the payer or "
        "clearinghouse for smaller files, or import it on the server with `chartready "
        f"remittances import` (up to {size_words(MAX_BYTES)})."
    )


def upload_limits(max_bytes: int) -> tuple[RouteLimit, ...]:
    """The body limit of the 835 upload routes, refused with :func:`too_large_message`."""
    message = too_large_message(max_bytes)
    return tuple(
        RouteLimit(method, path, max_bytes, TOO_LARGE_TITLE, message)
        for method, path in UPLOAD_ROUTES
    )


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


def import_835(
    database: Database, data: bytes, filename: str, user: str, max_bytes: int = MAX_BYTES
) -> FileSummary:
    """Validate and import one uploaded 835 whole; :class:`RemittanceFormatError` if refused."""
    imported = import_bytes(database, data, filename, user, max_bytes)
    with database.session() as session:
        return file_summary(session, imported.file_id, filename, again=imported.already_imported)


def locate(exc: RemittanceFormatError) -> FormatProblem:
    """Segment, loop (and line or element) of a refused file, as the importer raised them."""
    where = (
        exc.location
        if isinstance(exc, X12FormatError)
        else FormatLocation("malformed", "ISA", "ISA_LOOP", str(exc))
    )
    return FormatProblem(
        where.kind,
        exc.code,
        str(exc),
        where.segment,
        where.loop,
        line=where.line,
        element=where.element,
        detail=where.detail,
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
