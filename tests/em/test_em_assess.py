"""assess_em: levels by MDM (2 of 3) and by time, boundaries, assertions, patient type."""

from __future__ import annotations

import em_notes as N
import pytest

from assistant.em import assess_em
from assistant.em.schema import EMAssessment
from assistant.facts import NoteFacts, Procedure


def facts(kind: str = "office_visit", procedures: int = 0) -> NoteFacts:
    return NoteFacts(
        note_id="t",
        note_kind=kind,  # type: ignore[arg-type]
        procedures=[Procedure(family="esi", region="lumbar")] * procedures,
    )


def assess(text: str, facts: NoteFacts, billed_cpt: str | None = None) -> EMAssessment:
    """assess_em with the reader's layout of ``text``."""
    return assess_em(text, facts, N.layout(text), billed_cpt=billed_cpt)


@pytest.mark.parametrize(
    ("note", "kind", "expected", "mdm"),
    [
        (N.STRAIGHTFORWARD, "office_visit", "99212", ("minimal", "minimal", "minimal")),
        (N.LOW, "office_visit", "99213", ("low", "minimal", "low")),
        (N.MODERATE, "office_visit", "99214", ("moderate", "minimal", "moderate")),
        (N.HIGH, "office_visit", "99215", ("high", "minimal", "high")),
        (N.STRAIGHTFORWARD, "consult", "99202", ("minimal", "minimal", "minimal")),
        (N.LOW, "consult", "99203", ("low", "minimal", "low")),
        (N.MODERATE, "consult", "99204", ("moderate", "minimal", "moderate")),
        (N.HIGH, "consult", "99205", ("high", "minimal", "high")),
    ],
)
def test_assess_em_level_by_mdm(note: str, kind: str, expected: str, mdm: tuple[str, ...]) -> None:
    em = assess(note, facts(kind))
    assert em.by_mdm == expected
    assert em.supported_level == expected
    assert (em.mdm.problems.level, em.mdm.data.level, em.mdm.risk.level) == mdm
    assert em.patient_type == ("new" if kind == "consult" else "established")
    assert em.patient_type_source == "note_kind"


@pytest.mark.parametrize(
    ("note", "expected", "data"),
    [
        (N.TWO_OF_THREE_MODERATE, "99214", "moderate"),  # problems + data moderate
        (N.ONE_OF_THREE_MODERATE, "99213", "low"),  # only problems moderate -> low
    ],
)
def test_assess_em_two_of_three_boundary(note: str, expected: str, data: str) -> None:
    em = assess(note, facts())
    assert em.mdm.problems.level == "moderate"
    assert em.mdm.data.level == data
    assert em.by_mdm == expected


@pytest.mark.parametrize(
    ("statement", "kind", "minutes", "by_time"),
    [
        ("Total time spent on the date of service: 9 minutes.", "office_visit", 9, None),
        ("Total time spent on the date of service: 10 minutes.", "office_visit", 10, "99212"),
        ("Total time spent on the date of service: 29 minutes.", "office_visit", 29, "99213"),
        ("Total time spent on the date of service: 30 minutes.", "office_visit", 30, "99214"),
        ("Total time spent on the date of service: 39 minutes.", "office_visit", 39, "99214"),
        ("Total time spent on the date of service: 40 minutes.", "office_visit", 40, "99215"),
        ("Total time: 14 minutes.", "consult", 14, None),
        ("Total time: 15 minutes.", "consult", 15, "99202"),
        ("Total time: 44 minutes.", "consult", 44, "99203"),
        ("Total time: 45 minutes.", "consult", 45, "99204"),
        ("Total time: 59 minutes.", "consult", 59, "99204"),
        ("Total time: 60 minutes.", "consult", 60, "99205"),
        (
            "I spent a total of 32 minutes on the date of the encounter, including review.",
            "office_visit",
            32,
            "99214",
        ),
        ("Greater than 80 minutes were spent face-to-face at this visit.", "consult", 80, "99205"),
        ("I spent 45 minutes reviewing outside records.", "office_visit", None, None),
        ("I personally spent 21 minutes on this date of service.", "office_visit", 21, "99213"),
        ("E/M time today: 31 minutes.", "office_visit", 31, "99214"),
        ("45 minutes reviewing medical records in preparation.", "office_visit", None, None),
        ("If needed, total time 40 minutes at the next visit.", "office_visit", None, None),
    ],
)
def test_assess_em_time_thresholds(
    statement: str, kind: str, minutes: int | None, by_time: str | None
) -> None:
    em = assess(N.TIME_TEMPLATE.format(time=statement), facts(kind))
    assert em.total_minutes == minutes
    assert em.by_time == by_time


