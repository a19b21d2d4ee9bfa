"""E/M negation and hypotheticals: the reader's ConText within the cue's clause, plus the
few E/M triggers ConText has no rule for."""

from __future__ import annotations

import em_notes as N
import pytest

from assistant.em.extract import find_hits


def _counts(text: str, cue_id: str) -> bool:
    hits = [hit for hit in find_hits(text, N.layout(text)) if hit.cue.id == cue_id]
    assert hits, f"{cue_id} does not match"
    return any(hit.counts for hit in hits)


@pytest.mark.parametrize(
    ("sentence", "cue_id", "counts"),
    [
        # ConText's triggers, limited to the cue's clause (its scope runs to the sentence end)
        ("Denies side effects, will continue oxycodone 10 mg.", "risk.rx.verb_before", True),
        ("No aberrant behaviors, PDMP reviewed today.", "opi.pdmp", True),
        ("She did not bring her films, so we will order an MRI.", "data.order.before", True),
        ("PDMP not reviewed.", "opi.pdmp", False),  # E/M's own after-trigger
        ("The PDMP was not checked today.", "opi.pdmp", False),
        ("Negative for numbness, reports worsening pain.", "prob.exacerbation", False),
        ("The patient cannot recollect when last a urine drug screen was done.", "opi.uds", False),
        ("Without a urine drug screen we cannot continue.", "opi.uds", False),
        # a trigger sharing the cue's words does not modify it (as in ConText)
        ("She is not working and the pain is not helping.", "prob.exacerbation", True),
        ("New numbness in the left hand.", "prob.undiagnosed_new", True),
        # hypotheticals: ConText's "if", and the plan hedges the reader files as PLANNED
        ("If pain persists, will order an MRI.", "data.order.before", False),
        ("Could consider ordering an MRI.", "data.order.before", False),
        ("Perhaps another course of physical therapy may be helpful.", "risk.pt", False),
        ("Will order an MRI of the lumbar spine.", "data.order.before", True),
    ],
)
def test_em_assertion_of_cue(sentence: str, cue_id: str, counts: bool) -> None:
    text = f"HISTORY OF PRESENT ILLNESS: Follow-up.\nPLAN: {sentence}\n"
    assert _counts(text, cue_id) is counts


def test_em_assertion_no_new_problem_is_not_a_new_problem() -> None:
    """ConText's "no new" shares the cue's word, so the cue itself leaves it out."""
    text = "HISTORY OF PRESENT ILLNESS: No new complaints. No new numbness.\n"
    assert not [h for h in find_hits(text, N.layout(text)) if h.cue.value == "undiagnosed_new"]


def test_em_assertion_negated_and_hypothetical_together_block_either_way() -> None:
    """'If it is not better, could consider an MRI': hypothetical wins over a negation."""
    text = "ASSESSMENT: Neck pain.\nPLAN: If it is not better, she could consider an MRI.\n"
    hits = [h for h in find_hits(text, N.layout(text)) if h.cue.kind == "data"]
    assert hits and all("hypothetical" in h.assertions and not h.counts for h in hits)
