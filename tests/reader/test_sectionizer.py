"""The Doc-only sectionizer finds medspaCy's sections and answers ``token._.section`` alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from medspacy.section_detection import Sectionizer, SectionRule
from spacy.language import Language
from spacy.tokens import Doc

from assistant.reader.sectionizer import sections_from_matches

DocBefore = Callable[[str, str], Doc]
NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"


@pytest.fixture(scope="module")
def medspacy_sectionizer(nlp: Language) -> Sectionizer:
    ours: Any = nlp.get_pipe("chartready_sectionizer")
    reference = Sectionizer(nlp, rules=None, require_start_line=True, phrase_matcher_attr="LOWER")
    reference.add(ours.rules)
    reference.add(list(ours.own_line.values()))  # as token patterns, run by spaCy's Matcher
    return reference


def _key(section: Any) -> tuple[Any, ...] | None:
    if section is None:
        return None
    return (section.category, *section.title_span, *section.body_span, section.parent)


def _sections(doc: Doc) -> list[tuple[Any, ...] | None]:
    return [_key(s) for s in doc._.sections]


_TEXTS = [
    *[path.read_text(encoding="utf-8") for path in sorted(NOTES.glob("*.txt"))][::3],
    "no headers at all",
    "PROCEDURE: L4-5 TFESI.\nCOMPLICATIONS: none.",
    "Return visit.\nAssessment and Plan  \nMBB next.\nPlan to return.\nplan\nP: RFA.\nPlan",
    "HPI\nneck pain\n  Exam\t\ntender\nPROCEDURE\n\nC5-6 ESI",
]


@pytest.mark.parametrize("text", _TEXTS)
def test_doc_sectionizer_matches_medspacy(
    nlp: Language, medspacy_sectionizer: Sectionizer, doc_before: DocBefore, text: str
) -> None:
    ours: Any = nlp.get_pipe("chartready_sectionizer")
    expected = medspacy_sectionizer(doc_before("chartready_sectionizer", text))
    got = ours(doc_before("chartready_sectionizer", text))
    assert _sections(got) == _sections(expected)
    assert [_key(t._.section) for t in got] == [_key(t._.section) for t in expected]
    assert [t._.section_category for t in got] == [t._.section_category for t in expected]


def test_token_section_write_is_kept(nlp: Language) -> None:
    doc = nlp("PROCEDURE: lumbar epidural.")
    doc[0]._.section = None
    assert doc[0]._.section is None
    assert doc[1]._.section is not None


@pytest.mark.parametrize(
    ("matches", "expected"),
    [
        ([], [(None, 0, 0, 0, 10)]),
        ([(1, 0, 2)], [("a", 0, 2, 2, 10)]),
        ([(1, 3, 4), (2, 6, 7)], [(None, 0, 0, 0, 3), ("a", 3, 4, 4, 6), ("b", 6, 7, 7, 10)]),
    ],
)
def test_sections_from_matches_cover_the_note(
    matches: list[tuple[int, int, int]], expected: list[tuple[Any, ...]]
) -> None:
    rules = {1: SectionRule("A:", "a"), 2: SectionRule("B:", "b")}
    sections = sections_from_matches(matches, 10, rules.__getitem__)
    assert [(s.category, *s.title_span, *s.body_span) for s in sections] == expected
