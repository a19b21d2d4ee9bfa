"""Where a missing item belongs: the reader's sections, as checklists name them."""

from __future__ import annotations

import json
from importlib import resources
from typing import get_args

import pytest

from assistant.checks.registry import load_registry
from assistant.checks.sections import CHECKLIST_SECTIONS, ExpectedSection, expected_section
from assistant.layout import READER_SECTIONS
from assistant.pipeline import check_note
from assistant.reader.read import read_layout

NOTE = """\
PREOPERATIVE DIAGNOSIS: Lumbar radiculopathy.
POSTOPERATIVE DIAGNOSIS: Same.
PROCEDURE: Right L5-S1 transforaminal epidural steroid injection under fluoroscopy.
DESCRIPTION OF PROCEDURE: The patient was placed prone. A 22-gauge spinal needle was
advanced to the right L5-S1 foramen and 80 mg triamcinolone was injected.
"""


def test_checks_sections_map_reader_categories_to_every_expected_section() -> None:
    rules = resources.files("assistant.reader") / "rules" / "sections.json"
    categories = {r["category"] for r in json.loads(rules.read_text("utf-8"))["section_rules"]}
    assert set(CHECKLIST_SECTIONS) <= categories == set(READER_SECTIONS)
    used = {
        name
        for checklist in load_registry().checklists.values()
        for element in checklist.elements
        for name in element.expected_section
    }
    assert used <= set(CHECKLIST_SECTIONS.values()) == set(get_args(ExpectedSection))


@pytest.mark.parametrize(
    ("names", "title"),
    [
        (["procedure"], "PROCEDURE:"),
        (["consent", "procedure"], "PROCEDURE:"),  # no consent section: the next name
        (["diagnosis"], "PREOPERATIVE DIAGNOSIS:"),
        (["post"], None),  # a postoperative diagnosis is not the post-procedure section
    ],
)
def test_checks_sections_expected_section(names: list[str], title: str | None) -> None:
    section = expected_section(read_layout(NOTE), names)
    assert (section.title if section else None) == title


def test_checks_sections_expected_here_quotes_the_header() -> None:
    result = check_note(NOTE, payer="medicare")
    quoted = [
        ev
        for finding in result.findings
        for ev in finding.evidence
        if ev.role == "expected_here" and ev.origin == "section"
    ]
    assert quoted
    for ev in quoted:
        assert NOTE[ev.start : ev.end] == ev.text
        assert ev.section in READER_SECTIONS
