"""Match remitted claims and lines to the charts ChartReady checked before billing.

The practice sends its own claim id as the patient control number (CLP01), which is the
worklist item's (or API check's) ``note_id``; the date of service separates two visits
billed under one id, and the CPT (then the modifiers) picks the claim line. Pure functions:
the importer hands in the candidate rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol, TypeVar

from assistant.remittances.model import ServiceLine

MatchKind = Literal["worklist", "api_check", "date_mismatch", "unmatched"]
# Findings at these severities would have stopped or warned a coder before billing.
FLAGGING_SEVERITIES = frozenset({"block", "warn"})


class Chart(Protocol):
    """What matching reads from a worklist item."""

    @property
    def date_of_service(self) -> date: ...


C = TypeVar("C", bound=Chart)


@dataclass(frozen=True)
class Flags:
    """Whether the check flagged a line, and with which rule ids."""

    flagged: bool | None
    rules: tuple[str, ...] = ()


def claim_date(lines: Sequence[ServiceLine], statement: date | None) -> date | None:
    """The claim's date of service: its first line's, else the statement date."""
    dates = [line.date_of_service for line in lines if line.date_of_service is not None]
    return min(dates) if dates else statement


def choose_chart(candidates: Sequence[C], dos: date | None) -> tuple[C | None, bool]:
    """The candidate for one claim, newest first: same date of service wins.

    Returns ``(chart, date_mismatch)``; a lone candidate is taken when the remittance gives
    no date, and candidates all on other dates are refused (another visit under the same id).
    """
    if not candidates:
        return None, False
    if dos is None:
        return candidates[0], False
    for chart in candidates:
        if chart.date_of_service == dos:
            return chart, False
    return None, True


def claim_line_index(claim: Mapping[str, Any] | None, line: ServiceLine) -> int | None:
    """Index of the billed claim line with the remitted CPT (modifiers break ties)."""
    if not claim or not line.procedure:
        return None
    same_code = [
        (i, billed)
        for i, billed in enumerate(claim.get("lines") or [])
        if str(billed.get("cpt", "")).upper() == line.procedure.upper()
    ]
    if not same_code:
        return None
    wanted = sorted(line.modifiers)
    for i, billed in same_code:
        if sorted(str(m).upper() for m in billed.get("modifiers") or []) == wanted:
            return i
    return same_code[0][0]


def line_flags(
    result: Mapping[str, Any] | None, index: int | None, *, whole_note: bool = False
) -> Flags:
    """Block/warn findings of the stored result that apply to claim line ``index``.

    A note-level finding (no ``claim_line``) applies to every line; with ``whole_note`` (an
    API check, which keeps no claim lines) every block/warn finding counts.
    """
    if result is None:
        return Flags(None)
    rules = [
        str(f.get("rule_id"))
        for f in result.get("findings") or []
        if f.get("severity") in FLAGGING_SEVERITIES
        and (whole_note or f.get("claim_line") is None or f.get("claim_line") == index)
    ]
    unique = tuple(dict.fromkeys(rules))
    return Flags(bool(unique), unique)
