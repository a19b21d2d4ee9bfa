"""Fit a logistic regression on a training split and measure it on the held-out rest.

The model is a plain L2 logistic regression; its strength ``C`` is chosen by cross-validated
log loss on the training split, which rewards calibrated probabilities. ROC AUC, Brier
score, log loss and reliability bins are measured on a stratified held-out split, and the
model fitted on the training split is the one kept, so the numbers describe it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from assistant.errors import Errors, TrainingDataError
from assistant.risk.schema import Metrics, TrainingLimits

Array = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class CalibrationBin:
    """One reliability bin: mean predicted probability vs observed positive rate."""

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True)
class HeldOutFit:
    """The estimator fitted on the training split, with its held-out metrics and bins."""

    estimator: LogisticRegression
    metrics: Metrics
    bins: list[CalibrationBin]


def check_trainable(y: Array, limits: TrainingLimits) -> None:
    """Refuse, with the reason, data too few or too one-sided to fit and evaluate."""
    n = len(y)
    positives = int(y.sum())
    negatives = n - positives
    if positives == 0 or negatives == 0:
        which = "paid" if negatives else "denied/partial"
        problem = f"all {n} rows are {which}: one-class data cannot train a denial model"
    elif n < limits.min_rows:
        problem = f"{n} rows is too few to train and evaluate; need at least {limits.min_rows}"
    elif min(positives, negatives) < limits.min_per_class:
        problem = (
            f"{positives} denied/partial and {negatives} paid rows; "
            f"need at least {limits.min_per_class} of each"
        )
    else:
        return
    raise TrainingDataError(Errors.E303, where="training data", problem=problem)


def _fit(x: Array, y: Array, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, y)


def select_c(x: Array, y: Array, limits: TrainingLimits, seed: int) -> float:
    """Regularisation strength with the lowest cross-validated log loss."""
    folds = min(limits.cv_folds, int(y.sum()), int(len(y) - y.sum()))
    splitter = StratifiedKFold(n_splits=max(2, folds), shuffle=True, random_state=seed)
    best_c, best_loss = limits.c_grid[0], float("inf")
    for c in limits.c_grid:
        losses = [
            log_loss(y[test], _fit(x[tr], y[tr], c).predict_proba(x[test])[:, 1], labels=[0, 1])
            for tr, test in splitter.split(x, y)
        ]
        loss = float(np.mean(losses))
        if loss < best_loss:
            best_c, best_loss = c, loss
    return best_c


def calibration_bins(p: Array, y: Array, n_bins: int) -> list[CalibrationBin]:
    """Equal-width reliability bins over [0, 1]; empty bins are left out."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = which == b
        if mask.any():
            bins.append(
                CalibrationBin(
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(mask.sum()),
                    float(p[mask].mean()),
                    float(y[mask].mean()),
                )
            )
    return bins


def expected_calibration_error(bins: Sequence[CalibrationBin]) -> float:
    """Count-weighted mean |observed - predicted| over the reliability bins."""
    total = sum(b.count for b in bins)
    return sum(b.count * abs(b.observed - b.mean_predicted) for b in bins) / max(total, 1)


def held_out_log_loss(p: Array, y: Array) -> float:
    """Log loss of probabilities ``p`` on labels ``y`` (defined even for one-class ``y``)."""
    return float(log_loss(y, p, labels=[0, 1]))


def fit_split(
    x_tr: Array, y_tr: Array, x_te: Array, y_te: Array, limits: TrainingLimits, seed: int
) -> HeldOutFit:
    """Choose ``C`` and fit on the training rows, then measure on the held-out rows."""
    c = select_c(x_tr, y_tr, limits, seed)
    estimator = _fit(x_tr, y_tr, c)
    p = estimator.predict_proba(x_te)[:, 1]
    bins = calibration_bins(p, y_te, limits.calibration_bins)
    base = float(y_tr.mean())
    metrics = Metrics(
        n_train=len(y_tr),
        n_test=len(y_te),
        base_rate_test=float(y_te.mean()),
        roc_auc=float(roc_auc_score(y_te, p)),
        brier=float(brier_score_loss(y_te, p)),
        brier_base_rate=float(brier_score_loss(y_te, np.full_like(p, base))),
        log_loss=held_out_log_loss(p, y_te),
        expected_calibration_error=expected_calibration_error(bins),
        c=c,
    )
    return HeldOutFit(estimator, metrics, bins)


def fit_held_out(x: Array, y: Array, limits: TrainingLimits, seed: int) -> HeldOutFit:
    """Split stratified, choose ``C`` and fit on the training part, measure on the rest."""
    check_trainable(y, limits)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=limits.test_fraction, stratify=y, random_state=seed
    )
    return fit_split(x_tr, y_tr, x_te, y_te, limits, seed)
