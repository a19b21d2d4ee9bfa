"""The findings engine: apply checklists and claim checks to a note's facts, with a verdict.

Pure over its inputs (note text, NoteFacts and the reader's layout of the note, optional
claim and history, the registry). It never reads the note itself or scores risk:
:mod:`assistant.pipeline` runs the reader before it and the E/M rules and risk model beside
and after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from assistant.checks.claims import Claim, CodingRule, ProcedureHistory
from assistant.checks.coding import CHECKS, NEEDS_CLAIM, ClaimContext, ClaimHit
from assistant.checks.detectors import Detections, Span
from assistant.checks.payers import ResolvedPayer
from assistant.checks.predicates import CheckContext, Outcome, detect_intent, evaluate
from assistant.checks.registry import ChecklistRegistry
from assistant.checks.schema import AppliesWhen, Checklist, ChecklistElement, Intent
from assistant.checks.scope import scope_targets
from assistant.checks.sections import expected_section
from assistant.facts import NoteFacts, Procedure
from assistant.findings import (
    SEVERITY_RANK,
    Finding,
    FindingEvidence,
    Query,
    Verdict,
    verdict_for,
)
from assistant.layout import NoteLayout

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


def _reader_evidence(facts: NoteFacts, fields: set[str]) -> FindingEvidence | None:
    for ev in facts.evidence:
        if ev.field in fields:
            return FindingEvidence(
                start=ev.start,
                end=ev.end,
                text=ev.text,
                role="expected_here",
                origin="reader",
                section=ev.section,
            )
    return None


def _expected_here(
    keys: list[str], layout: NoteLayout, facts: NoteFacts, index: int | None
) -> FindingEvidence | None:
    """Where a missing item belongs: its section header, else the procedure or note kind.

    ``None`` when the note offers no such place (no quote is made up).
    """
    section = expected_section(layout, keys)
    if section is not None and section.category is not None:
        return FindingEvidence(
            start=section.start,
            end=section.start + len(section.title),
            text=section.title,
            role="expected_here",
            origin="section",
            section=section.category,
        )
    fields = {f"procedures[{index}].family"} if index is not None else {"note_kind"}
    return _reader_evidence(facts, fields)


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


def _query(query: Query, description: str) -> Query:
    return query.model_copy(update={"question": query.question.replace("{procedure}", description)})


def _element_finding(
    element: ChecklistElement,
    checklist: Checklist,
    outcome: Outcome,
    payer: ResolvedPayer,
    expected: FindingEvidence | None,
    description: str,
) -> Finding:
    here = [expected] if expected is not None else []
    evidence = here if element.status == "missing" else _evidence(outcome.spans, "contradicts")
    if not evidence:
        evidence = here
    return Finding(
        rule_id=element.id,
        symbol=element.symbol,
        severity=payer.severity(element.id, element.severity),
        concerns=list(element.concerns),
        status=element.status,
        message=f"{element.title} ({description})",
        fix=element.fix,
        query=_query(element.query, description),
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
    layout: NoteLayout,
) -> list[Finding]:
    planned: set[str] = set(facts.planned_procedures)
    targets = scope_targets(checklist.scope, facts)
    findings: dict[str, Finding] = {}
    for element in checklist.elements:
        if element.id in payer.disabled_rules:
            continue
        for index, proc in targets:
            proc_intent = intent or ("diagnostic" if proc and proc.family == "facet_mbb" else None)
            if not _applies(element.applies_when, proc, planned, proc_intent, payer, facts):
                continue
            ctx = CheckContext(
                text, facts, detections, payer.thresholds, proc, index, payer.noncovered_cpt
            )
            outcome = evaluate(element.requires, ctx)
            if outcome.ok or element.id in findings:
                continue
            expected = _expected_here(element.expected_section, layout, facts, index)
            description = describe_procedure(proc, sorted(planned))
            findings[element.id] = _element_finding(
                element, checklist, outcome, payer, expected, description
            )
    return list(findings.values())


def _service_evidence(ctx: ClaimContext, line: int | None) -> FindingEvidence | None:
    """The reader's evidence for the procedure a claim line bills, if the note names it."""
    if line is None or ctx.claim is None or line >= len(ctx.claim.lines):
        return None
    info = ctx.code(ctx.claim.lines[line].cpt)
    families = set(info.families) if info is not None else set()
    fields = {
        f"procedures[{i}].family"
        for i, proc in enumerate(ctx.facts.procedures)
        if proc.family in families
    }
    return _reader_evidence(ctx.facts, fields)


