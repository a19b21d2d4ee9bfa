"""Which checklists a note gets: services the reader has no family for get their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.checks import load_registry
from assistant.checks.detectors import Detections
from assistant.checks.schema import Scope
from assistant.checks.scope import scope_fits, scope_targets
from assistant.facts import NoteFacts, Procedure
from assistant.pipeline import check_note
from assistant.reader.read import read_layout


@pytest.mark.parametrize(
    ("text", "applied", "not_applied"),
    [
        (
            "PROCEDURE: Removal of spinal cord stimulator leads and pulse generator.",
            {"scs_maintenance"},
            {"scs_implant"},
        ),
        (
            "PROCEDURE: Spinal cord stimulator analysis and programming.",
            {"scs_maintenance"},
            {"scs_implant"},
        ),
        (
            "PROCEDURE: Right sciatic peripheral nerve stimulator lead placement.",
            {"peripheral_nerve_stimulation"},
            {"scs_trial", "peripheral_nerve_block"},
        ),
        (
            "PROCEDURE: Peripheral nerve stimulator trial, left occipital nerve.",
            {"peripheral_nerve_stimulation"},
            {"scs_trial", "occipital_nerve_block"},
        ),
        (
            "PROCEDURE: Intrathecal morphine trial via lumbar puncture.",
            {"intrathecal_trial"},
            {"intrathecal_pump"},
        ),
        (
            "PROCEDURE: Intrathecal pump refill and reprogramming.",
            {"intrathecal_pump"},
            {"intrathecal_trial"},
        ),
        (
            "PROCEDURE: Basivertebral nerve ablation at L4 and L5 under fluoroscopy.",
            {"basivertebral_ablation"},
            {"facet_rfa"},
        ),
        (
            "PROCEDURE: Right greater occipital nerve block.",
            {"occipital_nerve_block", "peripheral_nerve_block"},
            set(),
        ),
        (
            "NEW PATIENT CONSULTATION\nWe discussed peripheral nerve stimulation as an option.",
            set(),
            {"peripheral_nerve_stimulation"},
        ),
    ],
)
def test_check_note_applies_the_service_checklist(
    text: str, applied: set[str], not_applied: set[str], read: Callable[[str], NoteFacts]
) -> None:
    result = check_note(text, payer="medicare", facts=read(text))
    ids = {c.id for c in result.checklists}
    assert applied <= ids
    assert not (not_applied & ids)


def test_scope_detected_checks_the_note_once_without_a_procedure() -> None:
    scope = Scope(mode="detected", families=["other"], detectors=["pns_procedure"])
    facts = NoteFacts(note_id="n", note_kind="other")
    text = "PROCEDURE: Percutaneous PNS lead placement, left axillary nerve."
    assert scope_fits(scope, facts, Detections(text, load_registry().detectors, read_layout(text)))
    assert scope_targets(scope, facts) == [(None, None)]


def test_scope_detected_checks_each_procedure_of_its_families() -> None:
    scope = Scope(mode="detected", families=["scs_trial"], detectors=["pns_procedure"])
    facts = NoteFacts(note_id="n", procedures=[Procedure(family="scs_trial")])
    assert scope_targets(scope, facts) == [(0, facts.procedures[0])]


def test_scope_detected_needs_detectors() -> None:
    with pytest.raises(ValueError, match="needs 'detectors'"):
        Scope(mode="detected", families=["other"])


# ---- notes the reader could not classify ---------------------------------------------------

UNREAD_SHORTHAND = "Pt seen. Rt L4-5 blk done under fluoro, 80mg depomedrol. tolerated well.\n"


def test_unclassified_note_with_procedure_words_is_not_recognised() -> None:
    result = check_note(UNREAD_SHORTHAND, payer="medicare")
    assert result.facts.note_kind == "other" and result.facts.procedures == []
    assert result.verdict == "not_recognised"
    assert [f.rule_id for f in result.findings if f.severity == "block"] == ["NRC-001"]


@pytest.mark.parametrize(
    "text",
    [
        # A call that recalls earlier injections at their levels: the act and its site only.
        "Phone follow-up two weeks after her injections at L4-5 and L5-S1. She is 70 % better "
        "and walks around the block again.",
        # A visit listing a topical anaesthetic: an injectate word in a sentence that is not one.
        "Seen for knee pain. Uses a lidocaine patch at night. Walking 20 minutes a day.",
    ],
)
def test_unclassified_note_with_one_kind_of_procedure_word_stays_as_it_was(text: str) -> None:
    assert check_note(text, payer="medicare").verdict != "not_recognised"


def test_scope_needs_no_more_detectors_than_it_lists() -> None:
    with pytest.raises(ValueError, match="'detectors_needed' is more than"):
        Scope(mode="unrecognised", families="any", detectors=["pns_procedure"], detectors_needed=2)


def test_the_shorthand_note_of_the_issue_is_never_ready() -> None:
    note = "Pt seen. Rt L4-5 TFESI under fluoro, 80mg depomedrol. tolerated well."
    result = check_note(note, payer="medicare")
    assert result.verdict != "ready"
    assert [p.family for p in result.facts.procedures] == ["esi"]  # read, not unrecognised
