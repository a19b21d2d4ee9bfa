"""Import 835 files into the store: parse fully first, then one transaction per file.

A file that fails validation raises before the database is touched; a file that parses is
written in one session (file, claims, lines, adjustments, matches) that commits or rolls
back whole, so nothing is ever half-imported. A file already imported (same SHA-256) is
skipped, so re-running an import is safe.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from assistant.remittances.categories import CategoryTable, classify, load_table
from assistant.remittances.extract import remittances
from assistant.remittances.matching import (
    MatchKind,
    choose_chart,
    claim_date,
    claim_line_index,
    line_flags,
)
from assistant.remittances.model import ClaimPayment, Remittance
from assistant.remittances.outcomes import effective_lines, line_outcome
from assistant.remittances.x12 import malformed, read_segments
from assistant.store import Database
from assistant.store.models import StoredCheck, WorklistItem
from assistant.store.remittance_repository import RemittanceRepository
from assistant.store.remittance_tables import (
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
)

# The largest file `chartready remittances import` reads; uploads have their own, smaller
# limit (the API's ``max_remittance_bytes`` setting).
MAX_BYTES = 50_000_000


@dataclass(frozen=True)
class ImportSummary:
    """What one file added (no identifiers: safe to print and log)."""

    filename: str
    file_id: int
    claims: int
    lines: int
    already_imported: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)
    matched_claims: int = 0
    denied_cents: int = 0
    paid_cents: int = 0


def size_words(max_bytes: int) -> str:
    """A size limit for people: ``20 MB`` (decimal megabytes) from 1 MB up, else bytes."""
    if max_bytes < 1_000_000:
        return f"{max_bytes:,} bytes"
    return f"{round(max_bytes / 1_000_000, 1):g} MB"


def decode(data: bytes, source: str, max_bytes: int = MAX_BYTES) -> str:
    """The file as text; X12 is ASCII, so anything else is refused as not an 835."""
    if len(data) > max_bytes:
        problem = f"the file is larger than {size_words(max_bytes)}"
        raise malformed(source, "ISA", "ISA_LOOP", 1, problem, kind="too_large")
    try:
        return data.decode("utf-8").lstrip("\ufeff").lstrip()
    except UnicodeDecodeError:
        problem = "the file is not text (not UTF-8/ASCII)"
        raise malformed(source, "ISA", "ISA_LOOP", 1, problem, kind="not_text") from None


def parse_835(text: str, source: str) -> list[Remittance]:
    """Validate and extract every transaction set of one 835 file."""
    return remittances(read_segments(text, source))


def _match(
    repo: RemittanceRepository, claim: ClaimPayment
) -> tuple[WorklistItem | None, StoredCheck | None, MatchKind]:
    items = repo.worklist_candidates(claim.patient_control_number)
    item, mismatch = choose_chart(items, claim_date(claim.lines, claim.statement_date))
    if item is not None:
        return item, None, "worklist"
    if mismatch:
        return None, None, "date_mismatch"
    check = repo.latest_check(claim.patient_control_number)
    return None, check, "api_check" if check is not None else "unmatched"


def _store_claim(
    session: Session,
    repo: RemittanceRepository,
    table: CategoryTable,
    file_id: int,
    remittance: Remittance,
    claim: ClaimPayment,
    counts: Counter[str],
) -> tuple[int, bool]:
    """Add one claim with its lines and adjustments; return (lines added, matched)."""
    item, check, kind = _match(repo, claim)
    row = RemittanceClaim(
        file_id=file_id,
        transaction_control=remittance.control_number[:9],
        payer_name=remittance.payer_name[:60],
        payer_id=remittance.payer_id,
        payment_date=remittance.payment_date,
        trace_number=remittance.trace_number,
        patient_control_number=claim.patient_control_number[:38],
        status=claim.status,
        kind=claim.kind,
        billed_cents=claim.billed_cents,
        paid_cents=claim.paid_cents,
        patient_responsibility_cents=claim.patient_responsibility_cents,
        payer_claim_number=claim.payer_claim_number,
        original_reference=claim.original_reference,
        statement_date=claim.statement_date,
        rendering_npi=claim.rendering_npi,
        remarks=list(claim.remarks),
        worklist_item_id=item.id if item else None,
        check_id=check.id if check else None,
        match=kind,
    )
    session.add(row)
    session.flush()
    lines = effective_lines(claim)
    for line in lines:
        outcome = line_outcome(table, claim, line)
        index = claim_line_index(item.claim if item else None, line)
        if item is not None:
            flags = line_flags(item.result, index)
        else:
            flags = line_flags(check.result if check else None, None, whole_note=True)
        line_row = RemittanceLine(
            claim_id=row.id,
            line_number=line.line_number,
            procedure=line.procedure,
            modifiers=list(line.modifiers),
            units=line.units,
            billed_cents=line.billed_cents,
            paid_cents=line.paid_cents,
            date_of_service=line.date_of_service or claim.statement_date,
            remarks=list(line.remarks),
            outcome=outcome.outcome,
            category=outcome.category,
            reason=outcome.reason,
            denied_cents=outcome.denied_cents,
            claim_line_index=index,
            flagged=flags.flagged,
            flagged_rules=list(flags.rules),
        )
        session.add(line_row)
        session.flush()
        counts[outcome.outcome] += 1
        for classified in outcome.adjustments:
            if classified.claim_level:
                continue
            adj = classified.adjustment
            session.add(
                RemittanceAdjustment(
                    claim_id=row.id,
                    line_id=line_row.id,
                    group_code=adj.group,
                    reason_code=adj.reason,
                    amount_cents=adj.amount_cents,
                    quantity=adj.quantity,
                    category=classified.category,
                )
            )
    remarks = (*claim.remarks,)
    for adj in claim.adjustments:
        session.add(
            RemittanceAdjustment(
                claim_id=row.id,
                line_id=None,
                group_code=adj.group,
                reason_code=adj.reason,
                amount_cents=adj.amount_cents,
                quantity=adj.quantity,
                category=classify(table, adj, remarks),
            )
        )
    return len(lines), kind in {"worklist", "api_check"}


def import_parsed(
    session: Session, parsed: list[Remittance], filename: str, user: str, sha256: str
) -> ImportSummary:
    """Add a parsed file in ``session`` (the caller's transaction); skip a known file."""
    repo = RemittanceRepository(session)
    existing = repo.file_by_sha256(sha256)
    if existing is not None:
        return ImportSummary(filename, existing.id, existing.claims, existing.lines, True)
    table = load_table()
    file_row = RemittanceFile(sha256=sha256, filename=filename[:255], imported_by=user[:100])
    session.add(file_row)
    session.flush()
    counts: Counter[str] = Counter()
    claims = lines = matched = 0
    for remittance in parsed:
        for claim in remittance.claims:
            added, was_matched = _store_claim(
                session, repo, table, file_row.id, remittance, claim, counts
            )
            claims += 1
            lines += added
            matched += was_matched
    file_row.claims, file_row.lines = claims, lines
    session.flush()
    claims_all = [c for r in parsed for c in r.claims if not c.is_reversal]
    return ImportSummary(
        filename=filename,
        file_id=file_row.id,
        claims=claims,
        lines=lines,
        outcomes=dict(sorted(counts.items())),
        matched_claims=matched,
        paid_cents=sum(c.paid_cents for c in claims_all),
        denied_cents=sum(
            line_outcome(table, c, line).denied_cents
            for c in claims_all
            for line in effective_lines(c)
        ),
    )


def import_file(database: Database, path: Path, user: str) -> ImportSummary:
    """Import one 835 file in its own transaction (all of it or nothing)."""
    return import_bytes(database, path.read_bytes(), path.name, user)


def import_bytes(
    database: Database, data: bytes, name: str, user: str, max_bytes: int = MAX_BYTES
) -> ImportSummary:
    """Import one 835 (a file's bytes, an upload) in its own transaction, all or nothing.

    A file over ``max_bytes`` is refused (``Errors.E901``) before it is decoded.
    """
    text = decode(data, name, max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    parsed = parse_835(text, name)  # fail before opening a transaction
    with database.session() as session:
        return import_parsed(session, parsed, name, user, sha256)
