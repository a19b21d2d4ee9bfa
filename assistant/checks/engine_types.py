"""Types shared by the engine and the components that add findings to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.checks.claims import Claim, ProcedureHistory
from assistant.checks.payers import ResolvedPayer
from assistant.checks.result import Finding
from assistant.facts import NoteFacts


@dataclass(frozen=True)
class ProviderInput:
    """What an extra finding provider sees (E/M and opioid rules add their own findings)."""

    text: str
    facts: NoteFacts
    payer: ResolvedPayer
    claim: Claim | None
    history: ProcedureHistory | None


FindingProvider = Callable[[ProviderInput], list[Finding]]
