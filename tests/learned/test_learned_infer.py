from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.facts import Elements
from assistant.learned.infer import apply_learned, sigmoid
from assistant.learned.schema import LearnedModel

Embedder = Callable[[list[str]], npt.NDArray[np.float32]]
TEXT = "Back pain for three years.\n  She cannot walk to the mailbox.  \nExam is normal."
SENTENCES = [(0, 26), (26, 63), (63, len(TEXT))]


def test_apply_learned_adds_missed_elements_with_sentence_evidence(
    fake_model: LearnedModel, fake_embed: Embedder
) -> None:
    elements, evidence = apply_learned(fake_model, fake_embed, TEXT, SENTENCES, Elements())
    assert elements.functional_impairment and elements.pain_duration
    fields = [ev.field for ev in evidence]
    assert fields == ["elements.pain_duration", "elements.functional_impairment"]
    for ev in evidence:
        assert TEXT[ev.start : ev.end] == ev.text
        assert ev.text == ev.text.strip()
        assert ev.value is True
        assert ev.rule == "learned:test-v0"
        assert ev.trigger == "score=0.98"
    assert evidence[1].text == "She cannot walk to the mailbox."


def test_apply_learned_keeps_rule_findings_and_adds_no_evidence_for_them(
    fake_model: LearnedModel, fake_embed: Embedder
) -> None:
    rules = Elements(functional_impairment=True, pain_duration=True)
    elements, evidence = apply_learned(fake_model, fake_embed, TEXT, SENTENCES, rules)
    assert elements == rules
    assert evidence == []


@pytest.mark.parametrize(
    "text",
    ["Exam is normal.", "He can sit.", "Pain since Monday; sitting is fine."],
)
def test_apply_learned_below_threshold_or_no_candidate_adds_nothing(
    fake_model: LearnedModel, fake_embed: Embedder, text: str
) -> None:
    elements, evidence = apply_learned(fake_model, fake_embed, text, [(0, len(text))], Elements())
    assert elements == Elements()
    assert evidence == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    flags=st.dictionaries(st.sampled_from(list(Elements.model_fields)), st.booleans()),
    text=st.text(alphabet=st.sampled_from(list("walk years since sit .\n")), max_size=80),
)
def test_apply_learned_never_removes_an_element(
    make_model: Callable[..., LearnedModel],
    fake_embed: Embedder,
    flags: dict[str, bool],
    text: str,
) -> None:
    model = make_model(
        {"functional_impairment": (["walk"], 0), "pain_duration": (["years"], 1)}, 0.5
    )
    before = Elements(**flags)
    after, evidence = apply_learned(model, fake_embed, text, [(0, len(text))], before)
    for name in Elements.model_fields:
        assert getattr(after, name) >= getattr(before, name)
    for ev in evidence:
        assert text[ev.start : ev.end] == ev.text


@pytest.mark.parametrize(("x", "expected"), [(0.0, 0.5), (-800.0, 0.0), (800.0, 1.0)])
def test_sigmoid_is_safe_at_extremes(x: float, expected: float) -> None:
    assert sigmoid(x) == pytest.approx(expected)
