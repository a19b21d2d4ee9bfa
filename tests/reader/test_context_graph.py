"""The pruned ConText graph gives medspaCy's scopes and edges with fewer calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from medspacy.context import ConText
from spacy.language import Language
from spacy.tokens import Doc

from assistant.reader.context_graph import overlapping_pairs, tuple_overlaps
from assistant.reader.targets import SPAN_KEY

DocBefore = Callable[[str, str], Doc]
NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
BOUNDS = st.tuples(st.integers(0, 30), st.integers(0, 30))  # inverted bounds included


@settings(max_examples=300, deadline=None)
@given(st.lists(BOUNDS, max_size=12), st.lists(BOUNDS, max_size=12))
def test_overlapping_pairs_equals_the_all_pairs_scan(
    scopes: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> None:
    expected = [
        (t, m)
        for t, span in enumerate(spans)
        for m, scope in enumerate(scopes)
        if tuple_overlaps(scope, span)
    ]
    assert overlapping_pairs(scopes, spans) == expected


def _edges(doc: Doc) -> list[tuple[int, int, str, int, int, int, int]]:
    return [
        (t.start, t.end, m.category, *m.modifier_span, *m.scope_span)
        for t, m in doc._.context_graph.edges
    ]


@pytest.fixture(scope="module")
def medspacy_context(nlp: Language) -> ConText:
    ours: Any = nlp.get_pipe("chartready_context")
    reference = ConText(nlp, rules=None, input_span_type="group", span_group_name=SPAN_KEY)
    reference.add(ours.rules)
    return reference


def _texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(NOTES.glob("*.txt"))]
    return texts[::3]


@pytest.mark.parametrize("text", _texts())
def test_pruned_context_matches_medspacy(
    nlp: Language,
    medspacy_context: ConText,
    doc_before: DocBefore,
    text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours: Any = nlp.get_pipe("chartready_context")
    monkeypatch.setattr(ours, "conditional_scopes", False)
    expected_doc = medspacy_context(doc_before("chartready_context", text))
    got_doc = ours(doc_before("chartready_context", text))
    assert _edges(got_doc) == _edges(expected_doc)
    modifiers = [(m.category, *m.scope_span) for m in got_doc._.context_graph.modifiers]
    reference = [(m.category, *m.scope_span) for m in expected_doc._.context_graph.modifiers]
    assert modifiers == reference
    assert [
        [(m.category, *m.modifier_span) for m in span._.modifiers]
        for span in got_doc.spans[SPAN_KEY]
    ] == [
        [(m.category, *m.modifier_span) for m in span._.modifiers]
        for span in expected_doc.spans[SPAN_KEY]
    ]


def test_a_negation_in_an_if_clause_ends_at_its_comma(nlp: Language) -> None:
    doc = nlp("Clinic visit. If her foot has not warmed up, I plan a lumbar sympathetic block.")
    negation = next(m for m in doc._.context_graph.modifiers if m.category == "NEGATED_EXISTENCE")
    comma = next(token.i for token in doc if token.text == ",")
    assert negation.scope_span[1] == comma
    block = next(s for s in doc.spans[SPAN_KEY] if s.label_ == "FAMILY")
    assert "NEGATED_EXISTENCE" not in {m.category for m in block._.modifiers}
