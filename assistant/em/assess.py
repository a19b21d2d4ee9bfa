"""Assess what office/outpatient E/M level a note supports (MDM or time), with evidence."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.em.extract import (
    Hit,
    Item,
    assessment_items,
    default_cues,
    item_not_addressed,
    note_hits,
    unwrap,
)
from assistant.em.level import (
    EM_CODES,
    PlannedDecision,
    classify_item,
    code_for_mdm,
    code_for_time,
    data_element,
    higher,
    mdm_level,
    patient_type_of,
    problems_element,
    risk_element,
    total_minutes,
)
from assistant.em.loader import finding_file, rules_version
from assistant.em.modifier25 import assess_modifier25
from assistant.em.opioids import opioid_management
from assistant.em.schema import (
    ClaimLine,
    EMAssessment,
    EMEvidence,
    Mdm,
    PatientType,
    PatientTypeSource,
)
from assistant.facts import NoteFacts
from assistant.layout import NoteLayout

EM_NOTE_KINDS = ("office_visit", "consult")


def patient_type(facts: NoteFacts, billed_cpt: str | None) -> tuple[PatientType, PatientTypeSource]:
    """New vs established: from the billed E/M code, else the note kind, else established."""
    if billed_cpt:
        from_claim = patient_type_of(billed_cpt.strip())
        if from_claim is not None:
            return from_claim, "claim"
    if facts.note_kind == "consult":
        return "new", "note_kind"
    if facts.note_kind == "office_visit":
        return "established", "note_kind"
    return "established", "default"


def planned_decisions(facts: NoteFacts) -> list[PlannedDecision]:
    """Planned procedures other than those performed today, with the reader's evidence."""
    performed = {p.family for p in facts.procedures}
    out: list[PlannedDecision] = []
    for family in dict.fromkeys(facts.planned_procedures):
        if family in performed:
            continue
        evidence = tuple(
            EMEvidence(start=e.start, end=e.end, text=e.text, cue="facts.planned_procedures")
            for e in facts.evidence
            if e.field.startswith("planned_procedures") and e.value in (family, None)
        )
        out.append(PlannedDecision(family=family, evidence=evidence))
    return out


def _inside(hit: Hit, items: Sequence[Item]) -> bool:
    return any(item.start <= hit.start < item.end for item in items)


def _dedupe(evidence: Sequence[EMEvidence]) -> list[EMEvidence]:
    seen: dict[tuple[int, int, str], EMEvidence] = {}
    for ev in evidence:
        seen.setdefault((ev.start, ev.end, ev.cue), ev)
    return sorted(seen.values(), key=lambda e: (e.start, e.end))


def assess_em(
    text: str,
    facts: NoteFacts,
    layout: NoteLayout,
    *,
    billed_cpt: str | None = None,
    procedure_day: bool | None = None,
) -> EMAssessment:
    """The E/M level the documentation supports, by MDM (2 of 3) and by total time.

    ``supported_level`` is ``None`` when the note is not an office/consult note and no
    office E/M code is billed. ``procedure_day`` defaults to "NoteFacts has a performed
    procedure"; pass ``True`` when only the claim shows one. Pure over the text, NoteFacts,
    the reader's layout of the note (sections, ConText) and the packaged rule data.
    """
    compiled = default_cues()
    table = finding_file()
    sections, hits = note_hits(text, layout)
    items = [
        item
        for item in assessment_items(text, sections)
        if not item_not_addressed(text, item, compiled)
    ]
    problem_hits = [h for h in hits if h.cue.kind == "problem"]
    problems = problems_element(
        [classify_item(item, problem_hits) for item in items],
        [h for h in problem_hits if h.counts and not _inside(h, items)],
    )
    data = data_element(unwrap(text), hits, compiled.data.tests, compiled.data.sites)
    if procedure_day is None:
        procedure_day = bool(facts.procedures)
    planned = planned_decisions(facts)
    risk = risk_element(hits, procedure_day=procedure_day, planned=planned)
    level = mdm_level(problems.level, data.level, risk.level)
    ptype, psource = patient_type(facts, billed_cpt)
    minutes, excludes, time_evidence = total_minutes(hits)
    time_counts = minutes is not None and (not procedure_day or excludes)
    time_note: str | None = None
    if minutes is not None and not time_counts:
        time_note = "procedure day: the time statement does not exclude the procedure's time"
    billed_em = billed_cpt is not None and billed_cpt.strip() in EM_CODES
    em_able = billed_em or facts.note_kind in EM_NOTE_KINDS
    by_mdm = code_for_mdm(level, ptype, table) if em_able else None
    by_time = code_for_time(minutes, ptype, table) if em_able and time_counts else None
    evidence = [*problems.evidence, *data.evidence, *risk.evidence]
    if time_counts:
        evidence += time_evidence
    return EMAssessment(
        supported_level=higher(by_mdm, by_time),
        patient_type=ptype,
        patient_type_source=psource,
        by_mdm=by_mdm,
        by_time=by_time,
        mdm=Mdm(problems=problems, data=data, risk=risk, level=level),
        total_minutes=minutes,
        time_counts=time_counts,
        time_note=time_note,
        modifier25=assess_modifier25(hits, procedure_day=procedure_day, other_planned=planned),
        opioid_management=bool(opioid_management(hits)),
        evidence=_dedupe(evidence),
        rules_version=rules_version(),
    )


def billed_em_code(claim_lines: Sequence[ClaimLine]) -> str | None:
    """The office E/M code billed on the claim, if any (it decides new vs established)."""
    for cpt, _modifiers, _units in claim_lines:
        if cpt.strip().upper() in EM_CODES:
            return cpt.strip().upper()
    return None


def assess_if_applicable(
    text: str, facts: NoteFacts, layout: NoteLayout, claim_lines: Sequence[ClaimLine]
) -> EMAssessment | None:
    """The assessment for office/consult notes or a billed office E/M line, else ``None``."""
    billed = billed_em_code(claim_lines)
    if billed is None and facts.note_kind not in EM_NOTE_KINDS:
        return None
    return assess_em(text, facts, layout, billed_cpt=billed)
