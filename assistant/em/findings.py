"""E/M, modifier 25/G2211 and opioid-checklist findings for one note and its claim lines.

The pipeline merges :func:`em_findings` with the checklist findings; this module never
imports the checks engine. Rule identity, severity, wording, queries and sources are data
(``rules/findings.v1.yaml``); this module decides only *which* rules fire and with what
evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.em.assess import assess_em
from assistant.em.extract import find_hits, note_hits
from assistant.em.level import EM_CODES, code_for_time, code_rank, patient_type_of
from assistant.em.loader import finding_file
from assistant.em.modifier25 import is_procedure_code
from assistant.em.opioids import opioid_checklist, opioid_management
from assistant.em.schema import (
    ClaimLine,
    EMAssessment,
    EMEvidence,
    FindingFile,
    FindingRule,
    Modifier25,
)
from assistant.facts import NoteFacts
from assistant.findings import Finding, FindingEvidence
from assistant.layout import NoteLayout


class _Values(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _rule(table: FindingFile, rule_id: str) -> FindingRule:
    for rule in table.rules:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def make_finding(rule: FindingRule, evidence: Sequence[EMEvidence], **values: object) -> Finding:
    """A finding from its rule record, with ``{placeholders}`` filled from ``values``."""
    fill = _Values(values)
    return Finding(
        rule_id=rule.id,
        symbol=rule.symbol,
        severity=rule.severity,
        concerns=list(rule.concerns),
        status=rule.status,
        message=" ".join(rule.message.format_map(fill).split()),
        fix=" ".join(rule.fix.format_map(fill).split()),
        query=rule.query,
        source=rule.source,
        evidence=[
            FindingEvidence(start=e.start, end=e.end, text=e.text, role="supports", origin="em")
            for e in evidence
        ],
        checklist="em",
    )


def _basis(em: EMAssessment) -> str:
    mdm = em.mdm
    parts = [
        f"MDM {mdm.level} -> {em.by_mdm} (problems {mdm.problems.level}, "
        f"data {mdm.data.level}, risk {mdm.risk.level})"
    ]
    if em.by_time:
        parts.append(f"total time {em.total_minutes} min -> {em.by_time}")
    elif em.total_minutes is not None and em.time_note:
        parts.append(f"{em.total_minutes} min not countable: {em.time_note}")
    else:
        parts.append("no countable total-time statement")
    return "; ".join(parts)


def _level_findings(
    em: EMAssessment, billed: str, procedure_day: bool, table: FindingFile
) -> list[Finding]:
    found: list[Finding] = []
    supported = em.supported_level
    if supported is None:
        return found
    values = {"billed": billed, "supported": supported, "basis": _basis(em)}
    if code_rank(billed) > code_rank(supported):
        found.append(make_finding(_rule(table, "EM-10"), em.evidence, **values))
        would = code_for_time(em.total_minutes, em.patient_type, table)
        if procedure_day and not em.time_counts and would and code_rank(would) >= code_rank(billed):
            found.append(
                make_finding(
                    _rule(table, "EM-03"), em.evidence, minutes=em.total_minutes, billed=billed
                )
            )
    elif code_rank(billed) < code_rank(supported):
        found.append(make_finding(_rule(table, "EM-11"), em.evidence, **values))
    return found


def _modifier_findings(
    billed: str, modifiers: Sequence[str], m25: Modifier25, table: FindingFile
) -> list[Finding]:
    has25 = "25" in modifiers
    values = {"billed": billed, "reason": m25.reason}
    if has25 and not m25.procedure_day:
        return [make_finding(_rule(table, "EM-14"), [], **values)]
    if not m25.procedure_day:
        return []
    if has25 and not m25.separately_identifiable:
        return [make_finding(_rule(table, "EM-01"), m25.evidence, **values)]
    if not has25 and not m25.separately_identifiable:
        return [make_finding(_rule(table, "EM-12"), m25.evidence, **values)]
    if not has25:
        return [make_finding(_rule(table, "EM-13"), m25.evidence, **values)]
    return []


def _prolonged_findings(
    em: EMAssessment, billed: str, lines: Sequence[ClaimLine], table: FindingFile
) -> list[Finding]:
    found: list[Finding] = []
    for code, _mods, units in lines:
        rule = next((p for p in table.prolonged if p.code == code.strip().upper()), None)
        if rule is None:
            continue
        base = rule.base.get(billed)
        needed = None if base is None else base + rule.unit_minutes * (max(units, 1) - 1)
        minutes = em.total_minutes if em.time_counts else None
        if needed is not None and minutes is not None and minutes >= needed:
            continue
        found.append(
            make_finding(
                _rule(table, "EM-05"),
                em.evidence,
                code=rule.code,
                units=max(units, 1),
                needed=needed if needed is not None else "a time-leveled 99205/99215 and",
                base=billed,
                found=f"{minutes} minutes" if minutes is not None else "no countable total time",
            )
        )
    return found


def em_findings(
    text: str,
    facts: NoteFacts,
    layout: NoteLayout,
    em: EMAssessment | None,
    claim_lines: Sequence[ClaimLine],
) -> list[Finding]:
    """E/M level, modifier 25/G2211, prolonged-time and opioid-checklist findings.

    ``claim_lines`` are ``(cpt, modifiers, units)``. A procedure day is a performed
    procedure in NoteFacts or a procedure code on the claim.
    """
    table = finding_file()
    lines = [
        (c.strip().upper(), [m.strip().lstrip("-").upper() for m in mods], u)
        for c, mods, u in claim_lines
    ]
    em_line = next((line for line in lines if line[0] in EM_CODES), None)
    billed = em_line[0] if em_line else None
    procedure_day = bool(facts.procedures) or any(
        is_procedure_code(c, table) for c, _m, _u in lines
    )
    found: list[Finding] = []
    if em_line is not None and billed is not None:
        if (
            em is None
            or em.modifier25.procedure_day != procedure_day
            or patient_type_of(billed) != em.patient_type
        ):
            # a procedure known only from the claim changes modifier 25 and countable time;
            # the billed code decides new vs established (only a billed E/M line needs it)
            em = assess_em(text, facts, layout, billed_cpt=billed, procedure_day=procedure_day)
        modifier = _modifier_findings(billed, em_line[1], em.modifier25, table)
        found += modifier
        bundled = any(f.rule_id in ("EM-01", "EM-12") for f in modifier)
        if not bundled:
            found += _level_findings(em, billed, procedure_day, table)
        found += _prolonged_findings(em, billed, lines, table)
    if any(code == "G2211" for code, _m, _u in lines) and any(
        code in EM_CODES and "25" in mods for code, mods, _u in lines
    ):
        found.append(make_finding(_rule(table, "EM-04"), [], billed=billed or "the E/M"))
    # an assessment has scanned every cue (cached per text); else only opioid cues are needed
    hits = note_hits(text, layout)[1] if em is not None else find_hits(text, layout, ("opioid",))
    managed = opioid_management(hits)
    if managed:
        checklist = opioid_checklist(hits)
        for rule in table.rules:
            if rule.element and rule.id.startswith("OPI-") and not checklist.get(rule.element):
                found.append(make_finding(rule, managed[:3]))
    return found
