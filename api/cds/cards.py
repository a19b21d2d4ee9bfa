"""A check result as CDS Hooks cards.

Cards follow Da Vinci CRD guidance: a short actionable ``summary`` (< 140 characters),
``warning`` for reimbursement problems and ``info`` otherwise (never ``critical``), a
``source`` naming the policy, suggestions with uuids, override reasons, and an absolute link
to the provider page for the full review.
"""

from __future__ import annotations

import uuid

from api.cds.payer_choice import PayerChoice
from api.cds.wire import (
    OVERRIDE_SYSTEM,
    SUMMARY_MAX,
    Card,
    Coding,
    Indicator,
    Link,
    Source,
    Suggestion,
)
from api.problems import FhirInputError
from assistant.findings import SEVERITY_RANK, Finding
from assistant.pipeline import CheckResult

MAX_FINDING_CARDS = 5
OVERRIDE_REASONS = [
    Coding(code="documented-elsewhere", system=OVERRIDE_SYSTEM, display="Documented elsewhere"),
    Coding(code="not-applicable", system=OVERRIDE_SYSTEM, display="Not applicable to this case"),
    Coding(code="will-addend", system=OVERRIDE_SYSTEM, display="Will add before billing"),
]


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` on one line, cut at a word boundary to fit ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def indicator_for(finding: Finding) -> Indicator:
    """``warning`` when the gap threatens payment (block/warn), else ``info``."""
    return "warning" if finding.severity in ("block", "warn") else "info"


def _review_link(review_url: str) -> Link:
    return Link(label="Open the full ChartReady review", url=review_url, type="absolute")


def _finding_card(finding: Finding, review_url: str, payer: PayerChoice | None) -> Card:
    label = finding.source.policy + (f" {finding.source.section}" if finding.source.section else "")
    detail = f"{finding.message}\n\n**Fix:** {finding.fix}\n\n**Query:** {finding.query.question}"
    if payer is not None:
        detail += "\n\n" + payer.note()
    return Card(
        uuid=str(uuid.uuid4()),
        summary=shorten(finding.fix),
        detail=detail,
        indicator=indicator_for(finding),
        source=Source(label=shorten(label, 200), url=finding.source.url),
        suggestions=[
            Suggestion(label=shorten(finding.fix, 200), uuid=str(uuid.uuid4()), isRecommended=True)
        ],
        selectionBehavior="at-most-one",
        overrideReasons=OVERRIDE_REASONS,
        links=[_review_link(review_url)],
    )


def cards_for(result: CheckResult, review_url: str, payer: PayerChoice | None = None) -> list[Card]:
    """Cards for a result: the most severe findings first, the rest summed up in one card.

    ``payer`` (how the payer profile was chosen) is added to every card's detail.
    """
    findings = sorted(result.findings, key=lambda f: -SEVERITY_RANK[f.severity])
    cards = [_finding_card(f, review_url, payer) for f in findings[:MAX_FINDING_CARDS]]
    rest = findings[MAX_FINDING_CARDS:]
    if rest:
        worst = "warning" if any(indicator_for(f) == "warning" for f in rest) else "info"
        cards.append(
            Card(
                uuid=str(uuid.uuid4()),
                summary=f"{len(rest)} more documentation gaps: open the full review",
                detail=payer.note() if payer is not None else None,
                indicator=worst,
                source=Source(label="ChartReady payer checklists"),
                links=[_review_link(review_url)],
            )
        )
    return cards


def unreadable_note_card(error: FhirInputError, review_url: str) -> Card:
    """An info card saying the draft note could not be read (the hook must still answer)."""
    return Card(
        uuid=str(uuid.uuid4()),
        summary="ChartReady could not read the draft note; check it on the review page",
        detail=str(error),
        indicator="info",
        source=Source(label="ChartReady"),
        links=[Link(label="Open ChartReady", url=review_url, type="absolute")],
    )