def test_assess_em_supported_is_higher_of_mdm_and_time() -> None:
    em = assess(N.TIME_TEMPLATE.format(time="Total time: 41 minutes."), facts())
    assert (em.by_mdm, em.by_time, em.supported_level) == ("99212", "99215", "99215")
    assert any(e.cue.startswith("time.") for e in em.evidence)


@pytest.mark.parametrize(
    ("statement", "counts"),
    [
        ("Total E/M time 30 minutes, excluding the separately reported injection.", True),
        ("Total time 30 minutes.", False),
    ],
)
def test_assess_em_time_on_procedure_day_needs_exclusion(statement: str, counts: bool) -> None:
    em = assess(N.TIME_TEMPLATE.format(time=statement), facts(procedures=1), billed_cpt="99213")
    assert em.total_minutes == 30
    assert em.time_counts is counts
    assert em.by_time == ("99214" if counts else None)
    assert (em.time_note is None) is counts


def test_assess_em_negated_and_hypothetical_data_do_not_count() -> None:
    em = assess(N.NEGATED_DATA, facts())
    assert em.mdm.data.level == "minimal"
    assert em.mdm.data.evidence == []


@pytest.mark.parametrize(
    ("billed", "kind", "ptype", "source"),
    [
        ("99204", "office_visit", "new", "claim"),
        ("99214", "consult", "established", "claim"),
        (None, "consult", "new", "note_kind"),
        (None, "office_visit", "established", "note_kind"),
        ("99214", "procedure", "established", "claim"),
    ],
)
def test_assess_em_patient_type_source(
    billed: str | None, kind: str, ptype: str, source: str
) -> None:
    em = assess(N.MODERATE, facts(kind), billed_cpt=billed)
    assert (em.patient_type, em.patient_type_source) == (ptype, source)
    assert em.supported_level == ("99204" if ptype == "new" else "99214")


@pytest.mark.parametrize("kind", ["procedure", "other"])
def test_assess_em_not_em_note_has_no_level(kind: str) -> None:
    em = assess(N.MODERATE, facts(kind))
    assert (em.supported_level, em.by_mdm, em.by_time) == (None, None, None)
    assert em.mdm.level == "moderate"  # the elements are still reported


def test_assess_em_evidence_offsets_point_into_note() -> None:
    em = assess(N.MODERATE, facts())
    assert em.evidence
    for ev in em.evidence:
        assert N.MODERATE[ev.start : ev.end] == ev.text
    cues = {e.cue for e in em.mdm.risk.evidence}
    assert "risk.rx.verb_before" in cues


