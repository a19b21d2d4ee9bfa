"""assess_em over NoteFacts from the real reader (session fixture; no model downloads)."""

from __future__ import annotations

from collections.abc import Callable

import em_notes as N
import pytest

from assistant.em import assess_em, em_findings
from assistant.facts import NoteFacts


@pytest.mark.parametrize(("note", "billed"), [(N.MODERATE, "99214"), (N.LOW, "99213")])
def test_em_reader_facts_feed_assessment(
    read: Callable[[str], NoteFacts], note: str, billed: str
) -> None:
    facts = read(note)
    em = assess_em(note, facts, billed_cpt=billed)
    assert em.supported_level == billed
    assert em_findings(note, facts, em, [(billed, [], 1)]) == []
