"""Payer-shaped checklists and the findings engine (``check_note``)."""

from assistant.checks.claims import Claim, ClaimLine, HistoryEntry, ProcedureHistory
from assistant.checks.engine import check_note, run_checks
from assistant.checks.engine_types import FindingProvider, ProviderInput
from assistant.checks.registry import ChecklistRegistry, load_registry
from assistant.checks.result import CheckResult, Finding, FindingEvidence

__all__ = [
    "CheckResult",
    "ChecklistRegistry",
    "Claim",
    "ClaimLine",
    "Finding",
    "FindingEvidence",
    "FindingProvider",
    "HistoryEntry",
    "ProcedureHistory",
    "ProviderInput",
    "check_note",
    "load_registry",
    "run_checks",
]
