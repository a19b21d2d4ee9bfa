"""The findings vocabulary: one Severity, Status, SourceRef, Query and Finding for every rule.

Checklist elements, coding rules, E/M rules and the risk model all speak these types, so a
finding means the same thing wherever it was raised and wherever it is shown (CLI, API,
CDS cards, pages, audits). The verdict of a set of findings is decided here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["block", "warn", "info"]
SEVERITIES: tuple[Severity, ...] = ("block", "warn", "info")  # most severe first
SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warn": 1, "block": 2}
Status = Literal["missing", "contradicted", "unsupported_code", "limit_exceeded"]
STATUSES: tuple[Status, ...] = ("missing", "contradicted", "unsupported_code", "limit_exceeded")
Basis = Literal["verified", "secondary", "general_knowledge"]
Verdict = Literal["ready", "needs_attention", "not_billable_as_documented", "not_recognised"]
EvidenceRole = Literal["supports", "contradicts", "expected_here"]

_PAYMENT_WORDS = re.compile(
    r"\b(pay|paid|payment|reimburs\w*|denial|deny|denied|bill\w*|revenue|insurance|money"
    r"|dollars?)\b",
    re.IGNORECASE,
)


def check_query_text(text: str) -> str:
    """Reject query wording that mentions payment (queries must be clinical, not financial)."""
    if _PAYMENT_WORDS.search(text):
        raise ValueError("a provider query must not mention payment, billing or denial")
    return text


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Frozen):
    """Where a rule comes from: a policy id (LCD/article), section, URL and how sure we are."""

    policy: str
    section: str | None = None
    url: str | None = None
    basis: Basis


class Query(_Frozen):
    """A compliant provider query: non-leading multiple choice with an other/undetermined out.

    A rule's ``question`` may use ``{procedure}``, filled from the note's facts.
    """

    question: str
    options: list[str] = Field(min_length=2)

    @model_validator(mode="after")
    def _compliant(self) -> Query:
        """Clinical, with an "Other" and an "Unable to determine" way out (AHIMA/ACDIS)."""
        for text in (self.question, *self.options):
            check_query_text(text)
        lowered = [option.lower() for option in self.options]
        if not any(option.startswith("other") for option in lowered):
            raise ValueError("options must include 'Other (please specify)'")
        if not any("undetermined" in o or "unable to determine" in o for o in lowered):
            raise ValueError("options must include 'Unable to determine'")
        return self

    def render(self) -> str:
        """The query as one plain-text string with lettered options."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        opts = "; ".join(f"({letters[i]}) {o}" for i, o in enumerate(self.options))
        return f"{self.question} Options: {opts}"


class FindingEvidence(BaseModel):
    """A character span of the note (``[start, end)``) and what it shows for the finding."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    role: EvidenceRole
    origin: str = Field(description="reader, detector, section, claim or em")
    section: str | None = None


class FindingCore(BaseModel):
    """What identifies and grades a finding: the part the risk model counts.

    Every :class:`Finding` is one; risk training rows and simulated scenarios carry only this.
    """

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    symbol: str = ""
    severity: Severity
    concerns: list[str] = Field(default_factory=list)
    status: Status


class Finding(FindingCore):
    """One gap between the note (or claim) and a checklist element, coding or E/M rule."""

    message: str
    fix: str
    query: Query
    source: SourceRef
    evidence: list[FindingEvidence] = Field(default_factory=list)
    checklist: str | None = None
    claim_line: int | None = None
    also: list[str] = Field(
        default_factory=list,
        description="rules with the same concern folded into this finding (one per problem)",
    )


def verdict_for(findings: list[Finding]) -> Verdict:
    """Any block -> not billable as documented; any warn -> needs attention; else ready."""
    return verdict_of_severities(f.severity for f in findings)


def verdict_of_severities(severities: Iterable[Severity]) -> Verdict:
    """The verdict findings of these severities give (a block wins, then a warn)."""
    worst = max((SEVERITY_RANK[severity] for severity in severities), default=0)
    if worst >= SEVERITY_RANK["block"]:
        return "not_billable_as_documented"
    if worst >= SEVERITY_RANK["warn"]:
        return "needs_attention"
    return "ready"


def _without_trailing_group(text: str) -> str:
    """``text`` without its last parenthesised group, when it ends with one (nesting kept)."""
    if not text.endswith(")"):
        return text
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].rstrip() or text
    return text


def rule_title(message: str) -> str:
    """A finding's rule title from its message, without the note-specific detail.

    Coding and E/M messages read "Title: detail"; checklist messages read "Title (the
    procedure)". Pages and audits name a rule the same way from what the finding carries.
    """
    head, colon, _ = message.partition(":")
    return head.strip() if colon else _without_trailing_group(message.strip())


def rule_name(rule_id: str, message: str) -> str:
    """The rule as coders see it: its id and plain title ("ESI-002 Side not documented")."""
    return f"{rule_id} {rule_title(message)}".strip()
