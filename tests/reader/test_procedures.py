"""Procedure extraction on small hand-written notes (no corpus text)."""

from collections.abc import Callable

import pytest

from assistant.facts import NoteFacts

Read = Callable[[str], NoteFacts]

TFESI = """PROCEDURE: Left L4-5 and L5/S1 transforaminal epidural steroid injection, fluoroscopy.

DESCRIPTION OF PROCEDURE: The patient was placed prone. The C-arm was rotated to the right.
A 22-gauge needle was advanced to the left L4-5 foramen. Omnipaque 1 mL was injected and
spread along the nerve root. Dexamethasone 10 mg was injected at each level.
"""


def test_tfesi_attributes(read: Read) -> None:
    facts = read(TFESI)
    assert facts.note_kind == "procedure"
    [procedure] = facts.procedures
    assert procedure.family == "esi"
    assert procedure.approach == "transforaminal"
    assert procedure.region == "lumbar"
    assert procedure.levels == ["L4-L5", "L5-S1"]
    assert procedure.laterality == "left"  # "rotated to the right" is not a side
    assert procedure.guidance == "fluoroscopy"
    assert procedure.contrast is True


def test_evidence_offsets_slice_to_quoted_text(read: Read) -> None:
    facts = read(TFESI)
    assert facts.evidence
    for evidence in facts.evidence:
        assert TFESI[evidence.start : evidence.end] == evidence.text


@pytest.mark.parametrize(
    ("note", "planned"),
    [
        ("ASSESSMENT AND PLAN: Lumbar radiculopathy. Will schedule L4-5 TFESI.", ["esi"]),
        (
            "PLAN: If she gets 80% relief from the medial branch blocks, "
            "we will proceed with radiofrequency ablation of the medial branches.",
            ["facet_mbb", "facet_rfa"],
        ),
        ("PLAN: She declined epidural steroid injections. Continue PT.", []),
    ],
)
def test_planned_procedures(read: Read, note: str, planned: list[str]) -> None:
    facts = read(note)
    assert facts.procedures == []
    assert sorted(facts.planned_procedures) == sorted(planned)


def test_historical_procedure_is_not_performed(read: Read) -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS: She is status post lumbar radiofrequency ablation in 2022 "
        "with 80% relief for 9 months.\n\nPHYSICAL EXAMINATION: Tender lumbar facets."
    )
    facts = read(note)
    assert facts.procedures == []
    assert facts.note_kind in {"consult", "office_visit"}


def test_interlaminar_without_fluoroscopy(read: Read) -> None:
    note = (
        "PROCEDURE: Lumbar epidural steroid injection without fluoroscopy.\n\n"
        "TECHNIQUE: A 20-gauge Tuohy needle entered the epidural space at L5-S1 using loss of "
        "resistance. 80 mg Depo-Medrol in 4 mL saline was injected. No complications."
    )
    [procedure] = read(note).procedures
    assert procedure.approach == "interlaminar"
    assert procedure.guidance == "none"
    assert procedure.levels == ["L5-S1"]
    assert procedure.laterality is None


def test_bilateral_medial_branch_block_is_one_entry(read: Read) -> None:
    note = (
        "PROCEDURE: Bilateral L4-L5 and L5-S1 medial branch blocks under fluoroscopic guidance.\n"
        "DETAILS: 0.5 mL of 0.5% bupivacaine was injected at each target."
    )
    [procedure] = read(note).procedures
    assert (procedure.family, procedure.laterality) == ("facet_mbb", "bilateral")
    assert procedure.levels == ["L4-L5", "L5-S1"]


def test_kyphoplasty_split_per_region(read: Read) -> None:
    note = "PROCEDURE: Balloon kyphoplasty at T12 and L1 under fluoroscopy, bilateral approach."
    procedures = read(note).procedures
    assert [(p.region, p.levels) for p in procedures] == [("thoracic", ["T12"]), ("lumbar", ["L1"])]


def test_placeholder_levels_name_nothing(read: Read) -> None:
    note = "PROCEDURE: Lumbar medial branch radiofrequency ablation at *** under fluoroscopy."
    [procedure] = read(note).procedures
    assert procedure.family == "facet_rfa"
    assert procedure.levels == []


def test_non_pain_note_has_no_procedure(read: Read) -> None:
    note = (
        "CHIEF COMPLAINT: Chest pain.\n\nPHYSICAL EXAMINATION: S1, S2 normal. No murmurs.\n\n"
        "ASSESSMENT: Atypical chest pain. Stress test ordered."
    )
    assert read(note).procedures == []


@pytest.mark.parametrize(
    ("note", "families"),
    [
        (
            "PROCEDURE: Lumbar facet injection. Contrast was injected into the joint under "
            "fluoroscopy.",
            ["facet_joint_injection"],
        ),
        (
            "PROCEDURE: The needle entered the carpal tunnel and 1 mL of Depo-Medrol was injected.",
            ["joint_injection"],
        ),
        ("PROCEDURE: 40 mg Kenalog was injected into the right knee joint.", ["joint_injection"]),
        ("PROCEDURE: Right knee joint steroid injection.", ["joint_injection"]),
        (
            "PROCEDURE: Radiofrequency thermocoagulation of bilateral lumbar sympathetic chain.",
            ["neurolysis_other"],
        ),
        (
            "PROCEDURE: Right sacroiliac joint/posterior rami injections with fluoroscopy.",
            ["si_joint_injection"],
        ),
        (
            "OPERATION: Laparoscopic lysis of adhesions and appendectomy. An ilioinguinal nerve "
            "block was placed for postoperative pain.",
            ["other"],  # the surgery is a procedure of family other; the block is anesthesia
        ),
    ],
)
def test_family_phrasings(read: Read, note: str, families: list[str]) -> None:
    assert [p.family for p in read(note).procedures] == families


def test_tfesi_title_roots_do_not_add_levels(read: Read) -> None:
    note = (
        "PROCEDURE: Left L3-L4 transforaminal epidural steroid injection (L3 nerve root) under "
        "fluoroscopic guidance."
    )
    [procedure] = read(note).procedures
    assert procedure.levels == ["L3-L4"]


def test_foramina_entered_are_the_levels(read: Read) -> None:
    note = (
        "OPERATION: Right L5-S1 transforaminal epidural steroid injection.\n\n"
        "DESCRIPTION OF PROCEDURE: Under fluoroscopy, needles were placed in the right L5 "
        "neural foramen and the right S1 foramen. Dexamethasone 10 mg was injected."
    )
    [procedure] = read(note).procedures
    assert procedure.levels == ["L5", "S1"]
