"""Linear heads over feature rows, and the artifact that stores them (no pickle).

A head is a logistic regression split by feature block (dense vector, hashed n-grams,
named signals). ``models/learned/<version>/`` holds ``heads.npz`` (the weights; hashed
weights kept sparse) and ``manifest.json`` (head names, classes, signal names, decision
thresholds, training data and measured quality); ``MODEL_CARD.md`` explains both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack, vstack

from assistant.learned.features import HASHED, Rows

HEADS_FILE = "heads.npz"
MANIFEST_FILE = "manifest.json"
Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class LinearHead:
    """One classifier: ``classes`` (one name for a yes/no head) and its weights by block."""

    name: str
    classes: tuple[str, ...]
    dense: Array  # (k, 384)
    hashed: csr_matrix  # (k, HASHED)
    signals: Array  # (k, s)
    intercept: Array  # (k,)
    signal_names: tuple[str, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)

    @cached_property
    def _hashed_columns(self) -> Array:
        """The hashed weights as a dense (HASHED, k) array, built once.

        A sparse row block times a dense matrix is one fast pass; sparse times sparse (and
        the format conversions it needs) made the heads a third of a whole check's time.
        """
        return np.ascontiguousarray(self.hashed.T.toarray(), dtype=np.float32)

    def logits(self, rows: Rows) -> Array:
        """Raw scores, one column per class.

        The dense and signal products use einsum, not BLAS: on a note's few dozen rows BLAS's
        threads cost more than they bring (and keep the other core spinning), and its sums
        change order with the thread count; einsum adds each score's terms in one fixed order.
        """
        scores = np.einsum("ij,kj->ik", rows.dense, self.dense)
        scores += rows.hashed @ self._hashed_columns
        if self.signals.shape[1]:
            scores += np.einsum("ij,kj->ik", rows.signals, self.signals)
        return np.asarray(scores + self.intercept, dtype=np.float32)

    def probabilities(self, rows: Rows) -> Array:
        """Sigmoid for a yes/no head (one column), softmax over classes otherwise."""
        scores = self.logits(rows)
        if len(self.classes) == 1:
            return sigmoid(scores)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)


def sigmoid(scores: Array) -> Array:
    """The logistic function, element by element, in float32."""
    return np.asarray(1.0 / (1.0 + np.exp(-scores)), dtype=np.float32)


def stacked(name: str, heads: Mapping[str, LinearHead]) -> LinearHead:
    """Yes/no heads as one head with a column (class) each, to score rows in one pass.

    Each column's logits equal its head's own, as every column adds its terms in the same
    order; score it with :func:`sigmoid` of :meth:`~LinearHead.logits`, not a softmax.
    """
    return LinearHead(
        name=name,
        classes=tuple(heads),
        dense=np.vstack([head.dense for head in heads.values()]),
        hashed=csr_matrix(vstack([head.hashed for head in heads.values()])),
        signals=np.vstack([head.signals for head in heads.values()]),
        intercept=np.concatenate([head.intercept for head in heads.values()]),
    )


def design(rows: Rows) -> csr_matrix:
    """The rows as one sparse matrix, blocks side by side (for fitting)."""
    return csr_matrix(hstack([csr_matrix(rows.dense), rows.hashed, csr_matrix(rows.signals)]))


def from_coefficients(
    name: str,
    classes: tuple[str, ...],
    coef: npt.NDArray[np.float64],
    intercept: npt.NDArray[np.float64],
    dense_width: int,
    signal_names: tuple[str, ...],
) -> LinearHead:
    """Split a fitted estimator's coefficient matrix back into its blocks."""
    coef32 = np.asarray(coef, dtype=np.float32)
    hashed = coef32[:, dense_width : dense_width + HASHED]
    return LinearHead(
        name=name,
        classes=classes,
        dense=coef32[:, :dense_width],
        hashed=csr_matrix(np.where(np.abs(hashed) > 1e-6, hashed, 0.0)),
        signals=coef32[:, dense_width + HASHED :],
        intercept=np.asarray(intercept, dtype=np.float32),
        signal_names=signal_names,
    )


def save_heads(heads: dict[str, LinearHead], folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``heads.npz`` and ``manifest.json`` (with each head's layout) to ``folder``."""
    arrays: dict[str, Any] = {}
    layout: dict[str, Any] = {}
    for name, head in heads.items():
        coo = head.hashed.tocoo()
        arrays[f"{name}.dense"] = head.dense
        arrays[f"{name}.signals"] = head.signals
        arrays[f"{name}.intercept"] = head.intercept
        arrays[f"{name}.hashed_row"] = coo.row.astype(np.int32)
        arrays[f"{name}.hashed_col"] = coo.col.astype(np.int32)
        arrays[f"{name}.hashed_val"] = coo.data.astype(np.float32)
        layout[name] = {
            "classes": list(head.classes),
            "signal_names": list(head.signal_names),
            "thresholds": head.thresholds,
        }
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / HEADS_FILE, **arrays)
    payload = {**manifest, "heads": layout}
    (folder / MANIFEST_FILE).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def load_heads(folder: Path) -> tuple[dict[str, LinearHead], dict[str, Any]]:
    """Read the heads and the manifest written by :func:`save_heads`.

    A head named in the manifest's ``switched_off`` (head -> why, with the measurement) is
    loaded without thresholds, so it is not used; its weights and figures stay on record.
    """
    manifest: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    switched_off = manifest.get("switched_off", {})
    heads: dict[str, LinearHead] = {}
    with np.load(folder / HEADS_FILE) as data:
        for name, spec in manifest["heads"].items():
            k = len(spec["classes"])
            hashed = csr_matrix(
                (
                    data[f"{name}.hashed_val"],
                    (data[f"{name}.hashed_row"], data[f"{name}.hashed_col"]),
                ),
                shape=(k, HASHED),
            )
            heads[name] = LinearHead(
                name=name,
                classes=tuple(spec["classes"]),
                dense=data[f"{name}.dense"],
                hashed=hashed,
                signals=data[f"{name}.signals"],
                intercept=data[f"{name}.intercept"],
                signal_names=tuple(spec["signal_names"]),
                thresholds={}
                if name in switched_off
                else {str(k): float(v) for k, v in spec["thresholds"].items()},
            )
    return heads, manifest