def _claim_finding(
    rule: CodingRule, hit: ClaimHit, payer: ResolvedPayer, ctx: ClaimContext, description: str
) -> Finding:
    evidence = _evidence(
        hit.spans, "contradicts" if rule.status != "limit_exceeded" else "supports"
    )
    message = f"{rule.title}: {hit.detail}"
    if not evidence:
        service = _service_evidence(ctx, hit.line)
        evidence = [service] if service is not None else []
        if service is None:
            message = f"{message.rstrip('.')}. No text in the note names this service."
    return Finding(
        rule_id=rule.id,
        symbol=rule.symbol,
        severity=payer.severity(rule.id, rule.severity),
        concerns=list(rule.concerns),
        status=rule.status,
        message=message,
        fix=rule.fix,
        query=_query(rule.query, description),
        source=rule.source,
        evidence=evidence,
        checklist=CODING_CHECKLIST_ID,
        claim_line=hit.line,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (concerns, status): the most severe wins, the first breaks ties.

    The rules folded into a kept finding stay named in its ``also``: a coder sees that the
    history (CLM-017) as well as the note (RFA-004) lacks the two qualifying blocks.
    """
    groups: dict[tuple[tuple[str, ...], str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((tuple(sorted(finding.concerns)), finding.status), []).append(finding)
    kept: dict[int, Finding] = {}
    for group in groups.values():
        best = max(group, key=lambda f: SEVERITY_RANK[f.severity])  # first of the most severe
        folded = [f.rule_id for f in group if f is not best and f.rule_id != best.rule_id]
        also = list(dict.fromkeys([*best.also, *folded]))
        kept[id(best)] = best.model_copy(update={"also": also}) if also else best
    ordered = [kept[id(f)] for f in findings if id(f) in kept]
    return sorted(ordered, key=lambda f: -SEVERITY_RANK[f.severity])


class AppliedChecklist(BaseModel):
    """A checklist (or coding table) applied to the note, with the version that was used."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: int


@dataclass(frozen=True)
class ChecklistReview:
    """What the engine decided for one note: checklists applied, findings, verdict."""

    checklists: list[AppliedChecklist]
    findings: list[Finding]
    verdict: Verdict


def run_checks(
    text: str,
    facts: NoteFacts,
    layout: NoteLayout,
    *,
    registry: ChecklistRegistry,
    payer: str = "commercial",
    claim: Claim | None = None,
    history: ProcedureHistory | None = None,
    extra_findings: Sequence[Finding] = (),
) -> ChecklistReview:
    """Apply every fitting checklist and claim check to already-extracted facts.

    ``layout`` is the reader's sections of the note (where a missing item belongs) and its
    ConText modifiers (which detector hits are negated).
    ``extra_findings`` (E/M and opioid rules) join the de-duplication and the verdict.
    """
    profile = registry.payer(payer)
    detections = Detections(text, registry.detectors, layout)
    intent = detect_intent(detections)
    checklists = registry.for_facts(facts, detections, payer)
    findings: list[Finding] = []
    for checklist in checklists:
        findings.extend(_run_checklist(checklist, text, facts, detections, profile, intent, layout))
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
            _claim_finding(rule, hit, profile, ctx, description)
            for hit in CHECKS[rule.check](ctx, params)
        )
    findings = _dedupe([*findings, *extra_findings])
    applied = [AppliedChecklist(id=c.id, version=c.version) for c in checklists]
    if ran_coding:
        applied.append(AppliedChecklist(id=CODING_CHECKLIST_ID, version=registry.coding.version))
    return ChecklistReview(
        checklists=applied, findings=findings, verdict=note_verdict(findings, checklists)
    )


def note_verdict(findings: list[Finding], checklists: Iterable[Checklist]) -> Verdict:
    """The verdict of these findings; an element with its own verdict (not_recognised) wins."""
    own = {e.id: e.verdict for c in checklists for e in c.elements if e.verdict}
    return next((own[f.rule_id] for f in findings if f.rule_id in own), verdict_for(findings))