@pytest.mark.parametrize(
    ("plan", "risk"),
    [
        ("Schedule a right L4-L5 transforaminal epidural steroid injection.", "low"),
        (
            "Schedule a right L4-L5 transforaminal epidural steroid injection. She takes "
            "warfarin, to be held five days before.",
            "moderate",
        ),
        ("Recommend over-the-counter ibuprofen.", "low"),
        # an OTC drug written with its directions is ordered, with or without a verb
        ("Knee strain: OTC naproxen 220 mg twice daily with food for ten days.", "low"),
        ("She says OTC creams do nothing for her.", "minimal"),
        ("She cannot afford physical therapy copays, which limits treatment.", "moderate"),
        ("Methadone 10 mg three times daily continued; EKG to monitor QTc on methadone.", "high"),
        ("Hospitalization is not needed at this time.", "minimal"),
        ("Perhaps another course of physical therapy may be helpful.", "minimal"),
        # terse plans: the drug, then what was done to it; a prescription "sent"
        ("1. Tramadol 50 mg bid prn renewed, #60.", "moderate"),
        ("2. Polyethylene glycol daily for the constipation (Rx sent to pharmacy).", "moderate"),
    ],
)
def test_assess_em_risk_element(plan: str, risk: str) -> None:
    note = (
        f"HISTORY OF PRESENT ILLNESS: Follow-up.\nASSESSMENT: Lumbar pain, stable.\nPLAN: {plan}\n"
    )
    assert assess(note, facts()).mdm.risk.level == risk


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("Her daughter provides much of the history.", "low"),  # independent historian
        ("I personally reviewed the lumbar MRI images.", "moderate"),  # independent interp.
        ("Discussed management with her oncologist by phone.", "moderate"),
        (
            "I personally reviewed the lumbar MRI images. Discussed the case with Dr. Lee, "
            "her neurosurgeon.",
            "high",
        ),
        ("Reviewed the lumbar MRI and the lumbar MRI report.", "minimal"),  # one unique test
        ("Case was reviewed and discussed with Dr. Lane.", "minimal"),  # not shown external
        ("We discussed with the patient her surgeon's advice.", "minimal"),
        ("I phoned the patient's primary care doctor about the murmur.", "moderate"),
        ("MRI lumbar spine 05/19: I personally reviewed this film.", "moderate"),
        ("Ordered an MRI of the lumbar spine and a lumbar x-ray.", "low"),  # two tests, one clause
    ],
)
def test_assess_em_data_categories(sentence: str, level: str) -> None:
    note = f"HPI: Follow-up.\nASSESSMENT: Lumbar pain, stable.\nPLAN: {sentence}\n"
    assert assess(note, facts()).mdm.data.level == level


@pytest.mark.parametrize(
    ("assessment", "level"),
    [
        ("1. Lumbar spondylosis, stable.\n2. Status post right knee replacement.", "low"),
        ("1. Lumbar spondylosis, stable.\n2. Hypertension, stable.", "moderate"),
        ("Chronic neck pain with opioid-induced constipation.", "moderate"),
        ("Chronic neck pain; denies constipation or sedation from oxycodone.", "low"),
        ("New onset numbness of the left hand, etiology unclear.", "moderate"),
        ("Neck pain. I discussed the side effects of the medication with him.", "low"),
        ("No new complaints. Neck pain, stable.", "low"),
        ("Neck pain, stable.\nContinue home exercises.\nFollow up in 3 months.", "low"),
    ],
)
def test_assess_em_problem_element(assessment: str, level: str) -> None:
    note = f"HISTORY OF PRESENT ILLNESS: Follow-up.\nASSESSMENT:\n{assessment}\nPLAN: Return.\n"
    assert assess(note, facts()).mdm.problems.level == level


def test_assess_em_results_section_counts_as_reviewed() -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS: Follow-up.\nSTUDIES:\nMRI lumbar spine: L4-L5 stenosis.\n"
        "Right hip x-ray: mild arthritis.\nCBC normal.\nASSESSMENT: Lumbar pain, stable.\n"
    )
    em = assess(note, facts())
    assert em.mdm.data.level == "moderate"
    assert sorted(em.mdm.data.detail) == [
        "unique test: labs:cbc",
        "unique test: mri:lumbar",
        "unique test: xray:hip",
    ]


@pytest.mark.parametrize(
    ("allergies", "risk"),
    [("ALLERGIES: Iodinated contrast (hives).", "moderate"), ("ALLERGIES: Penicillin.", "low")],
)
def test_assess_em_listed_contrast_allergy_is_a_risk_factor(allergies: str, risk: str) -> None:
    note = (
        f"HISTORY OF PRESENT ILLNESS: Follow-up.\n{allergies}\nASSESSMENT: Lumbar pain, stable.\n"
        "PLAN: Schedule a lumbar interlaminar epidural steroid injection.\n"
    )
    assert assess(note, facts()).mdm.risk.level == risk
