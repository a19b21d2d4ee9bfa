"""Detector negation is the reader's ConText reading (``voided_by``), one test with E/M's.

The shared test itself (:meth:`NoteLayout.modifiers_at`) is checked on hand-made layouts;
the detectors on sentences the reader reads.
"""

from __future__ import annotations

import pytest

from assistant.checks.detectors import Detections, run_detector
from assistant.checks.registry import load_registry
from assistant.checks.schema import DetectorFile
from assistant.datafiles import load_yaml
from assistant.errors import RuleFileError
from assistant.layout import AssertionSpan, ContextCategory, Direction, NoteLayout
from assistant.reader.read import read_layout

# "no pain here but" with the span "pain" at 3..7 in every hand-made layout below.
START, END = 3, 7


def _modifier(
    direction: Direction,
    trigger: tuple[int, int],
    scope: tuple[int, int],
    category: ContextCategory = "NEGATED_EXISTENCE",
) -> AssertionSpan:
    return AssertionSpan(category, direction, *trigger, *scope)


@pytest.mark.parametrize(
    ("modifier", "window", "points"),
    [
        (_modifier("forward", (0, 2), (3, 16)), (0, 16), True),  # "no" before, pointing on
        (_modifier("backward", (13, 16), (0, 13)), (0, 16), True),  # "but" after, pointing back
        (_modifier("bidirectional", (13, 16), (0, 13)), (0, 16), True),
        (_modifier("forward", (13, 16), (16, 20)), (0, 20), False),  # after, pointing away
        (_modifier("backward", (0, 2), (0, 0)), (0, 16), False),  # before, pointing away
        (_modifier("forward", (0, 2), (3, 16)), (1, 16), False),  # trigger outside the window
        (_modifier("backward", (13, 16), (0, 13)), (0, 15), False),  # ... on the right too
        (_modifier("forward", (3, 7), (7, 16)), (0, 16), False),  # the trigger is the span
        (_modifier("forward", (0, 2), (9, 16)), (0, 16), False),  # scope misses the span
    ],
)
def test_modifiers_at_is_trigger_in_window_pointing_at_the_span(
    modifier: AssertionSpan, window: tuple[int, int], points: bool
) -> None:
    layout = NoteLayout(assertions=(modifier,))
    assert (layout.modifiers_at(START, END, *window) == [modifier]) is points


def test_modifiers_at_keeps_every_category() -> None:
    """The caller decides what a category means (E/M's ``context`` map, ``voided_by``)."""
    categories: tuple[ContextCategory, ...] = ("FAMILY", "PLANNED")
    kept = {_modifier("forward", (0, 2), (3, 16), category) for category in categories}
    assert set(NoteLayout(assertions=tuple(kept)).modifiers_at(START, END, 0, 16)) == kept


def test_voided_by_names_only_context_categories() -> None:
    text = "version: 1\ndetectors: [{id: a, patterns: ['consent'], voided_by: [NEGATED]}]\n"
    with pytest.raises(RuleFileError) as info:
        load_yaml("detectors.yaml", DetectorFile, text)
    assert info.value.code == "E001"
    assert "[detectors -> 0 -> voided_by -> 0] Input should be 'NEGATED_EXISTENCE'" in str(
        info.value
    )
    good = load_yaml("detectors.yaml", DetectorFile, text.replace("NEGATED", "NEGATED_EXISTENCE"))
    assert good.detectors[0].voided_by == ["NEGATED_EXISTENCE"]


@pytest.mark.parametrize(
    ("detector_id", "sentence"),
    [
        ("consent_statement", "No consent was obtained."),
        ("consent_statement", "The patient has not signed the consent."),
        ("radicular_statement", "She denies radicular symptoms."),
        ("radicular_statement", "Negative for radiculopathy."),
        ("headache_indication_statement", "Denies headaches."),
        ("moderate_sedation_given", "The patient declined moderate sedation."),
        ("modic_statement", "MRI without Modic type 1 changes."),
    ],
)
def test_negated_statement_is_not_detected(detector_id: str, sentence: str) -> None:
    """The patterns find the words; the reader's ConText reads them as negated."""
    detector = load_registry().detectors[detector_id]
    assert run_detector(detector, sentence, None)
    assert run_detector(detector, sentence, read_layout(sentence)) == []


@pytest.mark.parametrize(
    ("detector_id", "sentence"),
    [
        # The trigger is more than 20 characters before "consent" (the old `unless` reach).
        ("consent_statement", "There was no documented, witnessed and signed consent."),
        # ... more than 25 characters before "radicular".
        (
            "radicular_statement",
            "Denies bowel or bladder dysfunction, weakness or radicular symptoms.",
        ),
        # A backward trigger after the hit, which no `unless` pattern had.
        ("radicular_statement", "Sciatica was ruled out."),
    ],
)
def test_context_negation_the_old_unless_missed(detector_id: str, sentence: str) -> None:
    detector = load_registry().detectors[detector_id]
    assert run_detector(detector, sentence, None)  # the patterns alone find it
    assert run_detector(detector, sentence, read_layout(sentence)) == []


def test_a_negation_voids_only_the_hit_it_points_at() -> None:
    """A negation drops the hit it points at, not the whole sentence as `unless` does."""
    sentence = "She has sciatica on the left and denies radicular pain on the right."
    detector = load_registry().detectors["radicular_statement"]
    hits = run_detector(detector, sentence, read_layout(sentence))
    assert [hit.text for hit in hits] == ["sciatica"]


def test_detections_use_the_layout_they_are_given() -> None:
    text = "No consent was obtained."
    detectors = load_registry().detectors
    assert Detections(text, detectors, read_layout(text)).hits("consent_statement") == []
    assert Detections(text, detectors, NoteLayout()).hits("consent_statement")


@pytest.mark.parametrize(("category", "kept"), [("NEGATED_EXISTENCE", False), ("HISTORICAL", True)])
def test_only_the_declared_categories_void_a_hit(category: ContextCategory, kept: bool) -> None:
    """Only the categories a detector lists void its hits (consent: NEGATED_EXISTENCE)."""
    text = "Informed consent was obtained."
    start = text.index("consent")
    modifier = _modifier("forward", (0, start - 1), (start, len(text)), category)
    detector = load_registry().detectors["consent_statement"]
    assert bool(run_detector(detector, text, NoteLayout(assertions=(modifier,)))) is kept
