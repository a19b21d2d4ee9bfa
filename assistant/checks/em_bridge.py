"""Bring E/M readiness (``assistant.em``) into a check: its assessment and its findings.

The E/M package knows nothing of the engine; this module turns its ``EMFinding`` records
into engine ``Finding`` records and decides when an E/M assessment belongs in the output
(office and consult notes, or any note billed with an office E/M code).
"""

from __future__ import annotations

from assistant.checks.claims import Claim
from assistant.checks.engine_types import FindingProvider, ProviderInput
from assistant.checks.result import Finding, FindingEvidence, ProviderQuery
from assistant.checks.schema import Basis, SourceRef
from assistant.em import EMAssessment, EMFinding, assess_em, em_findings
from assistant.em.level import EM_CODES
from assistant.facts import NoteFacts

EM_NOTE_KINDS = frozenset({"office_visit", "consult"})


def claim_lines(claim: Claim | None) -> list[tuple[str, list[str], int]]:
    """Claim lines as ``(cpt, modifiers, units)`` for the E/M package."""
    if claim is None:
        return []
    return [(line.cpt, list(line.modifiers), line.units) for line in claim.lines]


def billed_em_code(claim: Claim | None) -> str | None:
    """The office E/M code billed on the claim, if any (it decides new vs established)."""
    for cpt, _modifiers, _units in claim_lines(claim):
        if cpt.strip().upper() in EM_CODES:
            return cpt.strip().upper()
    return None


def assess_if_em(text: str, facts: NoteFacts, claim: Claim | None) -> EMAssessment | None:
    """The E/M assessment for office/consult notes or a billed E/M line, else ``None``."""
    billed = billed_em_code(claim)
    if billed is None and facts.note_kind not in EM_NOTE_KINDS:
        return None
    return assess_em(text, facts, billed_cpt=billed)


def basis_of(citation: str) -> Basis:
    """How sure a cited E/M source is, from the reference file's tags ([V], [S], [GK])."""
    if "[V" in citation:
        return "verified"
    if "[S" in citation:
        return "secondary"
    return "general_knowledge"


def to_finding(finding: EMFinding) -> Finding:
    """An engine finding from an E/M finding (same fields, engine vocabulary)."""
    return Finding(
        rule_id=finding.rule_id,
        symbol=finding.symbol,
        severity=finding.severity,
        concerns=list(finding.concerns),
        status=finding.status,
        message=finding.message,
        fix=finding.fix,
        query=ProviderQuery(question=finding.query.question, options=finding.query.options),
        source=SourceRef(
            policy=finding.source.citation,
            section=finding.source.section,
            url=finding.source.url,
            basis=basis_of(finding.source.citation),
        ),
        evidence=[
            FindingEvidence(start=e.start, end=e.end, text=e.text, role="supports", origin="em")
            for e in finding.evidence
        ],
        checklist="em",
    )


def em_provider(em: EMAssessment | None) -> FindingProvider:
    """A finding provider that adds E/M, modifier 25/G2211 and opioid findings."""

    def provide(inp: ProviderInput) -> list[Finding]:
        found = em_findings(inp.text, inp.facts, em, claim_lines(inp.claim))
        return [to_finding(f) for f in found]

    return provide
