"""Relief from earlier blocks: tied to a block, counted block by block, never any percent.

RFA-004 (the note) and CLM-017 (the history) ask for two diagnostic blocks of at least 80 %
relief; ONB-004 asks a repeat occipital block for the previous block's measured response.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.checks.claims import parse_claim, parse_history
from assistant.pipeline import check_note

RFA = (
    "PROCEDURE: Left L4-L5 and L5-S1 medial branch radiofrequency ablation under fluoroscopic "
    "guidance; lesions at 80 degrees C for 90 seconds.\n"
    "HISTORY: Left axial low back pain for 3 years despite therapy.\n{relief}\n"
    "Diagnosis: lumbar facet arthropathy."
)


def _raised(note: str, **kwargs: Any) -> set[str]:
    """Every warn/block rule the full check raises, folded ones included."""
    result = check_note(note, payer="medicare", **kwargs)
    return {
        rule
        for finding in result.findings
        if finding.severity in ("warn", "block")
        for rule in (finding.rule_id, *finding.also)
    }


@pytest.mark.parametrize(
    ("relief", "documented"),
    [
        # the block is named in the sentence before the figures
        (
            "She then had two comparative medial branch blocks. In March her pain fell from 7/10 "
            "to 1/10, 85 percent relief for four hours, and in April 90 percent relief.",
            True,
        ),
        ("Two diagnostic medial branch blocks each gave 90% relief.", True),
        ("Diagnostic MBB x2 with 85% relief.", True),
        # one block of the two fell short; a listing's "Block 2" is no pair of blocks
        ("Two diagnostic medial branch blocks gave 90% and 60% relief.", False),
        (
            "Prior blocks:\n  Block 1 (January): relief 95%\n  Block 2 (February): relief 50%",
            False,
        ),
        # a percent that is no block's relief
        ("Her disability index improved to 80% of normal with therapy.", False),
        ("A second diagnostic block gave 85% relief.", False),
    ],
)
def test_two_blocks_of_80_percent_are_counted_block_by_block(relief: str, documented: bool) -> None:
    raised = _raised(RFA.format(relief=relief))
    assert ("RFA-004" not in raised) is documented


def _mbb(date: str, relief: float) -> dict[str, Any]:
    return {
        "date_of_service": date,
        "family": "facet_mbb",
        "region": "lumbar",
        "intent": "diagnostic",
        "relief_percent": relief,
    }


def test_a_folded_history_finding_stays_named() -> None:
    """The note and the history both lack the second block: one finding naming both rules."""
    note = RFA.format(relief="Two diagnostic medial branch blocks gave 95% and 55% relief.")
    claim = parse_claim(
        {
            "date_of_service": "2026-06-01",
            "lines": [{"cpt": "64635", "modifiers": ["LT"], "icd10": ["M47.816"]}],
        }
    )
    history = parse_history([_mbb("2026-03-02", 95), _mbb("2026-04-01", 55)])
    result = check_note(note, payer="medicare", claim=claim, history=history)
    [finding] = [f for f in result.findings if "CLM-017" in (f.rule_id, *f.also)]
    assert finding.rule_id == "RFA-004"
    assert finding.also == ["CLM-017"]


OCCIPITAL = (
    "PROCEDURE: Repeat right greater occipital nerve block by landmark technique with 3 mL of "
    "0.5% bupivacaine and 10 mg triamcinolone.\n"
    "HISTORY: Right occipital neuralgia for 2 years. {response}\n"
    "Complications: none."
)


@pytest.mark.parametrize(
    ("response", "documented"),
    [
        ("The block in January gave 70% relief for ten weeks.", True),
        ("The earlier block gave no relief at all, 0% improvement.", True),
        ("Previous right occipital block in January; she felt it was worthwhile.", False),
    ],
)
def test_a_repeat_occipital_block_needs_a_measured_response(
    response: str, documented: bool
) -> None:
    raised = _raised(OCCIPITAL.format(response=response))
    assert ("ONB-004" not in raised) is documented
