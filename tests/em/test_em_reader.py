"""assess_em over NoteFacts and the layout of one reading by the real reader."""

from __future__ import annotations

import em_notes as N
import pytest

from assistant.em import assess_em, em_findings
from assistant.reader.read import read_note_layout


@pytest.mark.parametrize(("note", "billed"), [(N.MODERATE, "99214"), (N.LOW, "99213")])
def test_em_reader_facts_feed_assessment(note: str, billed: str) -> None:
    facts, layout = read_note_layout(note, "test")
    em = assess_em(note, facts, layout, billed_cpt=billed)
    assert em.supported_level == billed
    assert em_findings(note, facts, layout, em, [(billed, [], 1)]) == []
