"""The reader's layout of a note (sections, ConText scopes) in character offsets."""

from __future__ import annotations

from pathlib import Path

import em_notes as N
import pytest

from assistant.reader.read import read_layout, read_note_layout

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
NOTES = [N.MODERATE, N.HIGH, *(p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt"))[:8])]


@pytest.mark.parametrize("text", NOTES)
def test_layout_sections_cover_the_note_and_quote_their_headers(text: str) -> None:
    layout = read_layout(text)
    assert layout.sections[0].start == 0 and layout.sections[-1].end == len(text)
    for before, after in zip(layout.sections, layout.sections[1:], strict=False):
        assert before.end == after.start
    for section in layout.sections:
        assert section.start <= section.body_start <= section.end
        assert text[section.start : section.start + len(section.title)] == section.title
        assert layout.section_at(section.body_start) == section or section.body_start == section.end


@pytest.mark.parametrize("text", NOTES)
def test_layout_assertions_over_finds_every_modifier_in_scope(text: str) -> None:
    layout = read_layout(text)
    for start in range(0, len(text), 37):
        end = min(start + 12, len(text))
        brute = {m for m in layout.assertions if m.scope_overlaps(start, end)}
        assert set(layout.assertions_over(start, end)) == brute


def test_layout_is_the_same_from_one_reading() -> None:
    facts, layout = read_note_layout(N.MODERATE, "t")
    assert facts.note_id == "t"
    assert layout == read_layout(N.MODERATE)


def test_layout_negation_trigger_and_scope_quote_the_note() -> None:
    text = "ASSESSMENT: Neck pain. Denies numbness.\n"
    (denies,) = [a for a in read_layout(text).assertions if a.category == "NEGATED_EXISTENCE"]
    assert text[denies.trigger_start : denies.trigger_end] == "Denies"
    assert text[denies.scope_start : denies.scope_end].startswith("numbness")
    assert denies.direction == "forward"
