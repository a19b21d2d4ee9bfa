"""Labelled checks from imported remittances: what each matched claim's check saw, and its fate.

One row per standing claim (not a reversal, not an original that a reversal takes back, as
in the denial report) matched to a check stored before billing: a worklist item's result
and claim, or an API check's result (an API check keeps no claim). The label sums up the
claim's lines: ``denied`` when every line was denied, ``partial`` when some line was denied
or partially paid, else ``paid`` (a line left to the patient counts as paid, as in the
report's first-pass rate). Every remitted line that gives no row is counted by reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.remittances.report import DENIED, is_superseded, superseded_keys
from assistant.risk.schema import Outcome
from assistant.risk.training_data import StoredOutcome
from assistant.store.models import StoredCheck, WorklistItem
from assistant.store.remittance_repository import RemittanceRepository
from assistant.store.remittance_tables import RemittanceClaim, RemittanceLine

# Why a remitted line gave no training row (the keys of ``RemittanceOutcomes.excluded``).
REVERSED = "reversed_or_superseded"
NO_STORED_CHECK = "no_stored_check"
NO_DATE = "no_date_of_service"
UNREADABLE = "unreadable_check"


@dataclass
class RemittanceOutcomes:
    """Labelled stored checks, and the remitted lines left out, counted by reason."""

    outcomes: list[StoredOutcome]
    excluded: Counter[str] = field(default_factory=Counter)

    @property
    def lines_used(self) -> int:
        """Remitted lines summed up by the labelled checks."""
        return sum(outcome.lines for outcome in self.outcomes)

    def drop_unreadable(self, unreadable: Sequence[StoredOutcome]) -> None:
        """Move outcomes whose stored check no longer validates into the excluded count."""
        dropped = {id(outcome) for outcome in unreadable}
        self.outcomes = [o for o in self.outcomes if id(o) not in dropped]
        self.excluded[UNREADABLE] += sum(outcome.lines for outcome in unreadable)


@dataclass(frozen=True)
class _RemittedClaim:
    claim: RemittanceClaim
    item: WorklistItem | None
    lines: list[RemittanceLine]


def claim_label(line_outcomes: Sequence[str]) -> Outcome:
    """A claim's training label from its standing lines' outcomes."""
    if line_outcomes and all(outcome == "denied" for outcome in line_outcomes):
        return "denied"
    if any(outcome in DENIED for outcome in line_outcomes):
        return "partial"
    return "paid"


def _chart(
    remitted: _RemittedClaim, checks: Mapping[int, StoredCheck]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The stored result and claim the remitted claim was matched to (``None`` if gone)."""
    if remitted.item is not None:
        return remitted.item.result, remitted.item.claim
    check = checks.get(remitted.claim.check_id) if remitted.claim.check_id else None
    return (check.result, None) if check is not None else (None, None)


def _labelled(remitted: _RemittedClaim, checks: Mapping[int, StoredCheck]) -> StoredOutcome | str:
    """The claim as a stored outcome, or the reason its lines cannot be used."""
    claim, lines = remitted.claim, remitted.lines
    if claim.match not in {"worklist", "api_check"}:
        return claim.match  # unmatched, date_mismatch
    result, chart_claim = _chart(remitted, checks)
    if result is None:
        return NO_STORED_CHECK
    dates = [line.date_of_service for line in lines if line.date_of_service is not None]
    dos = remitted.item.date_of_service if remitted.item is not None else min(dates, default=None)
    if dos is None:
        return NO_DATE
    denied = [line for line in lines if line.outcome in DENIED]
    return StoredOutcome(
        where=f"remittance claim {claim.id}",
        result=result,
        claim=chart_claim,
        outcome=claim_label([line.outcome for line in lines]),
        date_of_service=dos,
        lines=len(lines),
        carc=tuple(dict.fromkeys(line.reason for line in denied if line.reason)),
        rarc=tuple(dict.fromkeys([*(r for ln in lines for r in ln.remarks), *claim.remarks])),
        paid_amount=sum(line.paid_cents for line in lines) / 100,
    )


def stored_outcomes(repo: RemittanceRepository) -> RemittanceOutcomes:
    """Every standing remitted claim matched to a stored check, labelled; the rest counted."""
    rows = repo.all_lines()
    superseded = superseded_keys(claim for _, claim, _ in rows)
    claims: dict[int, _RemittedClaim] = {}
    for line, claim, item in rows:
        claims.setdefault(claim.id, _RemittedClaim(claim, item, [])).lines.append(line)
    checks = repo.checks({c.claim.check_id for c in claims.values() if c.claim.check_id})
    gathered = RemittanceOutcomes([])
    for remitted in claims.values():
        if remitted.claim.kind == "reversal" or is_superseded(remitted.claim, superseded):
            gathered.excluded[REVERSED] += len(remitted.lines)
            continue
        labelled = _labelled(remitted, checks)
        if isinstance(labelled, str):
            gathered.excluded[labelled] += len(remitted.lines)
        else:
            gathered.outcomes.append(labelled)
    return gathered
