"""Image guidance and contrast: a contrast contraindication waives contrast, never guidance."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.checks import load_registry
from assistant.facts import NoteFacts
from assistant.pipeline import check_note

ALLERGY = "Allergies: iodinated contrast (anaphylaxis)."


@pytest.mark.parametrize(
    ("procedure", "guidance_rule", "contrast_rule"),
    [
        ("Left L5-S1 transforaminal epidural steroid injection", "ESI-003", "ESI-005"),
        ("Left sacroiliac joint injection", "SIJ-002", "SIJ-005"),
    ],
)
def test_ultrasound_with_documented_contrast_allergy_is_accepted(
    procedure: str, guidance_rule: str, contrast_rule: str, read: Callable[[str], NoteFacts]
) -> None:
    text = f"{ALLERGY}\nPROCEDURE: {procedure} under ultrasound guidance without contrast."
    raised = {f.rule_id for f in check_note(text, payer="medicare", facts=read(text)).findings}
    assert guidance_rule not in raised
    assert contrast_rule not in raised


@pytest.mark.parametrize(
    "allergy_line",
    ["Allergies: No known drug allergies. No shellfish or iodine allergy.", ALLERGY],
)
def test_esi_without_imaging_is_flagged_whatever_the_allergies(
    allergy_line: str, read: Callable[[str], NoteFacts]
) -> None:
    text = f"{allergy_line}\nPROCEDURE: Left L5-S1 transforaminal epidural steroid injection."
    raised = {f.rule_id for f in check_note(text, payer="medicare", facts=read(text)).findings}
    assert "ESI-003" in raised


def test_esi_guidance_fix_agrees_with_the_medicare_profile() -> None:
    registry = load_registry()
    fix = next(e.fix for e in registry.get("esi").elements if e.id == "ESI-003")
    assert "62322" in registry.payer("medicare").noncovered_cpt
    assert "not covered" in fix
    assert "never" in fix
