"""One multi-note patient per planned family, with criteria met and not met."""

import datetime as dt

from assistant.checks import load_registry
from assistant.preauth import Packet, PlannedProcedure, build_packet, dated_notes

D = dt.date

ESI_CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: He reports right leg pain shooting to the foot for 4 months.
He did 8 weeks of physical therapy without relief. Ibuprofen did not help.
Pain is 8/10 on the NRS. He cannot sit for more than 20 minutes.
IMAGING: MRI on 02/02/2024 shows a right L4-L5 disc protrusion contacting the right L5 root.
PHYSICAL EXAMINATION: Straight leg raise is positive on the right.
ASSESSMENT: Right L5 radiculopathy (M54.16).
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""
ESI_FOLLOW_UP = """FOLLOW-UP VISIT
HISTORY: Right leg pain continues. Physical therapy for 2 weeks did not help.
Pain is 7/10.
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""
ESI_SHORT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: He reports low back pain for 10 days.
He did physical therapy for 1 week.
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""

MBB_1 = """PROCEDURE NOTE
PROCEDURE: Right L4-L5 and L5-S1 medial branch blocks under fluoroscopic guidance.
INDICATION: Axial low back pain for 9 months despite 10 weeks of physical therapy. Pain 7/10.
Informed consent was obtained. No complications.
POST-PROCEDURE: Pain 1/10 at 30 minutes, 90% relief of her usual pain.
"""
MBB_2_GOOD = """PROCEDURE NOTE
PROCEDURE: Right L4-L5 and L5-S1 medial branch blocks under fluoroscopic guidance.
INDICATION: Axial low back pain. Pain 7/10. She walks less than one block.
Informed consent was obtained. No complications.
POST-PROCEDURE: Pain 1/10 at 20 minutes, 85% relief of her usual pain.
"""
MBB_2_POOR = MBB_2_GOOD.replace("Pain 1/10 at 20 minutes, 85% relief", "Pain 5/10, 40% relief")
RFA_VISIT = """FOLLOW-UP VISIT
HISTORY: Both medial branch blocks were reviewed. Physical therapy for 3 weeks did not help.
PHYSICAL EXAMINATION: Facet loading is painful on the right.
PLAN: Right L4-L5 and L5-S1 medial branch radiofrequency ablation.
"""

SI_CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: She has had left buttock pain for 7 months.
Six weeks of physical therapy gave no relief. Pain is 6/10. She cannot stand to cook.
PHYSICAL EXAMINATION: FABER, Gaenslen and thigh thrust tests were positive on the left.
PLAN: Left sacroiliac joint injection.
"""
SI_NO_TESTS = SI_CONSULT.replace(
    "FABER, Gaenslen and thigh thrust tests were positive on the left.",
    "Tender over the left sacroiliac joint.",
)

