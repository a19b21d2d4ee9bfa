"""Fit, evaluate and save a risk model from labelled checks (``chartready train``).

:mod:`~assistant.risk.training_data` reads the rows, :mod:`~assistant.risk.fit` fits and
measures the model on a held-out split, and the manifest, model card
(:mod:`~assistant.risk.model_card`) and reliability plot
(:mod:`~assistant.risk.calibration_plot`) describe it in its new version directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from assistant.risk.calibration_plot import plot_calibration
from assistant.risk.features import build_space, design_matrix, feature_config
from assistant.risk.fit import CalibrationBin, fit_held_out
from assistant.risk.model import (
    PLOT_FILE,
    RiskModel,
    new_version_name,
    save_model,
    set_active,
    validate_version_name,
)
from assistant.risk.model_card import model_card
from assistant.risk.schema import FeatureConfig, ModelManifest, TrainingData
from assistant.risk.training_data import POSITIVE, TrainingRow, label


@dataclass
class TrainResult:
    """A fitted model with its manifest, held-out reliability and rendered artifacts."""

    estimator: LogisticRegression
    manifest: ModelManifest
    bins: list[CalibrationBin]
    card: str
    plot_png: bytes
    path: Path | None = None
    notes: list[str] = field(default_factory=list)

    def as_model(self) -> RiskModel:
        """The fitted model, usable with ``score_risk`` without saving it."""
        return RiskModel(self.manifest.version, self.estimator, self.manifest, self.path)


def fit_model(
    rows: Sequence[TrainingRow],
    *,
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None = None,
    seed: int = 0,
    config: FeatureConfig | None = None,
) -> TrainResult:
    """Fit on a stratified training split and measure on the held-out rest."""
    config = config or feature_config()
    y = np.array([label(r.outcome) for r in rows], dtype=np.float64)
    x = design_matrix((r.input for r in rows), config)
    # These fits are tiny (tens of features); BLAS threads only contend with each other,
    # which made the CV search 10x slower on a busy 2-core machine.
    with threadpool_limits(limits=1):
        fitted = fit_held_out(x, y, config.training, seed)
    space = build_space(config)
    coefficients = fitted.estimator.coef_[0]
    manifest = ModelManifest(
        version=validate_version_name(version or new_version_name()),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        features_version=space.version,
        features=list(space.names),
        positive_outcomes=list(POSITIVE),
        training_data=TrainingData(
            source=source,
            sha256=sha256,
            rows=len(rows),
            positives=int(y.sum()),
            simulated=simulated,
        ),
        metrics=fitted.metrics,
        coefficients={
            n: round(float(w), 6) for n, w in zip(space.names, coefficients, strict=True)
        },
        intercept=round(float(fitted.estimator.intercept_[0]), 6),
    )
    title = f"risk model {manifest.version}: held-out reliability (n={fitted.metrics.n_test})"
    card = model_card(manifest, fitted.bins)
    return TrainResult(
        fitted.estimator, manifest, fitted.bins, card, plot_calibration(fitted.bins, title)
    )


def train_and_save(
    rows: Sequence[TrainingRow],
    *,
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None = None,
    seed: int = 0,
    root: Path | None = None,
    activate: bool = False,
) -> TrainResult:
    """Fit, then write a new version directory (never overwriting) and maybe activate it."""
    result = fit_model(
        rows, source=source, sha256=sha256, simulated=simulated, version=version, seed=seed
    )
    result.path = save_model(
        result.estimator, result.manifest, result.card, root, {PLOT_FILE: result.plot_png}
    )
    if activate:
        set_active(result.manifest.version, root)
    return result
