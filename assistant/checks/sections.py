"""Where a missing checklist item belongs: the reader's sections, as checklists name them.

A checklist element's ``expected_section`` names the part of the note where the item is
written (``procedure``, ``consent`` ...). The reader's Sectionizer has already found the
note's sections (:class:`~assistant.layout.NoteLayout`); this maps its categories to those
names, so a finding can quote the header under which the missing item belongs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

from assistant.layout import NoteLayout, NoteSection, ReaderSection

ExpectedSection = Literal[
    "procedure",
    "complications",
    "consent",
    "history",
    "exam",
    "plan",
    "post",
    "anesthesia",
    "diagnosis",
]

# The checklist section each reader category is (categories not listed are none of them).
CHECKLIST_SECTIONS: Mapping[ReaderSection, ExpectedSection] = MappingProxyType(
    {
        "procedure": "procedure",
        "procedure_details": "procedure",
        "complications": "complications",
        "consent": "consent",
        "history_of_present_illness": "history",
        "indications": "history",
        "physical_exam": "exam",
        "observation_and_plan": "plan",
        "disposition": "post",
        "anesthesia": "anesthesia",
        "diagnoses": "diagnosis",
    }
)


def expected_section(layout: NoteLayout, names: Iterable[str]) -> NoteSection | None:
    """The first section of the note that is one of ``names``, trying the names in order."""
    for name in names:
        for section in layout.sections:
            if section.category is not None and CHECKLIST_SECTIONS.get(section.category) == name:
                return section
    return None
