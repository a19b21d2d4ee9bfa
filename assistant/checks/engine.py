"""The findings engine: apply checklists and claim checks to a note and return a verdict.

Pure over its inputs (note text, NoteFacts, optional claim and history, the registry);
the reader runs only when ``facts`` is not given. Extra finding providers (for example the
E/M component's modifier-25 check) plug in through ``providers``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.checks.claims import Claim, CodingRule, ProcedureHistory
from assistant.checks.coding import CHECKS, NEEDS_CLAIM, ClaimContext, ClaimHit
from assistant.checks.detectors import Detections, Span
from assistant.checks.engine_types import FindingProvider, ProviderInput
from assistant.checks.payers import ResolvedPayer
from assistant.checks.predicates import CheckContext, Outcome, detect_intent, evaluate
from assistant.checks.registry import ChecklistRegistry, load_registry
from assistant.checks.result import (
    AppliedChecklist,
    CheckResult,
    Finding,
    FindingEvidence,
    ProviderQuery,
    verdict_for,
)
from assistant.checks.schema import SEVERITY_RANK, AppliesWhen, Checklist, ChecklistElement, Intent
from assistant.facts import NoteFacts, Procedure

CODING_CHECKLIST_ID = "coding"


def describe_procedure(proc: Procedure | None, planned: Sequence[str] = ()) -> str:
    """A short clinical description for provider queries ("left transforaminal esi L4-L5")."""
    if proc is None:
        names = ", ".join(family.replace("_", " ") for family in planned)
        return f"planned {names}" if names else "the documented service"
    parts = [
        proc.laterality or "",
        proc.approach or "",
        proc.family.replace("_", " "),
        "/".join(proc.levels),
        f"({proc.region})" if proc.region else "",
    ]
    return " ".join(part for part in parts if part)


def _applies(
    when: AppliesWhen,
    proc: Procedure | None,
    planned: set[str],
    intent: Intent | None,
    payer: ResolvedPayer,
    facts: NoteFacts,
) -> bool:
    if when.payers is not None and not set(when.payers) & set(payer.chain):
        return False
    if when.note_kinds is not None and facts.note_kind not in when.note_kinds:
        return False
    if when.intent is not None and intent not in when.intent:
        return False
    if proc is None:
        return when.families is None or bool(set(when.families) & planned)
    if when.families is not None and proc.family not in when.families:
        return False
    if when.approaches is not None and proc.approach not in when.approaches:
        return False
    if when.regions is not None and proc.region not in when.regions:
        return False
    return when.guidance is None or proc.guidance in when.guidance


def _section_span(text: str, keys: list[str], sections: dict[str, list[str]]) -> Span | None:
    for key in keys:
        for pattern in sections.get(key, []):
            match = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
            if match:
                return Span(match.start(), match.end(), match.group(0), "section", key)
    return None


def _expected_here(
    text: str, keys: list[str], sections: dict[str, list[str]], facts: NoteFacts, index: int | None
) -> FindingEvidence:
    span = _section_span(text, keys, sections)
    if span is not None:
        return FindingEvidence(
            start=span.start,
            end=span.end,
            text=span.text,
            role="expected_here",
            origin="section",
            section=span.label,
        )
    if index is not None:
        for ev in facts.evidence:
            if ev.field == f"procedures[{index}].family":
                return FindingEvidence(
                    start=ev.start,
                    end=ev.end,
                    text=ev.text,
                    role="expected_here",
                    origin="reader",
                    section=ev.section,
                )
    return FindingEvidence(
        start=0, end=len(text), text="", role="expected_here", origin="note", section=None
    )


def _evidence(spans: Sequence[Span], role: str) -> list[FindingEvidence]:
    seen: set[tuple[int, int]] = set()
    out = []
    for span in spans:
        if (span.start, span.end) in seen:
            continue
        seen.add((span.start, span.end))
        out.append(
            FindingEvidence(
                start=span.start,
                end=span.end,
                text=span.text,
                role="contradicts" if role == "contradicts" else "supports",
                origin=span.origin,
            )
        )
    return out[:8]


def _query(question: str, options: list[str], description: str) -> ProviderQuery:
    return ProviderQuery(question=question.replace("{procedure}", description), options=options)


def _element_finding(
    element: ChecklistElement,
    checklist: Checklist,
    outcome: Outcome,
    payer: ResolvedPayer,
    expected: FindingEvidence,
    description: str,
) -> Finding:
    evidence = (
        [expected] if element.status == "missing" else _evidence(outcome.spans, "contradicts")
    )
    if not evidence:
        evidence = [expected]
    return Finding(
        rule_id=element.id,
        symbol=element.symbol,
        severity=payer.severity(element.id, element.severity),
        concerns=list(element.concerns),
        status=element.status,
        message=f"{element.title} ({description})",
        fix=element.fix,
        query=_query(element.query.question, element.query.options, description),
        source=element.source,
        evidence=evidence,
        checklist=checklist.id,
    )


def _run_checklist(
    checklist: Checklist,
    text: str,
    facts: NoteFacts,
    detections: Detections,
    payer: ResolvedPayer,
    intent: Intent | None,
    sections: dict[str, list[str]],
) -> list[Finding]:
    planned: set[str] = set(facts.planned_procedures)
    if checklist.scope.mode == "performed":
        targets: list[tuple[int | None, Procedure | None]] = [
            (i, proc)
            for i, proc in enumerate(facts.procedures)
            if checklist.scope.families == "any" or proc.family in checklist.scope.families
        ]
    else:
        targets = [(None, None)]
    findings: dict[str, Finding] = {}
    for element in checklist.elements:
        if element.id in payer.disabled_rules:
            continue
        for index, proc in targets:
            proc_intent = intent or ("diagnostic" if proc and proc.family == "facet_mbb" else None)
            if not _applies(element.applies_when, proc, planned, proc_intent, payer, facts):
                continue
            ctx = CheckContext(text, facts, detections, payer.thresholds, proc, index)
            outcome = evaluate(element.requires, ctx)
            if outcome.ok or element.id in findings:
                continue
            expected = _expected_here(text, element.expected_section, sections, facts, index)
            description = describe_procedure(proc, sorted(planned))
            findings[element.id] = _element_finding(
                element, checklist, outcome, payer, expected, description
            )
    return list(findings.values())


def _claim_finding(
    rule: CodingRule, hit: ClaimHit, payer: ResolvedPayer, text: str, description: str
) -> Finding:
    evidence = _evidence(
        hit.spans, "contradicts" if rule.status != "limit_exceeded" else "supports"
    )
    if not evidence:
        evidence = [
            FindingEvidence(start=0, end=len(text), text="", role="expected_here", origin="claim")
        ]
    return Finding(
        rule_id=rule.id,
        symbol=rule.symbol,
        severity=payer.severity(rule.id, rule.severity),
        concerns=list(rule.concerns),
        status=rule.status,
        message=f"{rule.title}: {hit.detail}",
        fix=rule.fix,
        query=_query(rule.query.question, rule.query.options, description),
        source=rule.source,
        evidence=evidence,
        checklist=CODING_CHECKLIST_ID,
        claim_line=hit.line,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (concerns, status): the most severe wins, the first breaks ties."""
    best: dict[tuple[tuple[str, ...], str], Finding] = {}
    for finding in findings:
        key = (tuple(sorted(finding.concerns)), finding.status)
        current = best.get(key)
        if current is None or SEVERITY_RANK[finding.severity] > SEVERITY_RANK[current.severity]:
            best[key] = finding
    kept = {id(f) for f in best.values()}
    ordered = [f for f in findings if id(f) in kept]
    return sorted(ordered, key=lambda f: -SEVERITY_RANK[f.severity])


