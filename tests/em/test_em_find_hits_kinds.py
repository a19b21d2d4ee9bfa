"""Scanning only some cue kinds finds exactly those kinds' hits of a full scan."""

from __future__ import annotations

import em_notes as N
import pytest

from assistant.em.extract import find_hits


@pytest.mark.parametrize(
    "text",
    [
        "PLAN: Continue oxycodone 5 mg. PDMP reviewed. Urine drug screen today. Naloxone given.\n",
        "ASSESSMENT:\n1. Lumbar spondylosis.\nPLAN: No opioids; will not check PDMP.\n",
        "Long-term opioid therapy with hydrocodone; opioid agreement signed, MME 30.\n",
    ],
)
def test_find_hits_kinds_equals_filtered_full_scan(text: str) -> None:
    layout = N.layout(text)
    full = [hit for hit in find_hits(text, layout) if hit.cue.kind == "opioid"]
    assert full  # each text documents some opioid item
    assert find_hits(text, layout, kinds=("opioid",)) == full


@pytest.mark.parametrize(
    "sentence",
    [
        "Controlled-substance agreement re-signed today.",
        "Opioid-use agreement on file since 2024, reviewed today.",
    ],
)
def test_a_hyphenated_agreement_is_an_opioid_agreement(sentence: str) -> None:
    text = f"PLAN: Continue hydrocodone 5 mg tid. {sentence}\n"
    values = {hit.cue.value for hit in find_hits(text, N.layout(text), kinds=("opioid",))}
    assert "treatment_agreement" in values
