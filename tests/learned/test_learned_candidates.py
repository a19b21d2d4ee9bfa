from __future__ import annotations

import pytest

from assistant.learned.candidates import candidate_sentences, keyword_pattern, trim_span


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [("  abc  ", (0, 7), (2, 5)), ("abc", (0, 3), (0, 3)), ("\n\n", (0, 2), (2, 2))],
)
def test_trim_span_skips_outer_whitespace(
    text: str, span: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert trim_span(text, *span) == expected


@pytest.mark.parametrize(
    ("sentence", "matches"),
    [("She walks slowly.", True), ("Sidewalk repairs.", False), ("WALKING hurts.", True)],
)
def test_keyword_pattern_matches_at_word_start_ignoring_case(sentence: str, matches: bool) -> None:
    assert bool(keyword_pattern(["walk"]).search(sentence)) is matches


def test_candidate_sentences_groups_trimmed_spans_per_element_and_skips_long_ones() -> None:
    text = "He cannot walk far.  Pain for years. " + "walk " * 100
    sentences = [(0, 20), (20, 37), (37, len(text))]
    patterns = {"fi": keyword_pattern(["walk"]), "pd": keyword_pattern(["years"])}
    found = candidate_sentences(text, sentences, patterns, max_chars=100)
    assert found == {"fi": [(0, 19)], "pd": [(21, 36)]}
    assert text[21:36] == "Pain for years."
