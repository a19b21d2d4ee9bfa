"""Per service line: paid, partially paid, denied, patient responsibility or reversed, and why.

Pure functions over the parsed :mod:`~assistant.remittances.model` and the category table.
A line's reason is its largest denial adjustment (``CO-50``); a line that carries no CAS of
its own but was not paid borrows the claim-level CAS (payers put claim-wide denials such as
CO-29 timely filing there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.remittances.categories import Category, CategoryTable, classify, is_denial
from assistant.remittances.model import Adjustment, ClaimPayment, ServiceLine

Outcome = Literal["paid", "partially_paid", "denied", "patient_responsibility", "reversed"]
OUTCOMES: tuple[Outcome, ...] = (
    "paid",
    "partially_paid",
    "denied",
    "patient_responsibility",
    "reversed",
)


@dataclass(frozen=True)
class Classified:
    """An adjustment with its category (and whether it came from the claim level)."""

    adjustment: Adjustment
    category: Category
    claim_level: bool = False


@dataclass(frozen=True)
class LineOutcome:
    """What happened to one billed line."""

    outcome: Outcome
    category: Category | None
    reason: str | None
    denied_cents: int
    adjustments: tuple[Classified, ...]


def effective_lines(claim: ClaimPayment) -> tuple[ServiceLine, ...]:
    """The claim's service lines; a claim paid without SVC loops counts as one line 0."""
    if claim.lines:
        return claim.lines
    return (
        ServiceLine(
            line_number=0,
            qualifier="",
            procedure="",
            billed_cents=claim.billed_cents,
            paid_cents=claim.paid_cents,
            date_of_service=claim.statement_date,
            remarks=claim.remarks,
        ),
    )


def classify_line(
    table: CategoryTable, claim: ClaimPayment, line: ServiceLine
) -> tuple[Classified, ...]:
    """The line's adjustments (then the claim's, when the line has none) with categories."""
    remarks = (*line.remarks, *claim.remarks)
    own = tuple(Classified(a, classify(table, a, remarks)) for a in line.adjustments)
    if line.line_number == 0 or own:
        claim_level = line.line_number == 0
        extra = tuple(
            Classified(a, classify(table, a, remarks), claim_level=True) for a in claim.adjustments
        )
        return (*own, *extra) if claim_level else own
    return tuple(Classified(a, classify(table, a, remarks), True) for a in claim.adjustments)


def _main(denials: Sequence[Classified]) -> Classified | None:
    """The denial with the largest amount (the first on ties)."""
    best: Classified | None = None
    for item in denials:
        if best is None or item.adjustment.amount_cents > best.adjustment.amount_cents:
            best = item
    return best


def line_outcome(table: CategoryTable, claim: ClaimPayment, line: ServiceLine) -> LineOutcome:
    """Outcome, main denial category and reason, and denied dollars of one line."""
    classified = classify_line(table, claim, line)
    if claim.is_reversal:
        return LineOutcome("reversed", None, None, 0, classified)
    denials = [c for c in classified if is_denial(table, c.category)]
    main = _main(denials)
    unpaid = max(line.billed_cents - line.paid_cents, 0)
    if main is not None:
        own = sum(c.adjustment.amount_cents for c in denials if not c.claim_level)
        denied = own if own else unpaid
        outcome: Outcome = "denied" if line.paid_cents <= 0 else "partially_paid"
        return LineOutcome(outcome, main.category, main.adjustment.code, denied, classified)
    if line.paid_cents <= 0 < line.billed_cents:
        if any(c.category == "patient_responsibility" for c in classified):
            return LineOutcome("patient_responsibility", None, None, 0, classified)
        return LineOutcome("denied", "other", None, unpaid, classified)
    return LineOutcome("paid", None, None, 0, classified)
