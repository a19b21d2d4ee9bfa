"""Chronic opioid therapy checklist: what payers and the CDC 2022 guideline expect to see.

Applied when the note prescribes or manages opioids (a management verb on a named opioid,
or "long-term opioid therapy"), not when an opioid only appears in a medication or
allergy list. Items and their sources are the OPI-* rules in ``rules/findings.v1.yaml``
(CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022, Recs 2, 4-5,
7-10).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.em.extract import Hit
from assistant.em.schema import EMEvidence

CHECKLIST_ITEMS: tuple[str, ...] = (
    "pdmp_check",
    "urine_drug_testing",
    "treatment_agreement",
    "mme",
    "functional_goals",
    "opioid_risk_monitoring",
    "naloxone",
)


def opioid_management(hits: Sequence[Hit]) -> list[EMEvidence]:
    """Evidence that opioids are prescribed or managed in this note (empty when not)."""
    return [
        h.evidence()
        for h in hits
        if h.counts and (h.cue.kind, h.cue.value) == ("opioid", "management")
    ]


def opioid_checklist(hits: Sequence[Hit]) -> dict[str, list[EMEvidence]]:
    """Per checklist item, the statements documenting it (an empty list means missing)."""
    found: dict[str, list[EMEvidence]] = {item: [] for item in CHECKLIST_ITEMS}
    for hit in hits:
        if hit.counts and hit.cue.kind == "opioid" and hit.cue.value in found:
            found[hit.cue.value].append(hit.evidence())
    return found
