"""Warn when a procedure note does not match the patient's authorization on file.

Given a note's facts, its date of service and the patient's stored authorizations (passed in
by the caller: the checks engine never reads the store), each procedure the payer table or
an authorization names is compared with the authorization that fits it best. What differs
becomes one :class:`~assistant.findings.Finding` per kind, with the note's own words as
evidence: the procedure (``AUTH-001``, also billed codes outside the authorized ones), a
level (``AUTH-002``), the side (``AUTH-003``), the date outside the window (``AUTH-004``),
the visits used up (``AUTH-005``) and a request not approved (``AUTH-006``). The texts,
severities and provider queries are data (``checklists/preauth/authorization-rules.v1.yaml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.checks import load_registry
from assistant.checks.engine import describe_procedure
from assistant.checks.registry import ChecklistRegistry
from assistant.facts import NoteFacts, Procedure, family_label
from assistant.findings import Finding, FindingEvidence
from assistant.preauth.authorization_rules import (
    AuthorizationRules,
    MismatchKind,
    load_authorization_rules,
)
from assistant.preauth.tracking import (
    STATUS_WORDS,
    Authorization,
    Coverage,
    ScheduledProcedure,
    coverage,
)
from assistant.reader.levels import canonical_levels

CHECKLIST_ID = "authorization"
# What each kind of mismatch is about, in the closed concern vocabulary.
CONCERNS: dict[MismatchKind, list[str]] = {
    "procedure": ["procedures.family", "claim.prior_authorization"],
    "level": ["procedures.levels", "claim.prior_authorization"],
    "side": ["procedures.laterality", "claim.prior_authorization"],
    "window": ["claim.prior_authorization"],
    "visits": ["claim.prior_authorization"],
    "status": ["claim.prior_authorization"],
}


@dataclass(frozen=True)
class Mismatch:
    """One way a procedure differs from its authorization, with the words that show it."""

    kind: MismatchKind
    detail: str
    evidence: tuple[FindingEvidence, ...] = ()


def _spans(facts: NoteFacts, index: int, field: str) -> list[FindingEvidence]:
    """The note's evidence for one field of procedure ``index`` (affirmed readings only)."""
    name = f"procedures[{index}].{field}"
    return [
        FindingEvidence(
            start=e.start,
            end=e.end,
            text=e.text,
            role="contradicts",
            origin="reader",
            section=e.section,
        )
        for e in facts.evidence
        if e.field == name and e.assertion == "affirmed"
    ]


def _coverage(
    auth: Authorization,
    proc: Procedure,
    day: dt.date,
    rules: AuthorizationRules,
    billed: Sequence[str] = (),
    done: Sequence[ScheduledProcedure] = (),
) -> Coverage:
    """How ``auth`` covers the note's procedure ``proc`` on the date of service."""
    return coverage(
        auth, proc.family, proc.levels, proc.laterality, day, rules, billed=billed, done=done
    )


def _level_spans(facts: NoteFacts, index: int, missing: Sequence[str]) -> list[FindingEvidence]:
    """The level mentions naming a level outside the authorization."""
    wanted = {level.upper() for level in missing}
    return [
        span
        for span in _spans(facts, index, "levels")
        if {level.upper() for level in canonical_levels(span.text)} & wanted
    ] or _spans(facts, index, "levels")


def _code_families(registry: ChecklistRegistry, family: str, codes: Sequence[str]) -> list[str]:
    """The billed codes that the coding table gives to ``family`` (its procedure lines)."""
    table = registry.coding.codes
    return [code for code in codes if code in table and family in table[code].families]


