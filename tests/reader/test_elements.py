"""Documentation elements: rule cues + ConText + per-element policy.

Snippets are hand-written and PHI-free. Procedure-only elements are checked through
``assemble_elements`` with an explicit performed procedure, so these tests do not depend on
procedure extraction; the other elements also go through the full ``read`` path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from assistant.facts import ELEMENT_NAMES, Elements, NoteFacts, Procedure
from assistant.reader.elements import (
    POLICIES,
    ElementPolicy,
    assemble_elements,
    cues_by_sentence,
    decide_element,
    previous_sentences,
    reading,
)
from assistant.reader.spans import Target, iter_targets
from assistant.reader.targets import default_rule_files

FIXTURES = Path(__file__).parent / "fixtures" / "elements"
ESI = Procedure(family="esi")
_NO_POLICY = ElementPolicy()

ElementsOf = Callable[..., Elements]


@pytest.fixture(scope="module")
def elements_of(nlp: Language) -> ElementsOf:
    """Elements of ``text``; ``performed`` says whether a procedure was done today."""

    def run(text: str, performed: bool = False) -> Elements:
        targets = list(iter_targets(nlp(text)))
        procedures = [ESI] if performed else []
        kind = "procedure" if performed else "consult"
        return assemble_elements(text, targets, kind, procedures)[0]

    return run


def _target(value: str, assertion: str = "affirmed", **extra: object) -> Target:
    fields: dict[str, object] = {
        "label": "ELEMENT",
        "value": value,
        "rule": "test",
        "start": 0,
        "end": 4,
        "text": "text",
        "section": None,
        "assertion": assertion,
        "planned": False,
        "trigger": None,
        "sent_start": 0,
        "sent_end": 40,
    }
    fields.update(extra)
    return Target(**fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------ non-procedure elements

NOTE_CASES: list[tuple[str, str, bool]] = [
    # conservative therapy: tried vs negated / recommended
    ("conservative_therapy", "She completed a course of physical therapy last year.", True),
    ("conservative_therapy", "He has been taking naproxen twice daily.", True),
    ("conservative_therapy", "He has not tried physical therapy.", False),
    ("conservative_therapy", "PT was recommended.", False),
    ("conservative_therapy", "Labs: PT 12.1, PTT 30, INR 1.0.", False),
    ("conservative_therapy", "ALLERGIES:  Codeine causes nausea.", False),
    # duration of conservative care needs therapy + a span of time in one sentence
    ("conservative_therapy_duration", "No improvement with 8 weeks of PT.", True),
    ("conservative_therapy_duration", "She attended physical therapy for three months.", True),
    ("conservative_therapy_duration", "She attended physical therapy.", False),
    ("conservative_therapy_duration", "He takes ibuprofen three times a day.", False),
    # failure of conservative care; intolerance and hypotheticals are not failure
    ("conservative_therapy_failed", "No improvement with 8 weeks of PT.", True),
    ("conservative_therapy_failed", "Gabapentin did not help her leg pain.", True),
    ("conservative_therapy_failed", "He has failed conservative management.", True),
    ("conservative_therapy_failed", "She could not tolerate naproxen because of reflux.", False),
    ("conservative_therapy_failed", "He has not exhausted conservative measures.", False),
    ("conservative_therapy_failed", "She completed physical therapy.", False),
    # pain duration: a span of time, not "chronic" alone
    ("pain_duration", "She reports low back pain for 6 months.", True),
    ("pain_duration", "Neck pain since a motor vehicle accident in 2019.", True),
    ("pain_duration", "He has a two-year history of knee pain.", True),
    ("pain_duration", "She has chronic low back pain.", False),
    ("pain_duration", "The injection may cause more pain for two days.", False),
    # functional impairment needs a limitation, not an aggravating factor
    ("functional_impairment", "She is unable to walk more than one block.", True),
    ("functional_impairment", "The pain wakes him up at night.", True),
    ("functional_impairment", "He has difficulty with activities of daily living.", True),
    ("functional_impairment", "His Oswestry Disability Index is 42%.", True),
    ("functional_impairment", "The pain is worse with prolonged sitting and standing.", False),
    ("functional_impairment", "The pain does not interfere with her daily activities.", False),
    # pain score
    ("pain_score", "She rates her pain 6/10 today.", True),
    ("pain_score", "Pain is 7 out of 10.", True),
    ("pain_score", "VAS score of 5.", True),
    ("pain_score", "Strength is 5/5 in both legs.", False),
    # imaging findings, not orders
    ("imaging_findings", "MRI of the lumbar spine showed a disc protrusion at L4-L5.", True),
    ("imaging_findings", "X-rays reveal degenerative changes of the knee.", True),
    ("imaging_findings", "An MRI was ordered.", False),
    ("imaging_findings", "We will obtain an MRI of the lumbar spine.", False),
    # prior block relief needs a magnitude
    ("prior_block_relief", "Her last epidural injection gave 70% relief for 3 months.", True),
    ("prior_block_relief", "The previous facet injection provided no relief.", True),
    ("prior_block_relief", "The hip injection helped her briefly.", False),
    (
        "prior_block_relief",
        "She had a facet block in May.  It gave her 50% relief for 2 weeks.",
        True,
    ),
    ("prior_block_relief", "She had a facet block in May.  Her knee feels better.", False),
    (
        "prior_block_relief",
        "She can walk one block.  Eight weeks of physical therapy did not help.",
        False,
    ),
    # exam and diagnosis from headers with content, not placeholders
    ("exam_documented", "PHYSICAL EXAMINATION:  Tender over the sacroiliac joint.", True),
    ("exam_documented", "On examination, straight leg raise is positive on the left.", True),
    ("exam_documented", "VITAL SIGNS:  See nursing notes.", False),
    ("diagnosis_stated", "DIAGNOSIS:  Lumbar spondylosis.", True),
    ("diagnosis_stated", "IMPRESSION:\n1.  Cervical radiculopathy.", True),
    ("diagnosis_stated", "PREOPERATIVE DIAGNOSIS:  ***", False),
    # opioid risk monitoring
    ("opioid_risk_monitoring", "The state PDMP was reviewed and is appropriate.", True),
    ("opioid_risk_monitoring", "He signed an opioid agreement today.", True),
    ("opioid_risk_monitoring", "He takes oxycodone as needed.", False),
    # total time: minutes of the visit, not record review
    ("total_time", "Total time spent with the patient was 40 minutes.", True),
    ("total_time", "I spent 25 minutes face-to-face with the patient.", True),
    ("total_time", "I spent 45 minutes reviewing medical records.", False),
    ("total_time", "Fluoroscopy time was 1.2 minutes.", False),
    # consent, including consent for a planned procedure
    ("informed_consent", "Written informed consent was obtained.", True),
    ("informed_consent", "Risks and benefits were explained and she wishes to proceed.", True),
    ("informed_consent", "CONSENT:  ***", False),
]


@pytest.mark.parametrize(("element", "text", "expected"), NOTE_CASES)
def test_elements_snippet_decides_element(
    elements_of: ElementsOf, element: str, text: str, expected: bool
) -> None:
    assert getattr(elements_of(text), element) is expected


# ------------------------------------------------------------------ procedure elements

PROCEDURE_CASES: list[tuple[str, str, bool]] = [
    ("complications", "Complications: none.", True),
    ("complications", "There were no complications.", True),
    (
        "complications",
        "Risks including bleeding, infection and other complications were discussed.",
        False,
    ),
    ("complications", "No hematoma was observed.", False),
    ("complications", "COMPLICATIONS:  ***", False),
    ("post_procedure_assessment", "The patient tolerated the procedure well.", True),
    ("post_procedure_assessment", "She was discharged home in stable condition.", True),
    ("post_procedure_assessment", "There were no complications.", False),
    ("post_procedure_assessment", "The patient was monitored.", False),
    ("sedation_or_anesthesia", "ANESTHESIA:  Local.", True),
    ("sedation_or_anesthesia", "The skin was anesthetized with 1% lidocaine.", True),
    ("sedation_or_anesthesia", "Midazolam 2 mg IV was given.", True),
    (
        "sedation_or_anesthesia",
        "Then 3 mL of 1% lidocaine was injected into each trigger point.",
        False,
    ),
    ("medication_dose", "Then 80 mg of Depo-Medrol was injected.", True),
    (
        "medication_dose",
        "A mixture of 3 mL 0.25% bupivacaine and 40 mg triamcinolone was injected.",
        True,
    ),
    ("medication_dose", "Then 2 mL of Omnipaque contrast was injected.", False),
    ("medication_dose", "10 cc of autologous blood was injected.", False),
    ("medication_dose", "Lidocaine was used for the skin.", False),
    ("images_saved", "Images were saved to the record.", True),
    ("images_saved", "AP and lateral images were taken.", False),
]


@pytest.mark.parametrize(("element", "text", "expected"), PROCEDURE_CASES)
def test_elements_procedure_snippet_decides_element(
    elements_of: ElementsOf, element: str, text: str, expected: bool
) -> None:
    assert getattr(elements_of(text, performed=True), element) is expected


@pytest.mark.parametrize(
    ("element", "text"),
    [
        ("complications", "Complications: none."),
        ("post_procedure_assessment", "The patient tolerated the procedure well."),
        ("medication_dose", "Then 80 mg of Depo-Medrol was injected."),
    ],
)
def test_elements_procedure_only_false_without_procedure(
    elements_of: ElementsOf, element: str, text: str
) -> None:
    assert getattr(elements_of(text, performed=False), element) is False


# ------------------------------------------------------------------ whole notes


@pytest.mark.parametrize(("name", "performed"), [("procedure_note", True), ("consult_note", False)])
def test_elements_fixture_note_matches_expected(
    elements_of: ElementsOf, name: str, performed: bool
) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert elements_of(text, performed=performed).model_dump() == expected


def test_elements_read_reports_evidence_for_true_flags(read: Callable[[str], NoteFacts]) -> None:
    text = (FIXTURES / "consult_note.txt").read_text(encoding="utf-8")
    facts = read(text)
    assert facts.elements.pain_score is True
    element_evidence = [e for e in facts.evidence if e.field.startswith("elements.")]
    flagged = {e.field.removeprefix("elements.") for e in element_evidence}
    true_flags = {name for name in ELEMENT_NAMES if getattr(facts.elements, name)}
    assert flagged == true_flags
    assert all(text[e.start : e.end] == e.text for e in element_evidence)


# ------------------------------------------------------------------ pure policy functions


def test_elements_reading_ignores_trigger_inside_match() -> None:
    inside = _target("cue.failure", "negated", text="did not help", trigger="not")
    outside = _target("cue.failure", "negated", text="helped", trigger="not")
    assert reading(inside) == "affirmed"
    assert reading(outside) == "negated"


@pytest.mark.parametrize(
    ("cues", "expected"),
    [
        ([_target("cue.failure")], True),
        ([_target("cue.failure", sent_start=50)], False),
        ([_target("cue.failure", "hypothetical")], False),
        ([], False),
    ],
)
def test_elements_decide_needs_cue_in_same_sentence(cues: list[Target], expected: bool) -> None:
    targets = [_target("conservative_therapy"), *cues]
    chosen = decide_element(
        "conservative_therapy_failed", targets, cues_by_sentence(targets), performed=False
    )
    assert bool(chosen) is expected


def test_elements_veto_cancels_candidate() -> None:
    targets = [_target("complications", "negated"), _target("cue.risk_discussion")]
    assert not decide_element("complications", targets, cues_by_sentence(targets), True)
    assert decide_element("complications", targets[:1], cues_by_sentence(targets[:1]), True)


def test_elements_policies_name_known_elements_and_cues() -> None:
    values = {
        rule.value for f in default_rule_files() for rule in f.rules if rule.label == "ELEMENT"
    }
    assert set(POLICIES) <= set(ELEMENT_NAMES)
    for policy in POLICIES.values():
        assert set(policy.anchors) | set(policy.requires) | set(policy.vetoes) <= values
    reachable = {
        name for name in ELEMENT_NAMES if name in values or POLICIES.get(name, _NO_POLICY).anchors
    }
    assert reachable == set(ELEMENT_NAMES)


def test_elements_previous_sentences_links_only_adjacent_sentences() -> None:
    text = "One here.  Two here.  Three."
    first = _target("cue.injection", sent_start=0, sent_end=9)
    second = _target("cue.relief", sent_start=11, sent_end=20)
    third = _target("cue.relief", sent_start=22, sent_end=28)
    assert previous_sentences(text, [first, second, third]) == {11: 0, 22: 11}
    assert previous_sentences(text, [first, third]) == {}
