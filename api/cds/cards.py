"""A check result as CDS Hooks cards.

Cards follow Da Vinci CRD guidance: a short actionable ``summary`` (< 140 characters),
``warning`` for reimbursement problems and ``info`` otherwise (never ``critical``), a
``source`` naming the policy, suggestions with uuids, override reasons, and an absolute link
to the provider page for the full review. A note whose procedure ChartReady could not
identify (verdict ``not_recognised``) leads with its own warning card: check it by hand.
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
from assistant.checks.registry import load_registry
from assistant.findings import SEVERITY_RANK, Finding, SourceRef
from assistant.pipeline import CheckResult

MAX_FINDING_CARDS = 5
NOT_RECOGNISED_SUMMARY = "ChartReady could not identify the procedure: check this note by hand"
NOT_RECOGNISED_DETAIL = (
    "The note reads as a procedure note, but ChartReady could not tell which procedure was "
    "performed, so it could not check the documentation the payer requires. Check this note "
    "by hand before it is signed or billed, or name the procedure performed, with its "
    "level(s) and side, in a procedure line."
)
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


def source_of(ref: SourceRef) -> Source:
    """A card's source: the policy (and section) a rule cites, with its link."""
    label = ref.policy + (f" {ref.section}" if ref.section else "")
    return Source(label=shorten(label, 200), url=ref.url)


def _finding_card(finding: Finding, review_url: str, payer: PayerChoice | None) -> Card:
    detail = f"{finding.message}\n\n**Fix:** {finding.fix}\n\n**Query:** {finding.query.question}"
    if payer is not None:
        detail += "\n\n" + payer.note()
    return Card(
        uuid=str(uuid.uuid4()),
        summary=shorten(finding.fix),
        detail=detail,
        indicator=indicator_for(finding),
        source=source_of(finding.source),
        suggestions=[
            Suggestion(label=shorten(finding.fix, 200), uuid=str(uuid.uuid4()), isRecommended=True)
        ],
        selectionBehavior="at-most-one",
        overrideReasons=OVERRIDE_REASONS,
        links=[_review_link(review_url)],
    )


def _not_recognised_rule_ids() -> frozenset[str]:
    """Ids of the checklist elements whose finding makes a note ``not_recognised``."""
    return frozenset(
        element.id
        for checklist in load_registry().all()
        for element in checklist.elements
        if element.verdict == "not_recognised"
    )


def not_recognised_card(
    result: CheckResult, review_url: str, payer: PayerChoice | None = None
) -> Card:
    """A warning that the procedure was not identified, so nothing was checked: check by hand.

    It stands in for the finding that set the verdict, keeping that finding's policy source.
    """
    finding = next((f for f in result.findings if f.rule_id in _not_recognised_rule_ids()), None)
    detail = NOT_RECOGNISED_DETAIL
    source = Source(label="ChartReady")
    if finding is not None:
        detail += f"\n\n**Query:** {finding.query.question}"
        source = source_of(finding.source)
    if payer is not None:
        detail += "\n\n" + payer.note()
    return Card(
        uuid=str(uuid.uuid4()),
        summary=NOT_RECOGNISED_SUMMARY,
        detail=detail,
        indicator="warning",
        source=source,
        overrideReasons=OVERRIDE_REASONS,
        links=[_review_link(review_url)],
    )


def cards_for(result: CheckResult, review_url: str, payer: PayerChoice | None = None) -> list[Card]:
    """Cards for a result: the most severe findings first, the rest summed up in one card.

    A ``not_recognised`` note leads with :func:`not_recognised_card` instead of the card of
    the finding that set that verdict. ``payer`` (how the payer profile was chosen) is added
    to every card's detail.
    """
    findings = sorted(result.findings, key=lambda f: -SEVERITY_RANK[f.severity])
    cards: list[Card] = []
    if result.verdict == "not_recognised":
        cards.append(not_recognised_card(result, review_url, payer))
        shown = _not_recognised_rule_ids()
        findings = [f for f in findings if f.rule_id not in shown]
    cards += [_finding_card(f, review_url, payer) for f in findings[:MAX_FINDING_CARDS]]
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
