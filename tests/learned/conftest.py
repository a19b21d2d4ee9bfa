"""Fixtures for the learned second opinion: a tiny fake model and encoder, no weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from assistant.learned.schema import ElementModel, EmbeddingConfig, LearnedModel, ValidationMetrics

DIM = 4
Embedder = Callable[[list[str]], npt.NDArray[np.float32]]
MakeModel = Callable[[dict[str, tuple[list[str], int]], float], LearnedModel]


def _fake_embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Axis 0 lights up for 'walk', axis 1 for 'years' (a transparent stand-in encoder)."""
    rows = [[float("walk" in t.lower()), float("years" in t.lower()), 0.0, 1.0] for t in texts]
    return np.array(rows, dtype=np.float32).reshape(len(texts), DIM)


@pytest.fixture
def fake_embed() -> Embedder:
    return _fake_embed


def _make_model(spec: dict[str, tuple[list[str], int]], threshold: float) -> LearnedModel:
    """One element per ``name: (keywords, axis)``; score = sigmoid(8 * x[axis] - 4)."""
    metrics = ValidationMetrics(
        n_train=1,
        n_validation=1,
        positives_train=1,
        positives_validation=1,
        precision=1.0,
        recall=1.0,
        f1=1.0,
        average_precision=1.0,
    )
    elements = {}
    for name, (keywords, axis) in spec.items():
        coef = [0.0] * DIM
        coef[axis] = 8.0
        elements[name] = ElementModel(
            keywords=keywords, coef=coef, intercept=-4.0, threshold=threshold, validation=metrics
        )
    return LearnedModel.model_validate(
        {
            "version": "test-v0",
            "embedding": EmbeddingConfig(model="fake", max_length=32, batch_size=8),
            "elements": elements,
        }
    )


@pytest.fixture
def make_model() -> MakeModel:
    return _make_model


@pytest.fixture
def fake_model() -> LearnedModel:
    return _make_model(
        {"functional_impairment": (["walk", "sit"], 0), "pain_duration": (["years", "since"], 1)},
        0.9,
    )
