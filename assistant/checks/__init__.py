"""Payer-shaped checklists and the findings engine (:func:`run_checks`)."""

from assistant.checks.claims import Claim, ClaimLine, HistoryEntry, ProcedureHistory
from assistant.checks.engine import AppliedChecklist, ChecklistReview, note_verdict, run_checks
from assistant.checks.registry import ChecklistRegistry, load_registry

__all__ = [
    "AppliedChecklist",
    "ChecklistRegistry",
    "ChecklistReview",
    "Claim",
    "ClaimLine",
    "HistoryEntry",
    "ProcedureHistory",
    "load_registry",
    "note_verdict",
    "run_checks",
]
