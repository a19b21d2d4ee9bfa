from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from assistant.errors import RiskModelError, TrainingDataError
from assistant.risk.features import RiskInput, build_space, feature_config
from assistant.risk.fit import calibration_bins, expected_calibration_error
from assistant.risk.model import load_model
from assistant.risk.train import TrainResult, fit_model, train_and_save
from assistant.risk.training_data import TrainingRow


def test_train_recovers_known_signal(trained: TrainResult) -> None:
    m = trained.manifest.metrics
    assert m.roc_auc > 0.75
    assert m.expected_calibration_error < 0.05
    assert m.brier < m.brier_base_rate


@pytest.mark.parametrize(
    "name",
    [
        "findings.block.missing",
        "findings.block.limit_exceeded",
        "findings.warn.missing",
        "family.facet",
        "payer.commercial",
    ],
)
def test_train_recovers_known_coefficients(
    trained: TrainResult, true_model: tuple[dict[str, float], float], name: str
) -> None:
    weights, _ = true_model
    assert trained.manifest.coefficients[name] == pytest.approx(weights[name], abs=0.35)


def test_train_recovers_intercept_and_null_weights(
    trained: TrainResult, true_model: tuple[dict[str, float], float]
) -> None:
    assert trained.manifest.intercept == pytest.approx(true_model[1], abs=0.35)
    for name in ("payer.medicare", "claim.present", "family.trigger_point"):
        assert abs(trained.manifest.coefficients[name]) < 0.35


def test_train_writes_loadable_version_with_plot(trained: TrainResult) -> None:
    assert trained.path is not None
    assert {p.name for p in trained.path.iterdir()} == {
        "model.joblib",
        "manifest.json",
        "MODEL_CARD.md",
        "calibration.png",
    }
    assert (trained.path / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    model = load_model("t1", trained.path.parent)
    assert model.manifest.features == list(build_space(feature_config()).names)
    assert (trained.path / "model.joblib").stat().st_size < 1_000_000


def test_train_never_overwrites_version(
    trained: TrainResult, signal_rows: list[TrainingRow]
) -> None:
    assert trained.path is not None
    before = (trained.path / "manifest.json").read_bytes()
    with pytest.raises(RiskModelError, match=r"never overwritten") as info:
        train_and_save(
            signal_rows[:400],
            source="x",
            sha256="1" * 64,
            simulated=False,
            version="t1",
            root=trained.path.parent,
        )
    assert info.value.code == "E304"
    assert (trained.path / "manifest.json").read_bytes() == before


def _rows(paid: int, denied: int) -> list[TrainingRow]:
    base = TrainingRow(RiskInput(families=["esi"]), "paid").input
    return [TrainingRow(base, "paid")] * paid + [TrainingRow(base, "denied")] * denied


@pytest.mark.parametrize(
    ("paid", "denied", "message"),
    [
        (100, 0, "one-class"),
        (0, 80, "one-class"),
        (30, 20, "too few"),
        (200, 5, "at least 15 of each"),
    ],
)
def test_train_refuses_unusable_data(paid: int, denied: int, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message) as info:
        fit_model(_rows(paid, denied), source="x", sha256="0", simulated=False, version="x")
    assert info.value.code == "E303"


def test_train_partial_counts_as_positive(
    make_rows: Callable[[int, int], list[TrainingRow]],
) -> None:
    rows = [
        TrainingRow(r.input, "partial" if r.outcome == "denied" else "paid")
        for r in make_rows(800, 5)
    ]
    result = fit_model(rows, source="x", sha256="0", simulated=False, version="p")
    assert result.manifest.training_data.positives == sum(r.outcome == "partial" for r in rows)
    assert result.manifest.metrics.roc_auc > 0.7


@pytest.mark.parametrize(
    ("p", "y", "ece"),
    [
        ([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1], 0.1),
        ([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.0),
        ([0.05, 0.95], [1, 0], 0.95),
    ],
)
def test_calibration_bins_expected_error(p: list[float], y: list[int], ece: float) -> None:
    bins = calibration_bins(np.array(p), np.array(y, dtype=float), 10)
    assert sum(b.count for b in bins) == len(p)
    assert expected_calibration_error(bins) == pytest.approx(ece)
