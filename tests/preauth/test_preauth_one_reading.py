"""Each pre-auth note is read once: its facts and its layout come from that one reading."""

from __future__ import annotations

import datetime as dt

from assistant.checks import load_registry
from assistant.checks.detectors import Detections
from assistant.preauth import dated_notes
from assistant.reader.read import read_layout

NOTE = "She denies radicular symptoms. Informed consent was obtained."


def test_dated_notes_carry_the_layout_their_detectors_read_negation_from() -> None:
    (note,) = dated_notes([("n1", dt.date(2026, 1, 5), NOTE)])
    assert note.layout == read_layout(NOTE)
    detections = Detections(note.text, load_registry().detectors, note.layout)
    assert detections.hits("radicular_statement") == []
    assert detections.hits("consent_statement")
