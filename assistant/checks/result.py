"""What a check returns: findings with evidence offsets, the checklists applied, a verdict."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.checks.schema import SEVERITY_RANK, Severity, SourceRef, Status
from assistant.facts import NoteFacts

Verdict = Literal["ready", "needs_attention", "not_billable_as_documented"]
EvidenceRole = Literal["supports", "contradicts", "expected_here"]


class FindingEvidence(BaseModel):
    """A character span of the note (``[start, end)``) and what it shows for the finding."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    role: EvidenceRole
    origin: str = Field(description="reader, detector, section or claim")
    section: str | None = None


class ProviderQuery(BaseModel):
    """A compliant, non-leading provider query filled in for this note."""

    model_config = ConfigDict(extra="forbid")

    question: str
    options: list[str]


class Finding(BaseModel):
    """One gap between the note (or claim) and a checklist element or coding rule."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    symbol: str
    severity: Severity
    concerns: list[str]
    status: Status
    message: str
    fix: str
    query: ProviderQuery
    source: SourceRef
    evidence: list[FindingEvidence] = Field(default_factory=list)
    checklist: str | None = None
    claim_line: int | None = None


class AppliedChecklist(BaseModel):
    """A checklist (or coding table) applied to the note, with the version that was used."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: int


class CheckResult(BaseModel):
    """Everything one check produced: facts, checklists and versions, verdict, findings.

    ``em`` and ``risk`` are filled by the E/M and risk components when they run.
    """

    model_config = ConfigDict(extra="forbid")

    facts: NoteFacts
    checklists: list[AppliedChecklist]
    verdict: Verdict
    findings: list[Finding]
    payer: str
    reader_version: str | None = None
    em: dict[str, Any] | None = None
    risk: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """Serialise with note-facts/v1 wire names (``schema``)."""
        return self.model_dump(mode="json", by_alias=True)


def verdict_for(findings: list[Finding]) -> Verdict:
    """Any block -> not billable as documented; any warn -> needs attention; else ready."""
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    if worst >= SEVERITY_RANK["block"]:
        return "not_billable_as_documented"
    if worst >= SEVERITY_RANK["warn"]:
        return "needs_attention"
    return "ready"
