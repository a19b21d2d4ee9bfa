from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.learned.artifact import build_manifest, load_model, model_json, write_artifact
from assistant.learned.data import LearnedDataError, load_config
from assistant.learned.schema import LabelRow, LearnedConfig
from assistant.learned.train import choose_threshold, train

Embedder = Callable[[list[str]], npt.NDArray[np.float32]]


def _rows(n: int = 40) -> list[LabelRow]:
    rows = []
    for i in range(n):
        walks = i % 2 == 0
        text = f"Note {i}: she cannot walk far." if walks else f"Note {i}: walk test normal."
        rows.append(
            LabelRow(
                id=f"r{i}",
                source="handwritten",
                text=text,
                positives=["functional_impairment"] if walks else [],
                origin="handwritten",
            )
        )
    return rows


def _noisy_embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Deterministic per text: a 'cannot' signal plus hash-seeded noise."""
    out = []
    for t in texts:
        rng = np.random.default_rng(sum(map(ord, t)))
        out.append([float("cannot" in t), *rng.normal(size=5)])
    return np.array(out, dtype=np.float32)


@pytest.fixture
def config() -> LearnedConfig:
    base = load_config()
    training = base.training.model_copy(update={"min_positives": 5})
    return base.model_copy(update={"training": training})


@pytest.mark.parametrize(
    ("scores", "labels", "beta", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 0], 0.5, 0.8),
        ([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0], 0.5, 0.9),
        ([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0], 4.0, 0.7),
        ([0.4, 0.3], [1, 0], 0.5, 0.5),
    ],
)
def test_choose_threshold_maximises_fbeta_above_floor(
    scores: list[float], labels: list[int], beta: float, expected: float
) -> None:
    chosen = choose_threshold(np.array(labels), np.array(scores), beta, floor=0.5)
    assert chosen.value == pytest.approx(expected)


def test_train_is_deterministic_for_the_same_data(config: LearnedConfig) -> None:
    rows = _rows()
    first, second = train(config, rows, _noisy_embed), train(config, rows, _noisy_embed)
    assert model_json(first) == model_json(second)
    assert list(first.elements) == ["functional_impairment"]  # others lack positives
    assert first.elements["functional_impairment"].validation.recall == 1.0


def test_train_changes_with_the_labels(config: LearnedConfig) -> None:
    rows = _rows()
    flipped = [r.model_copy(update={"positives": []}) if r.id == "r0" else r for r in rows]
    assert model_json(train(config, rows, _noisy_embed)) != model_json(
        train(config, flipped, _noisy_embed)
    )


def test_artifact_round_trips_and_refuses_tampering(config: LearnedConfig, tmp_path: Path) -> None:
    rows = _rows()
    model = train(config, rows, _noisy_embed)
    config_file = tmp_path / "config.yaml"
    config_file.write_text("x")
    write_artifact(tmp_path, model, build_manifest(model, rows, [], config_file))
    assert load_model(tmp_path) == model
    path = tmp_path / "model.json"
    path.write_text(re.sub(r'"intercept": [-0-9.e]+', '"intercept": 0.5', path.read_text()))
    with pytest.raises(LearnedDataError, match="does not match its manifest"):
        load_model(tmp_path)