def run_checks(
    text: str,
    facts: NoteFacts,
    *,
    registry: ChecklistRegistry,
    payer: str = "commercial",
    claim: Claim | None = None,
    history: ProcedureHistory | None = None,
    providers: Sequence[FindingProvider] = (),
) -> CheckResult:
    """Apply every fitting checklist and claim check to already-extracted facts."""
    profile = registry.payer(payer)
    detections = Detections(text, registry.detectors)
    intent = detect_intent(detections)
    checklists = registry.for_facts(facts, payer)
    findings: list[Finding] = []
    for checklist in checklists:
        findings.extend(
            _run_checklist(checklist, text, facts, detections, profile, intent, registry.sections)
        )
    ctx = ClaimContext(
        text, facts, registry.coding, detections, profile.thresholds, intent, claim, history
    )
    ran_coding = False
    description = "; ".join(describe_procedure(p) for p in facts.procedures) or "this service"
    for rule in registry.coding.rules:
        if rule.id in profile.disabled_rules or (claim is None and rule.check in NEEDS_CLAIM):
            continue
        ran_coding = True
        params = {**rule.params, "noncovered": profile.noncovered_cpt}
        findings.extend(
            _claim_finding(rule, hit, profile, text, description)
            for hit in CHECKS[rule.check](ctx, params)
        )
    provider_input = ProviderInput(text, facts, profile, claim, history)
    for provider in providers:
        findings.extend(provider(provider_input))
    findings = _dedupe(findings)
    applied = [AppliedChecklist(id=c.id, version=c.version) for c in checklists]
    if ran_coding:
        applied.append(AppliedChecklist(id=CODING_CHECKLIST_ID, version=registry.coding.version))
    return CheckResult(
        facts=facts,
        checklists=applied,
        verdict=verdict_for(findings),
        findings=findings,
        payer=payer,
        reader_version=facts.reader_version,
    )


def check_note(
    text: str,
    *,
    note_id: str = "note",
    payer: str = "commercial",
    claim: Claim | None = None,
    history: ProcedureHistory | None = None,
    facts: NoteFacts | None = None,
    providers: Sequence[FindingProvider] = (),
) -> CheckResult:
    """Read the note (unless ``facts`` is given), check it, and score its denial risk.

    Office/consult notes (or a claim with an office E/M code) also get the E/M assessment
    and its findings; every note gets the chronic-opioid checklist when opioids are managed.
    """
    from assistant.checks.em_bridge import assess_if_em, em_provider
    from assistant.risk import load_active_model, risk_input_from_check, score_risk

    if facts is None:
        from assistant.reader.read import read_note

        facts = read_note(text, note_id)
    em = assess_if_em(text, facts, claim)
    result = run_checks(
        text,
        facts,
        registry=load_registry(),
        payer=payer,
        claim=claim,
        history=history,
        providers=[*providers, em_provider(em)],
    )
    result.em = None if em is None else em.model_dump(mode="json")
    risk = score_risk(risk_input_from_check(result, claim), load_active_model())
    result.risk = risk.model_dump(mode="json")
    return result
