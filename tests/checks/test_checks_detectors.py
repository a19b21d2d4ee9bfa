"""Checklist detectors on sentences written for them: what they must and must not find.

Each sentence is read by the reader first: negation comes from its ConText modifiers.
"""

from __future__ import annotations

import pytest

from assistant.checks.detectors import run_detector
from assistant.checks.registry import load_registry
from assistant.reader.read import read_layout

CASES: list[tuple[str, str, bool]] = [
    # A contrast contraindication stated, never a negative or a screening result.
    ("contrast_omitted_reason", "She has a documented iodinated contrast allergy.", True),
    ("contrast_omitted_reason", "Allergies: penicillin, iodine (hives).", True),
    ("contrast_omitted_reason", "Contrast was not used because of her prior anaphylaxis.", True),
    ("contrast_omitted_reason", "No contrast was used given her contrast allergy.", True),
    ("contrast_omitted_reason", "The patient is 14 weeks pregnant.", True),
    ("contrast_omitted_reason", "Pregnancy test negative.", False),
    ("contrast_omitted_reason", "Urine pregnancy test was negative today.", False),
    ("contrast_omitted_reason", "No iodine allergy.", False),
    ("contrast_omitted_reason", "She denies contrast allergy.", False),
    ("contrast_omitted_reason", "She is not pregnant.", False),
    ("contrast_omitted_reason", "Allergies: NKDA.", False),
    ("contrast_omitted_reason", "No known allergies to contrast or latex.", False),
    # Durations that a threshold can read.
    ("pain_duration_stated", "Low back pain for 6 months.", True),
    ("pain_duration_stated", "She reports a 2-year history of neck pain.", True),
    ("pain_duration_stated", "Right buttock pain since 2019.", True),
    ("pain_duration_stated", "He relates an initial injury that occurred on 06/29/1994.", True),
    ("pain_duration_stated", "She has had back pain and knee pain for years.", True),
    ("pain_duration_stated", "Symptoms over the past 3 weeks.", True),
    ("pain_duration_stated", "Pain relief lasted for 3 months after the last injection.", False),
    ("pain_duration_stated", "Chronic low back pain.", False),
    ("conservative_care_duration_stated", "She completed 8 weeks of physical therapy.", True),
    ("conservative_care_duration_stated", "Physical therapy for 6 weeks did not help.", True),
    ("conservative_care_duration_stated", "Six weeks of NSAIDs and home exercise.", True),
    (
        "conservative_care_duration_stated",
        "She has seen several chiropractors over the years.",
        True,
    ),
    ("conservative_care_duration_stated", "We recommend 6 weeks of physical therapy.", False),
    ("conservative_care_duration_stated", "Pt has had pain for 3 months.", False),
    # Pain scores tied to before and after the block.
    ("pain_score_pre", "Pre-procedure pain was 7/10.", True),
    ("pain_score_pre", "Pain was 7/10 before and 1/10 after the block.", True),
    ("pain_score_pre", "Baseline NRS 8.", True),
    ("pain_score_pre", "Pain is 7/10.", False),
    ("pain_score_post", "Post-procedure pain was 2/10.", True),
    ("pain_score_post", "Pain was 7/10 before and 1/10 thirty minutes after the block.", True),
    ("pain_score_post", "Pain is 7/10 and limits walking.", False),
    # plural procedures, "afterward", a time after the block, a trailing "pre"
    ("pain_score_pre", "Before the blocks his neck pain measured 6/10 NRS.", True),
    ("pain_score_pre", "Knee pain 8/10 pre, 3/10 at 15 min.", True),
    ("pain_score_post", "Twenty minutes afterward it was down to 2/10 NRS.", True),
    ("pain_score_post", "At discharge, 45 minutes after, she rated it 1/10.", True),
    ("pain_score_post", "Knee pain 8/10 pre, 3/10 at 15 min.", True),
    ("pain_score_post", "Pain 6/10 most days.", False),
    # the volume of blood in a blood patch, however far the verb sits from the word "blood"
    (
        "blood_volume_statement",
        "Blood was collected from the right arm by an assistant and 15 mL was injected.",
        True,
    ),
    ("blood_volume_statement", "Autologous blood was drawn and injected.", False),
    # the toxin's total given as the session's total, apart from the product's name
    ("toxin_units_statement", "Total dose: 100 units across 20 sites.", True),
    ("toxin_units_statement", "Sites: frontalis, temporalis, occipitalis.", False),
    # intent set off after the procedure's name
    ("intent_in_apposition", "Right L5-S1 facet injection, therapeutic, under fluoroscopy.", True),
    ("intent_in_apposition", "Left C5-6 MBB (diagnostic) with 0.5 mL bupivacaine.", True),
    ("intent_in_apposition", "Right SI joint injection under fluoroscopy.", False),
    # images said not to be kept are not saved images
    ("images_saved_statement", "AP and lateral images were saved to PACS.", True),
    ("images_saved_statement", "Images were not saved because the archive was offline.", False),
    # Trial results: a percent tied to the trial; function improved during it.
    ("trial_result_statement", "The trial provided 70% pain relief.", True),
    ("trial_result_statement", "She reported 60% relief during the trial.", True),
    ("trial_result_statement", "The trial went well.", False),
    (
        "trial_function_statement",
        "During the trial she walked a mile and slept through the night.",
        True,
    ),
    ("trial_function_statement", "Her walking tolerance improved during the trial.", True),
    ("trial_function_statement", "No functional improvement was seen during the trial.", False),
    # Diagnosis lines, non-covered notices, psychological evaluation.
    ("diagnosis_line", "DIAGNOSIS: Left L5 radiculopathy.", True),
    ("diagnosis_line", "PREOPERATIVE DIAGNOSIS: Right knee osteoarthritis.", True),
    ("diagnosis_line", "The diagnosis was discussed.", False),
    ("noncovered_notice_statement", "An ABN was signed before the procedure.", True),
    (
        "noncovered_notice_statement",
        "She understands the procedure is not covered and elects to self-pay.",
        True,
    ),
    ("noncovered_notice_statement", "She declined to sign the ABN.", False),
    ("psych_eval_statement", "Psychological evaluation was completed and she was cleared.", True),
    ("psych_eval_statement", "She is scheduled for a psychological evaluation.", False),
    # Services the reader has no family for.
    ("pns_procedure", "PROCEDURE: Right sciatic peripheral nerve stimulator lead placement.", True),
    ("pns_procedure", "PROCEDURE: Percutaneous PNS lead placement, left axillary nerve.", True),
    ("pns_procedure", "We discussed peripheral nerve stimulation as an option.", False),
    ("basivertebral_statement", "PROCEDURE: Basivertebral nerve ablation at L4 and L5.", True),
    ("basivertebral_statement", "She may be a candidate for basivertebral nerve ablation.", False),
    (
        "scs_removal_statement",
        "PROCEDURE: Removal of spinal cord stimulator leads and generator.",
        True,
    ),
    ("scs_removal_statement", "The trial leads will be removed in 7 days.", False),
    ("scs_revision_statement", "PROCEDURE: Revision of spinal cord stimulator lead.", True),
    (
        "scs_revision_statement",
        "PROCEDURE: Replacement of spinal cord stimulator pulse generator.",
        True,
    ),
    (
        "scs_programming_statement",
        "PROCEDURE: Spinal cord stimulator analysis and programming.",
        True,
    ),
    ("scs_programming_statement", "The device was programmed by the representative.", False),
    # a programming visit told by its heading or by what was done to the device
    ("scs_programming_statement", "SPINAL CORD STIMULATOR INTERROGATION AND PROGRAMMING:", True),
    ("scs_programming_statement", "The IPG was reprogrammed for better foot coverage.", True),
    ("scs_programming_statement", "A new program was created and saved as the default.", True),
    ("scs_programming_statement", "We will have the rep reprogram the device next week.", False),
    ("scs_programming_params_statement", "Contacts 2+ 3- at 2.5 mA.", True),
    ("scs_programming_params_statement", "Active contacts moved one level up.", True),
    ("scs_programming_params_statement", "Two 16-contact leads were implanted in 2023.", False),
    # a peripheral stimulator named on an abbreviated title line or with its implant
    ("pns_procedure", "Proc: Left suprascapular peripheral nerve stimulator lead.", True),
    ("pns_procedure", "PERMANENT PNS IMPLANT, RIGHT SAPHENOUS NERVE", True),
    ("pns_procedure", "She is a candidate for a peripheral nerve stimulator implant.", False),
    # an evaluation that has not happened does not count
    ("psych_eval_statement", "Her psychological evaluation was cancelled twice.", False),
    ("psych_eval_statement", "The psychology evaluation has not been done.", False),
    ("psych_eval_statement", "Psychological evaluation on 05/02 cleared him.", True),
    # the treatments a patient has been through, listed before a stimulator or pump
    (
        "late_resort_statement",
        "He has been through six months of PT, two medications and three blocks.",
        True,
    ),
    ("late_resort_statement", "She has had no therapy so far.", False),
    # a preventive stopped for its side effects was not tolerated
    ("prophylaxis_failed_statement", "Topiramate was stopped because of paresthesias.", True),
    ("prophylaxis_failed_statement", "She stopped propranolol last year.", False),
    ("prophylaxis_failed_statement", "She stopped propranolol due to dizziness.", True),
    ("prophylaxis_failed_statement", "He could not tolerate amitriptyline.", True),
    # pain named by its standard abbreviation
    ("pain_duration_stated", "Chronic LBP x 3 yrs, axial.", True),
    ("pain_duration_stated", "He reports nine months of burning leg pain.", True),
    ("pain_duration_stated", "Her symptoms started roughly six weeks ago at work.", True),
    ("pain_duration_stated", "The block gave 3 months of pain relief.", False),
    (
        "intrathecal_trial_statement",
        "PROCEDURE: Intrathecal morphine trial via lumbar puncture.",
        True,
    ),
    ("intrathecal_trial_statement", "She had a successful intrathecal trial in 2019.", False),
    ("occipital_statement", "PROCEDURE: Right greater occipital nerve block.", True),
    ("genicular_rfa_statement", "Right genicular nerve radiofrequency ablation.", True),
    ("genicular_rfa_statement", "If the block helps we will proceed with genicular RFA.", False),
    ("modic_statement", "MRI shows Modic type 1 changes at the L4 and L5 endplates.", True),
    ("modic_statement", "MRI shows disc desiccation.", False),
    # Affirmed statements; negated ones are tested below.
    ("consent_statement", "Informed consent was obtained.", True),
    ("consent_statement", "The patient did not sign consent.", False),
    # a consent still to come is not one obtained
    ("consent_statement", "Plan: block next week; consent to be signed on arrival.", False),
    ("consent_statement", "We will obtain written consent on the day of the RFA.", False),
    # the sedation time told as clock times with its minutes
    ("sedation_time_stated", "Intra-service 13:10-13:41 (31 minutes).", True),
    # the surgeon's decision a discography informs
    ("discography_indication_statement", "Her surgeon is deciding how many levels to fuse.", True),
    ("discography_indication_statement", "She has chronic low back pain.", False),
    ("radicular_statement", "She has right L5 radicular symptoms.", True),
    ("radicular_statement", "Low back pain, no radiation to the legs.", False),  # `unless`
    ("moderate_sedation_given", "Moderate sedation was given.", True),
]


@pytest.mark.parametrize(("detector_id", "sentence", "expected"), CASES)
def test_detector_on_sentence(detector_id: str, sentence: str, expected: bool) -> None:
    detector = load_registry().detectors[detector_id]
    assert bool(run_detector(detector, sentence, read_layout(sentence))) is expected


@pytest.mark.parametrize(
    ("detector_id", "sentence", "value"),
    [
        (
            "pain_duration_stated",
            "Axial pain for the past 4 months, worse with standing.",
            "4 months",
        ),
        ("conservative_care_duration_stated", "He did PT for 2 weeks.", "2 weeks"),
        ("pain_score_post", "Post-block pain was 2/10.", "2/10"),
        ("trial_result_statement", "The trial gave 30% relief.", "30%"),
    ],
)
def test_detector_value_group(detector_id: str, sentence: str, value: str) -> None:
    hits = run_detector(load_registry().detectors[detector_id], sentence, read_layout(sentence))
    assert hits
    assert hits[0].value == value
