"""Fit, evaluate and save a risk model from labelled checks (``chartready train``).

:mod:`~assistant.risk.training_data` reads the rows, :mod:`~assistant.risk.fit` fits and
measures the model on a held-out split (or, for dated rows from remittances, on the latest
month, where it must also beat the active model to replace it), and the manifest, model card
(:mod:`~assistant.risk.model_card`) and reliability plot
(:mod:`~assistant.risk.calibration_plot`) describe it in its new version directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from assistant.errors import Errors, RiskModelError, TrainingDataError
from assistant.risk.calibration_plot import plot_calibration
from assistant.risk.features import build_space, design_matrix, feature_config
from assistant.risk.fit import (
    CalibrationBin,
    HeldOutFit,
    check_trainable,
    fit_held_out,
    fit_split,
    held_out_log_loss,
)
from assistant.risk.model import (
    PLOT_FILE,
    RiskModel,
    active_version,
    load_model,
    new_version_name,
    save_model,
    set_active,
    validate_version_name,
)
from assistant.risk.model_card import model_card
from assistant.risk.schema import (
    Comparison,
    FeatureConfig,
    ModelManifest,
    RemittancePeriod,
    TrainingData,
)
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


def _xy(
    rows: Sequence[TrainingRow], config: FeatureConfig
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Design matrix and labels of ``rows``."""
    y = np.array([label(r.outcome) for r in rows], dtype=np.float64)
    return design_matrix((r.input for r in rows), config), y


def _result(
    rows: Sequence[TrainingRow],
    fitted: HeldOutFit,
    config: FeatureConfig,
    *,
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None,
    remittances: RemittancePeriod | None = None,
    comparison: Comparison | None = None,
) -> TrainResult:
    """The manifest, model card and reliability plot of a fitted model."""
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
            positives=sum(label(r.outcome) for r in rows),
            simulated=simulated,
            remittances=remittances,
        ),
        metrics=fitted.metrics,
        coefficients={
            n: round(float(w), 6) for n, w in zip(space.names, coefficients, strict=True)
        },
        intercept=round(float(fitted.estimator.intercept_[0]), 6),
        comparison=comparison,
    )
    held_out = remittances.held_out_month if remittances else "held-out"
    title = f"risk model {manifest.version}: {held_out} reliability (n={fitted.metrics.n_test})"
    card = model_card(manifest, fitted.bins)
    return TrainResult(
        fitted.estimator, manifest, fitted.bins, card, plot_calibration(fitted.bins, title)
    )


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
    x, y = _xy(rows, config)
    # These fits are tiny (tens of features); BLAS threads only contend with each other,
    # which made the CV search 10x slower on a busy 2-core machine.
    with threadpool_limits(limits=1):
        fitted = fit_held_out(x, y, config.training, seed)
    return _result(
        rows, fitted, config, source=source, sha256=sha256, simulated=simulated, version=version
    )


def _save(result: TrainResult, root: Path | None, activate: bool) -> TrainResult:
    """Write the new version directory (never overwriting) and maybe make it active."""
    result.path = save_model(
        result.estimator, result.manifest, result.card, root, {PLOT_FILE: result.plot_png}
    )
    if activate:
        set_active(result.manifest.version, root)
    return result


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
    return _save(result, root, activate)


# ---- hold out the latest month, switch only on a better log loss ------------------------


@dataclass(frozen=True)
class MonthSplit:
    """Rows of the months before the held-out one (to fit) and of that month (to measure)."""

    month: str
    train: list[TrainingRow]
    test: list[TrainingRow]


def month_of(day: date) -> str:
    """``YYYY-MM`` of a date of service."""
    return day.strftime("%Y-%m")


def split_last_month(rows: Sequence[TrainingRow]) -> MonthSplit:
    """Hold out the most recent month of dates of service; refuse rows without a date."""
    undated = sum(r.date_of_service is None for r in rows)
    if undated or not rows:
        problem = (
            f"{undated} of {len(rows)} rows have no date of service to split by month"
            if rows
            else "no labelled rows (no remitted claim is matched to a stored check)"
        )
        raise TrainingDataError(Errors.E303, where="training data", problem=problem)
    months = [month_of(r.date_of_service) for r in rows if r.date_of_service]
    last = max(months)
    train = [r for r, m in zip(rows, months, strict=True) if m != last]
    test = [r for r, m in zip(rows, months, strict=True) if m == last]
    if not train:
        problem = f"all {len(rows)} rows are from {last}: earlier months are needed to train on"
        raise TrainingDataError(Errors.E303, where="training data", problem=problem)
    return MonthSplit(last, train, test)


def _check_held_out(y: np.ndarray[Any, np.dtype[np.float64]], month: str) -> None:
    """The held-out month must hold both outcomes for its ranking and calibration to mean much."""
    positives = int(y.sum())
    if 0 < positives < len(y):
        return
    which = "denied/partial" if positives else "paid"
    problem = f"all {len(y)} claims are {which}; it needs both outcomes to measure the model"
    raise TrainingDataError(Errors.E303, where=f"held-out month {month}", problem=problem)


def compare_with_active(
    new_log_loss: float,
    x_test: np.ndarray[Any, np.dtype[np.float64]],
    y_test: np.ndarray[Any, np.dtype[np.float64]],
    held_out: str,
    root: Path | None = None,
) -> Comparison:
    """Score the active model on the same held-out rows; the new one must do strictly better."""
    try:
        active = load_model(active_version(root), root)
    except RiskModelError as exc:
        problem = f"{exc.code} {exc}"
        return Comparison(
            held_out=held_out, new_log_loss=new_log_loss, active_problem=problem, winner="new"
        )
    loss = held_out_log_loss(active.estimator.predict_proba(x_test)[:, 1], y_test)
    return Comparison(
        held_out=held_out,
        new_log_loss=new_log_loss,
        active_version=active.version,
        active_log_loss=loss,
        winner="new" if new_log_loss < loss else "active",
    )


def train_held_out_month(
    rows: Sequence[TrainingRow],
    *,
    source: str,
    sha256: str,
    lines_used: int,
    lines_excluded: Mapping[str, int],
    version: str | None = None,
    seed: int = 0,
    root: Path | None = None,
) -> TrainResult:
    """Fit on the earlier months, measure on the latest, save, and activate only if it wins."""
    config = feature_config()
    split = split_last_month(rows)
    x_tr, y_tr = _xy(split.train, config)
    x_te, y_te = _xy(split.test, config)
    check_trainable(y_tr, config.training)
    _check_held_out(y_te, split.month)
    with threadpool_limits(limits=1):
        fitted = fit_split(x_tr, y_tr, x_te, y_te, config.training, seed)
    comparison = compare_with_active(fitted.metrics.log_loss, x_te, y_te, split.month, root)
    dates = [r.date_of_service for r in rows if r.date_of_service]
    period = RemittancePeriod(
        first_service=min(dates).isoformat(),
        last_service=max(dates).isoformat(),
        held_out_month=split.month,
        lines_used=lines_used,
        lines_excluded={reason: n for reason, n in sorted(lines_excluded.items()) if n},
    )
    result = _result(
        rows,
        fitted,
        config,
        source=source,
        sha256=sha256,
        simulated=False,
        version=version,
        remittances=period,
        comparison=comparison,
    )
    return _save(result, root, activate=comparison.winner == "new")
