"""Apply the learned second opinion on top of the rules: it may only add elements.

For each target element the rules left ``False``, the candidate sentences (keyword
prefilter) are embedded once and scored; the best sentence at or above the element's
threshold sets the element and becomes its evidence (``rule = learned:<version>``,
``trigger = score=0.93``). Elements the rules found are never touched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from assistant.facts import Elements, Evidence
from assistant.learned.candidates import candidate_sentences, keyword_pattern
from assistant.learned.schema import LearnedModel

Embedder = Callable[[list[str]], npt.NDArray[np.float32]]
MAX_SENTENCE_CHARS = 400


def sigmoid(x: float) -> float:
    """Numerically safe logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def score_vectors(
    model: LearnedModel, name: str, vectors: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """Probability that each embedded sentence documents ``name``."""
    element = model.elements[name]  # type: ignore[index]
    logits = vectors.astype(np.float64) @ np.asarray(element.coef) + element.intercept
    return np.array([sigmoid(float(v)) for v in logits], dtype=np.float64)


def apply_learned(
    model: LearnedModel,
    embedder: Embedder,
    text: str,
    sentences: Sequence[tuple[int, int]],
    elements: Elements,
) -> tuple[Elements, list[Evidence]]:
    """Elements with learned additions, plus one evidence (the sentence) per addition."""
    missing = {n: m for n, m in model.elements.items() if not getattr(elements, n)}
    if not missing:
        return elements, []
    patterns: dict[str, re.Pattern[str]] = {
        n: keyword_pattern(m.keywords) for n, m in missing.items()
    }
    found = candidate_sentences(text, sentences, patterns, MAX_SENTENCE_CHARS)
    spans = sorted({span for group in found.values() for span in group})
    if not spans:
        return elements, []
    vectors = embedder([text[s:e] for s, e in spans])
    row_of = {span: i for i, span in enumerate(spans)}
    updates: dict[str, bool] = {}
    evidence: list[Evidence] = []
    for name, element in missing.items():
        if not found[name]:
            continue
        rows = [row_of[span] for span in found[name]]
        scores = score_vectors(model, name, vectors[rows])
        best = int(np.argmax(scores))
        if scores[best] < element.threshold:
            continue
        start, end = found[name][best]
        updates[name] = True
        evidence.append(
            Evidence(
                field=f"elements.{name}",
                value=True,
                start=start,
                end=end,
                text=text[start:end],
                trigger=f"score={scores[best]:.2f}",
                rule=f"learned:{model.version}",
            )
        )
    evidence.sort(key=lambda ev: (ev.start, ev.field))
    return elements.model_copy(update=updates), evidence
