"""Token-pattern ConText rules turned into phrases match exactly what the patterns match."""

from __future__ import annotations

from typing import Any

import pytest
from medspacy.context import ConTextRule
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher

from assistant.reader.context_rules import as_phrase_rules, phrase_expansion, reader_context_rules


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"LOWER": {"IN": ["deny", "denies"]}}], [("denies",), ("deny",)]),
        ([{"LOWER": "no"}, {"LOWER": {"IN": ["new"]}, "OP": "?"}], [("no",), ("no", "new")]),
        ([{"LOWER": {"IN": ["risks of", "risk"]}}], [("risk",)]),  # a spaced value never matched
        ([{"LOWER": "no", "OP": "?"}], [("no",)]),
        ([{"LOWER": "no"}, {"OP": "*"}], None),
        ([{"LEMMA": "deny"}], None),
        ([{"LOWER": {"REGEX": "^den"}}], None),
    ],
)
def test_phrase_expansion_lists_every_matched_sequence(
    pattern: list[dict[str, Any]], expected: list[tuple[str, ...]] | None
) -> None:
    assert phrase_expansion(pattern) == expected


_TEXT = (
    "Patient denies fever. No new weakness, but she was not ruled out for infection. "
    "Family history: mother had back surgery. He might be a candidate; possible TFESI. "
    "Negative for numbness. She did n't rule out a fracture. Will come back for RFA."
)


def _spans(nlp: Language, rules: list[ConTextRule], text: str) -> set[tuple[str, int, int]]:
    doc = nlp.make_doc(text)
    matcher, phrases = Matcher(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LOWER")
    for i, rule in enumerate(rules):
        key = f"{rule.category}|{i}"
        if isinstance(rule.pattern, list):
            matcher.add(key, [rule.pattern])
        else:
            phrases.add(key, [nlp.make_doc(rule.literal.lower())])
    found = set()
    for match_id, start, end in [*matcher(doc), *phrases(doc)]:
        category = nlp.vocab.strings[match_id].split("|")[0]
        found.add((category, start, end))
    return found


def test_as_phrase_rules_match_the_same_spans_as_the_default_patterns(nlp: Language) -> None:
    context: Any = nlp.get_pipe("chartready_context")
    defaults = ConTextRule.from_json(context.DEFAULT_RULES_FILEPATH)
    token_rules = [r for r in defaults if isinstance(r.pattern, list)]
    assert len(token_rules) > 40

    def tokenize(text: str) -> list[str]:
        return [t.lower_ for t in nlp.make_doc(text)]

    converted = as_phrase_rules(token_rules, tokenize)
    assert sum(r.pattern is None for r in converted) > 500
    before, after = _spans(nlp, token_rules, _TEXT), _spans(nlp, converted, _TEXT)
    assert before == after
    assert len(before) >= 8


def test_reader_context_rules_let_our_phrase_override_a_default() -> None:
    default = ConTextRule("possible", "POSSIBLE_EXISTENCE", direction="FORWARD")
    other = ConTextRule("denies", "NEGATED_EXISTENCE", direction="FORWARD")
    ours = ConTextRule("possible", "PLANNED", direction="FORWARD", max_scope=12)
    rules = reader_context_rules([default, other], [ours], str.split)
    assert [(r.literal, r.category) for r in rules] == [
        ("possible", "PLANNED"),  # first: on spans of equal length medspaCy keeps the first
        ("denies", "NEGATED_EXISTENCE"),
    ]
