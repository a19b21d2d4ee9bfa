"""The sedation detectors share their patterns through YAML anchors, with the same hits.

``sedation_used`` (BASE-007: sedation given) is moderate sedation or anesthesia care, so it
reuses the patterns of ``moderate_sedation_given`` and ``anesthesia_care_given`` (CLM-031)
instead of repeating them. The reference definitions below are the ones the detectors file
held before it shared them, with negation now read by the reader's ConText (``voided_by``)
instead of their own regexes; hits must be identical.
"""

from __future__ import annotations

import random

import pytest

from assistant.checks import load_registry
from assistant.checks.detectors import run_detector
from assistant.checks.schema import Detector

REFERENCE = {
    "moderate_sedation_given": Detector(
        id="moderate_sedation_given",
        patterns=[
            r"\b(moderate|conscious|procedural|IV) sedation\b",
            r"\b(midazolam|versed|fentanyl)\b[^.\n]{0,20}\b\d",
        ],
        unless=[r"\b(by|from) (the )?(anesthesia|anesthesiologist|CRNA)"],
        voided_by=["NEGATED_EXISTENCE"],
    ),
    "anesthesia_care_given": Detector(
        id="anesthesia_care_given",
        patterns=[
            r"\b(monitored anesthesia care|MAC anesthesia|general anesthesia|deep sedation)\b"
        ],
        voided_by=["NEGATED_EXISTENCE"],
    ),
    "sedation_used": Detector(
        id="sedation_used",
        patterns=[
            r"\b(moderate|conscious|IV|deep) sedation\b",
            r"\b(monitored anesthesia care|MAC anesthesia|general anesthesia)\b",
            r"\b(midazolam|versed|fentanyl|propofol)\b[^.\n]{0,20}\b\d",
        ],
        voided_by=["NEGATED_EXISTENCE"],
    ),
}
SENTENCES = [
    "Moderate sedation with midazolam 2 mg and fentanyl 50 mcg IV was given.",
    "Procedural sedation and IV sedation were used.",
    "Deep sedation by the anesthesiologist; monitored anesthesia care.",
    "MAC anesthesia, then general anesthesia. No sedation was given.",
    "The patient declined deep sedation. Midazolam 2 mg and propofol 50 mg.",
    "Without general anesthesia care. Versed 1 mg IV. Conscious sedation for 20 minutes.",
]
_WORDS = [
    "moderate", "conscious", "procedural", "IV", "deep", "sedation", "monitored", "anesthesia",
    "care", "MAC", "general", "midazolam", "versed", "fentanyl", "propofol", "2", "mg", "50",
    "no", "without", "declined", "not", "by", "the", "anesthesiologist", "CRNA", "and", ".",
    "\n",
]  # fmt: skip


def _fuzz(count: int) -> list[str]:
    rng = random.Random(16)
    return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 25))) for _ in range(count)]


@pytest.mark.parametrize("detector_id", sorted(REFERENCE))
def test_sedation_detector_hits_are_unchanged(detector_id: str) -> None:
    detector = load_registry().detectors[detector_id]
    reference = REFERENCE[detector_id]
    assert detector.voided_by == reference.voided_by
    for text in [*SENTENCES, *_fuzz(3000)]:
        assert run_detector(detector, text, None) == run_detector(reference, text, None), text


def test_sedation_used_reuses_the_two_sedation_detectors_patterns() -> None:
    detectors = load_registry().detectors
    shared = {
        *detectors["moderate_sedation_given"].patterns,
        *detectors["anesthesia_care_given"].patterns,
        *detectors["moderate_sedation_given"].unless,
        *detectors["anesthesia_care_given"].unless,
    }
    used = detectors["sedation_used"]
    own = [pattern for pattern in used.patterns if pattern not in shared]
    assert len(own) == 1 and "propofol" in own[0]  # the one pattern of its own
    assert set(used.unless) <= shared


def test_sedation_needs_a_reason_for_injections_not_for_implants() -> None:
    """The sedation policies speak of spinal injections and ablations, not of implants."""
    from assistant.pipeline import check_note

    sedation = "Moderate sedation with midazolam 2 mg and fentanyl 50 mcg was given."
    injection = (
        "PROCEDURE: Right L5-S1 transforaminal epidural steroid injection under fluoroscopy. "
        + sedation
    )
    implant = (
        "PROCEDURE: Permanent spinal cord stimulator implant, leads at T8, generator in the "
        "left flank, under fluoroscopy. " + sedation
    )
    assert "BASE-007" in {f.rule_id for f in check_note(injection).findings}
    assert "BASE-007" not in {f.rule_id for f in check_note(implant).findings}