SCS_CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: Failed back surgery syndrome with leg pain for 3 years.
Her pain persists despite surgery, physical therapy, medications and injections.
Pain is 8/10. She cannot walk more than one block.
Psychological evaluation was completed and she was cleared for stimulation.
PLAN: Spinal cord stimulator trial.
"""
SCS_TRIAL = """PROCEDURE NOTE
PROCEDURE: Spinal cord stimulator trial.
Two percutaneous leads were placed with tips at T8 and T9 under fluoroscopic guidance.
Informed consent was obtained. No complications.
"""
SCS_REVIEW = """FOLLOW-UP VISIT
HISTORY: The trial provided 70% pain relief.
During the trial her walking tolerance improved from one block to one mile.
PLAN: Permanent spinal cord stimulator implant.
"""
SCS_REVIEW_POOR = """FOLLOW-UP VISIT
HISTORY: The trial provided 30% pain relief.
PLAN: Permanent spinal cord stimulator implant.
"""

KYPHO_CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: Sudden mid back pain after a fall 3 weeks ago. Pain is 9/10.
She is unable to walk without help.
IMAGING: MRI shows marrow edema in the L1 compression fracture.
PHYSICAL EXAMINATION: Tender to percussion over L1.
PLAN: L1 kyphoplasty.
"""
KYPHO_NO_MRI = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: Mid back pain. Pain is 9/10.
IMAGING: X-ray shows an old T11 compression fracture.
PLAN: L1 kyphoplasty.
"""


def _packet(planned: PlannedProcedure, *notes: tuple[str, dt.date, str]) -> Packet:
    return build_packet(planned, dated_notes(list(notes)), load_registry(), patient="P-001")


def _status(packet: Packet) -> dict[str, str]:
    return {c.id: c.status for c in packet.criteria}


def _plan(family: str, levels: list[str], side: str | None) -> PlannedProcedure:
    return PlannedProcedure.model_validate(
        {"family": family, "levels": levels, "side": side, "payer": "medicare"}
    )


def test_esi_met_over_two_notes_with_the_contradiction_listed() -> None:
    packet = _packet(
        _plan("esi", ["L4-L5"], "right"),
        ("consult", D(2024, 2, 10), ESI_CONSULT),
        ("follow", D(2024, 3, 1), ESI_FOLLOW_UP),
    )
    status = _status(packet)
    assert status["PA-010"] == "met"  # 4 months of pain
    assert status["PA-011"] == "met"  # 8 weeks of therapy in the consult
    assert status["PA-012"] == "met"
    assert status["PA-013"] == "met"  # MRI names L4-L5 on the right
    assert status["PA-014"] == "met"  # not a repeat
    assert packet.ready_to_submit, [c for c in packet.criteria if c.status != "met"]
    (conflict,) = packet.timeline.contradictions
    assert conflict.subject == "physical_therapy"
    assert {v.value for v in conflict.values} == {"8 weeks", "2 weeks"}
    imaging = next(c for c in packet.criteria if c.id == "PA-013")
    assert imaging.evidence[0].note_id == "consult"
    assert "L4-L5" in imaging.evidence[0].quote


def test_esi_unmet_durations_and_missing_imaging() -> None:
    packet = _packet(_plan("esi", ["L4-L5"], "right"), ("consult", D(2024, 2, 10), ESI_SHORT))
    status = _status(packet)
    assert status["PA-010"] == "not_met"  # 10 days of pain
    assert status["PA-011"] == "not_met"  # 1 week of therapy
    assert status["PA-013"] == "not_found"
    assert not packet.ready_to_submit
    gap = next(c for c in packet.criteria if c.id == "PA-013")
    assert gap.fix and gap.query and "Unable to determine" in gap.query


def test_facet_mbb_twice_then_rfa_met() -> None:
    packet = _packet(
        _plan("facet_rfa", ["L4-L5", "L5-S1"], "right"),
        ("mbb1", D(2024, 4, 1), MBB_1),
        ("mbb2", D(2024, 4, 15), MBB_2_GOOD),
        ("visit", D(2024, 5, 1), RFA_VISIT),
    )
    status = _status(packet)
    assert status["PA-021"] == "met"
    assert status["PA-020"] == "met"  # 9 months of axial pain
    assert status["PA-022"] == "met"  # first ablation
    assert [p.relief_percent for p in packet.timeline.procedures] == [90, 85]
    blocks = next(c for c in packet.criteria if c.id == "PA-021")
    assert {e.note_id for e in blocks.evidence} == {"mbb1", "mbb2"}


def test_facet_rfa_unmet_when_the_second_block_gave_too_little() -> None:
    packet = _packet(
        _plan("facet_rfa", ["L4-L5", "L5-S1"], "right"),
        ("mbb1", D(2024, 4, 1), MBB_1),
        ("mbb2", D(2024, 4, 15), MBB_2_POOR),
        ("visit", D(2024, 5, 1), RFA_VISIT),
    )
    blocks = next(c for c in packet.criteria if c.id == "PA-021")
    assert blocks.status == "not_met"
    assert "1 of 2" in blocks.detail and "40% relief" in blocks.detail
    assert not packet.ready_to_submit


def test_si_joint_met_and_unmet() -> None:
    planned = _plan("si_joint_injection", [], "left")
    good = _status(_packet(planned, ("si", D(2024, 6, 3), SI_CONSULT)))
    assert good["PA-030"] == good["PA-031"] == good["PA-032"] == "met"
    poor = _status(_packet(planned, ("si", D(2024, 6, 3), SI_NO_TESTS)))
    assert poor["PA-032"] == "not_found"


def test_scs_trial_then_implant() -> None:
    trial = _packet(_plan("scs_trial", [], None), ("consult", D(2024, 1, 8), SCS_CONSULT))
    assert _status(trial)["PA-040"] == _status(trial)["PA-041"] == "met"
    notes = [("consult", D(2024, 1, 8), SCS_CONSULT), ("trial", D(2024, 2, 1), SCS_TRIAL)]
    implant = _packet(_plan("scs_implant", [], None), *notes, ("review", D(2024, 2, 9), SCS_REVIEW))
    status = _status(implant)
    assert status["PA-042"] == "met" and status["PA-043"] == "met"
    assert implant.ready_to_submit
    success = next(c for c in implant.criteria if c.id == "PA-042")
    assert any("70%" in e.quote for e in success.evidence)
    poor = _packet(
        _plan("scs_implant", [], None), *notes, ("review", D(2024, 2, 9), SCS_REVIEW_POOR)
    )
    assert _status(poor)["PA-042"] == "not_met"
    assert _status(poor)["PA-043"] == "not_found"


def test_kyphoplasty_met_and_unmet() -> None:
    planned = _plan("vertebral_augmentation", ["L1"], None)
    good = _status(_packet(planned, ("consult", D(2024, 7, 1), KYPHO_CONSULT)))
    assert good["PA-050"] == good["PA-051"] == "met"
    poor = _status(_packet(planned, ("consult", D(2024, 7, 1), KYPHO_NO_MRI)))
    assert poor["PA-050"] == "not_found"
    assert poor["PA-051"] == "not_met"  # imaging names T11, not L1


def test_every_evidence_quote_is_the_notes_own_words() -> None:
    notes = [("mbb1", D(2024, 4, 1), MBB_1), ("visit", D(2024, 5, 1), RFA_VISIT)]
    texts = {note_id: text for note_id, _, text in notes}
    packet = _packet(_plan("facet_rfa", ["L4-L5"], "right"), *notes)
    for result in packet.criteria:
        for ev in result.evidence:
            assert texts[ev.note_id][ev.start : ev.end] == ev.quote
