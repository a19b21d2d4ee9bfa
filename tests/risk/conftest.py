"""Fixtures for the risk tests: a synthetic set with a known logistic signal, small models."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.findings import FindingCore
from assistant.risk.features import RiskInput, build_space, feature_config, vectorize
from assistant.risk.model import clear_model_cache
from assistant.risk.train import TrainResult, train_and_save
from assistant.risk.training_data import TrainingRow

# The generating model: logit = INTERCEPT + sum(TRUE_WEIGHTS[f] * x_f); other weights are 0.
TRUE_WEIGHTS = {
    "findings.block.missing": 1.2,
    "findings.block.limit_exceeded": 2.0,
    "findings.warn.missing": 0.3,
    "family.facet": 0.6,
    "payer.commercial": -0.5,
}
INTERCEPT = -2.5
FAMILIES = ["esi", "facet_mbb", "trigger_point", "si_joint_injection"]
PAYERS = ["medicare", "commercial", None]


def _findings(rng: np.random.Generator) -> list[FindingCore]:
    out: list[FindingCore] = []
    for severity, status, high in (
        ("block", "missing", 3),
        ("block", "limit_exceeded", 1),
        ("warn", "missing", 3),
    ):
        for k in range(int(rng.integers(0, high + 1)) if rng.random() < 0.5 else 0):
            out.append(FindingCore(rule_id=f"T-{status}-{k}", severity=severity, status=status))
    return out


def known_signal_rows(n: int, seed: int) -> list[TrainingRow]:
    """Rows whose outcome is drawn from the known logistic model above."""
    rng = np.random.default_rng(seed)
    names = build_space(feature_config()).names
    weights = np.array([TRUE_WEIGHTS.get(name, 0.0) for name in names])
    rows = []
    for _ in range(n):
        has_claim = bool(rng.random() < 0.7)
        inp = RiskInput(
            families=[FAMILIES[int(rng.integers(len(FAMILIES)))]],
            findings=_findings(rng),
            payer=PAYERS[int(rng.integers(len(PAYERS)))],
            has_claim=has_claim,
            total_charge=float(rng.uniform(100, 3000)) if has_claim else None,
        )
        logit = INTERCEPT + float(weights @ vectorize(inp).values)
        denied = rng.random() < 1 / (1 + math.exp(-logit))
        rows.append(TrainingRow(inp, "denied" if denied else "paid"))
    return rows


@pytest.fixture(scope="session")
def make_rows() -> Callable[[int, int], list[TrainingRow]]:
    return known_signal_rows


@pytest.fixture(scope="session")
def true_model() -> tuple[dict[str, float], float]:
    return TRUE_WEIGHTS, INTERCEPT


@pytest.fixture(scope="session")
def signal_rows() -> list[TrainingRow]:
    return known_signal_rows(3000, seed=11)


@pytest.fixture(scope="session")
def trained(
    tmp_path_factory: pytest.TempPathFactory, signal_rows: list[TrainingRow]
) -> TrainResult:
    root: Path = tmp_path_factory.mktemp("models") / "risk"
    return train_and_save(
        signal_rows, source="synthetic", sha256="0" * 64, simulated=False, version="t1", root=root
    )


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    yield
    clear_model_cache()
