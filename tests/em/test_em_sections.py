"""E/M sections are the reader's sections, named by the cue data's typed mapping."""

from __future__ import annotations

import json
from importlib import resources

import em_notes as N
import pytest

from assistant.em.extract import em_sections, section_at
from assistant.em.loader import cue_file
from assistant.layout import READER_SECTIONS


def _reader_rules() -> list[dict[str, str]]:
    path = resources.files("assistant.reader") / "rules" / "sections.json"
    rules: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["section_rules"]
    return rules


def test_em_sections_every_reader_category_is_typed_and_mapped() -> None:
    categories = {rule["category"] for rule in _reader_rules()}
    assert categories == set(READER_SECTIONS)
    assert set(cue_file().sections) == categories


def test_em_sections_extra_headers_are_not_reader_headers() -> None:
    """A header the reader learns is deleted from the cue data's stopgap list."""
    known = {" ".join(rule["literal"].rstrip(":").split()).upper() for rule in _reader_rules()}
    extra = {" ".join(h.split()).upper() for hs in cue_file().headers.values() for h in hs}
    assert extra and not extra & known


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("ASSESSMENT AND PLAN:", "assessment"),  # reader: observation_and_plan
        ("IMPRESSION/PLAN:", "assessment"),
        ("A/P:", "assessment"),
        ("PLAN:", "plan"),
        ("RECOMMENDATIONS:", "plan"),
        ("IMPRESSION:", "assessment"),  # reader: diagnoses
        ("A:", "assessment"),
        ("PREOPERATIVE DIAGNOSIS:", "other"),
        ("FINDINGS:", "results"),  # reader: procedure_details
        ("SUMMARY:", "other"),  # reader: procedure_details; a discharge summary's course
        ("TECHNIQUE:", "procedure"),
        ("REASON FOR CONSULTATION:", "hpi"),  # reader: indications
        ("LABORATORY DATA:", "results"),  # reader: imaging
        ("Labs:", "results"),
        ("HEENT:", "other"),  # capitals, unknown to both: ends the section before it
    ],
)
def test_em_sections_category_of_header(header: str, category: str) -> None:
    text = f"HISTORY OF PRESENT ILLNESS: Back pain.\n{header} Lumbar spondylosis.\n"
    sections = em_sections(N.layout(text))
    assert section_at(sections, text.index("Lumbar")) == category
    assert section_at(sections, text.index("Back")) == "hpi"


def test_em_sections_mixed_case_unknown_label_is_not_a_header() -> None:
    text = "MEDICATIONS: Gabapentin.\nLumbar stenosis: stable on this dose.\n"
    sections = em_sections(N.layout(text))
    assert section_at(sections, text.index("stable")) == "medications"


def test_em_sections_header_words_are_in_no_section() -> None:
    text = "HISTORY OF PRESENT ILLNESS: Back pain.\nPAST X-RAYS: MRI shows L4-L5 stenosis.\n"
    sections = em_sections(N.layout(text))
    assert section_at(sections, text.index("X-RAYS")) is None
    assert section_at(sections, text.index("MRI")) == "results"


def test_layout_labels_are_found_once_by_the_reader_and_read_by_em() -> None:
    """The reader's layout lists every line-start label; E/M opens sections only at its own."""
    text = "MEDICATIONS: Gabapentin.\nLumbar stenosis: stable.\nHEENT: Normal.\nMedication: new.\n"
    layout = N.layout(text)
    found = [(label.text, text[label.start : label.end]) for label in layout.labels]
    assert found == [
        ("Lumbar stenosis", "Lumbar stenosis:"),
        ("HEENT", "HEENT:"),
        ("Medication", "Medication:"),
    ]
    sections = em_sections(layout)
    assert [s.header for s in sections] == ["MEDICATIONS:", "HEENT", "Medication"]
