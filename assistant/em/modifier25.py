"""Modifier 25: is same-day E/M work significant and separately identifiable?

NCCI Policy Manual, Chapter I (modifier 25) and AAPC coding alerts: the pre-procedure H&P,
consent, the decision to perform a minor procedure and the post-procedure check are part of
the procedure. What supports -25 is work beyond them: a new or separate problem evaluated,
medication management (e.g. opioid or neuropathic regimen changes, refills with documented
evaluation, UDS/PDMP review), or evaluation of a different region for future treatment.
A bare "significant and separately identifiable" statement is not enough by itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.em.extract import Hit
from assistant.em.level import PlannedDecision
from assistant.em.schema import EMEvidence, FindingFile, Modifier25

# Cue (kind, value) pairs that document work beyond the procedure, and how to name them.
_REASONS: dict[tuple[str, str], str] = {
    ("risk", "rx_management"): "prescription drug management",
    ("opioid", "management"): "opioid therapy management",
    ("opioid", "pdmp_check"): "PDMP review for medication management",
    ("opioid", "urine_drug_testing"): "urine drug testing for medication management",
    ("problem", "undiagnosed_new"): "a new problem evaluated",
    ("separate", "other_problem"): "a separate problem addressed",
    ("risk", "major_surgery"): "a surgical decision for another condition",
}


def is_procedure_code(code: str, table: FindingFile) -> bool:
    """Whether a claim code is a procedure for modifier-25 purposes (data-driven ranges)."""
    code = code.strip().upper()
    if code in table.procedure_codes:
        return True
    if not code.isdigit() or len(code) != 5:
        return False
    return any(low <= code <= high for low, high in table.procedure_cpt_ranges)


def assess_modifier25(
    hits: Sequence[Hit],
    *,
    procedure_day: bool,
    other_planned: Sequence[PlannedDecision] = (),
) -> Modifier25:
    """Decide separateness from counted cues outside the procedure section, with a reason."""
    if not procedure_day:
        return Modifier25(
            procedure_day=False,
            separately_identifiable=True,
            reason="no procedure on this date; the E/M stands alone",
        )
    found: dict[str, list[EMEvidence]] = {}
    template: list[EMEvidence] = []
    for hit in hits:
        if not hit.counts or hit.section == "procedure":
            continue
        key = (hit.cue.kind, hit.cue.value)
        if key in _REASONS:
            found.setdefault(_REASONS[key], []).append(hit.evidence())
        elif key == ("separate", "template_claim"):
            template.append(hit.evidence())
    for decision in other_planned:
        label = f"evaluation for a different planned procedure ({decision.family})"
        found.setdefault(label, []).extend(decision.evidence)
    if found:
        parts = [f"{name} ({ev[0].text!r})" if ev else name for name, ev in found.items()]
        return Modifier25(
            procedure_day=True,
            separately_identifiable=True,
            reason="documents work beyond the procedure: " + "; ".join(parts),
            evidence=[e for ev in found.values() for e in ev],
        )
    reason = (
        "the E/M content covers only the pre-procedure assessment, consent and the "
        "decision to perform today's procedure"
    )
    if template:
        reason += "; the note asserts separate work but documents no separate problem"
    return Modifier25(
        procedure_day=True, separately_identifiable=False, reason=reason, evidence=template
    )
