"""Train one logistic regression per target element on labelled sentence embeddings.

Pure over its inputs: the same label rows, configuration and embeddings give the same
coefficients (a seeded stratified split, a deterministic solver). The decision threshold
of each element is the one that maximises F-beta on the validation split (beta < 1
favours precision, because a learned finding only ever adds an element).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assistant.learned.candidates import keyword_pattern
from assistant.learned.schema import (
    ElementModel,
    LabelRow,
    LearnedConfig,
    LearnedModel,
    TargetElement,
    TrainingConfig,
    ValidationMetrics,
)

Matrix = npt.NDArray[np.float32]
Embedder = Callable[[list[str]], Matrix]


@dataclass(frozen=True)
class Threshold:
    """A chosen threshold and the validation quality it gives."""

    value: float
    precision: float
    recall: float
    f1: float


def labelled(
    rows: Sequence[LabelRow], name: TargetElement, keywords: Sequence[str], max_chars: int
) -> tuple[list[str], npt.NDArray[np.int_]]:
    """Texts that pass ``name``'s prefilter and whether each documents ``name``."""
    pattern = keyword_pattern(keywords)
    kept = [r for r in rows if len(r.text) <= max_chars and pattern.search(r.text)]
    return [r.text for r in kept], np.array([name in r.positives for r in kept], dtype=int)


def choose_threshold(
    y_true: npt.NDArray[np.int_], scores: npt.NDArray[np.float64], beta: float, floor: float
) -> Threshold:
    """Threshold at or above ``floor`` with the best F-beta on validation (ties: higher)."""
    best = Threshold(value=max(floor, 0.5), precision=0.0, recall=0.0, f1=0.0)
    best_fbeta = -1.0
    positives = int(y_true.sum())
    for value in sorted({float(s) for s in scores if s >= floor}, reverse=True):
        predicted = scores >= value
        tp = int((predicted & (y_true == 1)).sum())
        fp = int((predicted & (y_true == 0)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / positives if positives else 0.0
        b2 = beta * beta
        denom = b2 * precision + recall
        fbeta = (1 + b2) * precision * recall / denom if denom else 0.0
        if fbeta > best_fbeta:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            best = Threshold(value=value, precision=precision, recall=recall, f1=f1)
            best_fbeta = fbeta
    return best


def fit_element(
    x: Matrix, y: npt.NDArray[np.int_], keywords: Sequence[str], training: TrainingConfig
) -> ElementModel:
    """Seeded split, fit on the training part, pick the threshold on the validation part."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    train_idx, val_idx = train_test_split(
        idx, test_size=training.validation_fraction, random_state=training.seed, stratify=y
    )
    model = LogisticRegression(C=training.c, class_weight="balanced", max_iter=2000, solver="lbfgs")
    model.fit(x[train_idx], y[train_idx])
    val_scores = model.predict_proba(x[val_idx])[:, 1].astype(np.float64)
    chosen = choose_threshold(
        y[val_idx], val_scores, training.threshold_beta, training.min_threshold
    )
    metrics = ValidationMetrics(
        n_train=len(train_idx),
        n_validation=len(val_idx),
        positives_train=int(y[train_idx].sum()),
        positives_validation=int(y[val_idx].sum()),
        precision=round(chosen.precision, 4),
        recall=round(chosen.recall, 4),
        f1=round(chosen.f1, 4),
        average_precision=round(float(average_precision_score(y[val_idx], val_scores)), 4),
    )
    return ElementModel(
        keywords=list(keywords),
        coef=[float(c) for c in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        threshold=min(max(chosen.value, 1e-6), 1 - 1e-6),
        validation=metrics,
    )


def train(config: LearnedConfig, rows: Sequence[LabelRow], embedder: Embedder) -> LearnedModel:
    """Fit every configured element with enough positives; embed each text once."""
    max_chars = config.corpus.max_sentence_chars
    texts = sorted({r.text for r in rows if len(r.text) <= max_chars})
    vectors = embedder(texts)
    row_of = {text: i for i, text in enumerate(texts)}
    elements: dict[TargetElement, ElementModel] = {}
    for name, element in config.elements.items():
        chosen, y = labelled(rows, name, element.keywords, max_chars)
        if int(y.sum()) < config.training.min_positives:
            continue
        x = vectors[[row_of[t] for t in chosen]]
        elements[name] = fit_element(x, y, element.keywords, config.training)
    return LearnedModel(version=config.version, embedding=config.embedding, elements=elements)