def mismatches(
    facts: NoteFacts,
    index: int,
    auth: Authorization,
    day: dt.date,
    *,
    rules: AuthorizationRules,
    billed: Sequence[str] = (),
    done: Sequence[ScheduledProcedure] = (),
) -> list[Mismatch]:
    """Every way procedure ``index`` of the note differs from ``auth`` (empty: it matches)."""
    proc = facts.procedures[index]
    performed = tuple(_spans(facts, index, "family"))
    found = _coverage(auth, proc, day, rules, billed, done)
    out: list[Mismatch] = []
    if not found.family:
        detail = (
            f"{family_label(proc.family).lower()} performed; {auth.label} is for "
            f"{family_label(auth.family).lower()}"
        )
        out.append(Mismatch("procedure", detail, performed))
    elif found.codes_outside:
        outside = ", ".join(found.codes_outside)
        detail = f"{outside} billed; {auth.label} approves {', '.join(auth.cpt_codes)}"
        out.append(Mismatch("procedure", detail, performed))
    if found.levels_outside:
        missing = found.levels_outside
        detail = f"{', '.join(missing)} treated; {auth.label} covers {', '.join(auth.levels)}"
        out.append(Mismatch("level", detail, tuple(_level_spans(facts, index, missing))))
    if not found.side:
        detail = f"{proc.laterality} side treated; {auth.label} is for the {auth.side} side"
        out.append(Mismatch("side", detail, tuple(_spans(facts, index, "laterality"))))
    if found.timing == "window":
        detail = f"date of service {day.isoformat()}; {auth.label} is valid {auth.window_words}"
        out.append(Mismatch("window", detail, performed))
    elif found.timing == "status":
        detail = f"{auth.label} is {STATUS_WORDS[found.status]}"
        out.append(Mismatch("status", detail, performed))
    elif found.visits_used is not None:
        detail = (
            f"{found.visits_used} earlier session(s) under {auth.label}, "
            f"which allows {auth.units_allowed}"
        )
        out.append(Mismatch("visits", detail, performed))
    return out


def _finding(mismatch: Mismatch, proc: Procedure, payer: str, rules: AuthorizationRules) -> Finding:
    rule = rules.mismatch[mismatch.kind]
    question = rule.query.question.replace("{procedure}", describe_procedure(proc))
    return Finding(
        rule_id=rule.id,
        symbol=rule.symbol,
        severity=rule.severity,
        concerns=list(CONCERNS[mismatch.kind]),
        status=rule.status,
        message=f"{rule.title}: {mismatch.detail}",
        fix=rule.fix,
        query=rule.query.model_copy(update={"question": question}),
        source=rules.source_for(payer, proc.family),
        evidence=list(mismatch.evidence),
        checklist=CHECKLIST_ID,
    )


def authorization_findings(
    facts: NoteFacts,
    authorizations: Sequence[Authorization],
    date_of_service: dt.date,
    *,
    payer: str | None = None,
    billed_codes: Sequence[str] = (),
    done: Sequence[ScheduledProcedure] = (),
    rules: AuthorizationRules | None = None,
    registry: ChecklistRegistry | None = None,
) -> list[Finding]:
    """Warnings for each procedure of the note that does not match its authorization.

    ``authorizations`` are the patient's (of ``payer`` when given); ``billed_codes`` the
    claim's codes, if any; ``done`` the patient's other procedures, for the visit count.
    A procedure is compared only when the payer table or an authorization names its
    family, so an unrelated trigger-point note does not warn about a facet authorization.
    """
    if payer is not None:
        authorizations = [a for a in authorizations if a.payer == payer]
    if not authorizations:
        return []
    registry = registry or load_registry()
    rules = rules or load_authorization_rules(registry)
    named = {a.family for a in authorizations} | {
        later for a in authorizations for later in rules.carried(a.payer, a.family)
    }
    if payer is not None:
        named |= {f for rule in rules.for_payer(payer) for f in rule.families}
    findings: list[Finding] = []
    for index, proc in enumerate(facts.procedures):
        if proc.family not in named:
            continue
        best = max(authorizations, key=lambda a: _coverage(a, proc, date_of_service, rules).rank)
        billed = _code_families(registry, proc.family, billed_codes)
        found = mismatches(
            facts, index, best, date_of_service, rules=rules, billed=billed, done=done
        )
        findings.extend(_finding(m, proc, payer or best.payer, rules) for m in found)
    return findings
