"""Fit the learned layer's heads, and decide on held-out notes where each may be used.

All decisions are made on out-of-fold predictions (notes grouped, ``FOLDS`` folds), never
on the notes a model was fitted on:

- ``mention``: the head overrules the rules on mentions it is at least ``confident`` about;
  the confidence (or no use at all) is the one with the best mean family/planned F1;
- ``element.<name>``: an element is added when a sentence scores over the head's threshold;
  the threshold keeps pooled precision at ``MIN_PRECISION`` (or within ``MAX_SET_LOSS`` of
  the rules' own, if lower), costs no gold set more than ``MAX_SET_LOSS`` of F1, and the
  head is used only if it raises F1;
- ``note_kind``: used when its out-of-fold accuracy beats the rules' by a clear margin.

The heads are then refitted on every example.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from assistant.facts import ELEMENT_NAMES, NoteFacts
from assistant.learned.examples import (
    MENTION_CLASSES,
    Example,
    data_digest,
    element_labels,
    mention_label,
    note_kind_signals,
)
from assistant.learned.features import Rows
from assistant.learned.heads import LinearHead, design, from_coefficients, save_heads
from assistant.learned.layer import (
    NEEDS_PROCEDURE,
    NOTE_KINDS,
    LearnedLayer,
    mention_rows,
    note_rows,
    sentence_rows,
)
from assistant.learned.static_embeddings import DIMENSION
from assistant.reader.procedures import assemble_procedures

MIN_PRECISION = 0.97
MAX_SET_LOSS = 0.01
MIN_GAIN = 0.005
# The kind head replaces every rule decision instead of adding to it, so it must win by more
# than a handful of notes (0.02 of 316 notes is about six).
KIND_MIN_GAIN = 0.02
CONFIDENCE = (0.5, 0.6, 0.7, 0.8, 0.9)
FOLDS = 5
C = 1.0
Labels = npt.NDArray[np.int64]
Progress = Callable[[str], None]


@dataclass
class Dataset:
    """Feature rows, their labels, and the note each row comes from."""

    rows: list[Rows]
    labels: list[int]
    groups: list[str]

    def matrix(self) -> tuple[csr_matrix, Labels]:
        return vstack([design(r) for r in self.rows]).tocsr(), np.array(self.labels)


def _row(features: Rows, index: int) -> Rows:
    return Rows(
        features.dense[index : index + 1],
        features.hashed[index : index + 1],
        features.signals[index : index + 1],
    )


def mention_dataset(examples: Sequence[Example]) -> Dataset:
    """One row per labelled family mention."""
    data = Dataset([], [], [])
    for example in examples:
        spans, features = mention_rows(example.reading, example.signals)
        by_span = {(t.start, t.end): t for t in example.reading.targets if t.label == "FAMILY"}
        for index, span in enumerate(spans):
            target = by_span[span]
            label = mention_label(example, target.value, (target.sent_start, target.sent_end))
            if label is not None:
                data.rows.append(_row(features, index))
                data.labels.append(label)
                data.groups.append(example.note_id)
    return data


def fit(x: csr_matrix, y: Labels) -> LogisticRegression:
    """The one estimator of every head (balanced classes, L2)."""
    return LogisticRegression(C=C, max_iter=4000, class_weight="balanced").fit(x, y)


def head_from(name: str, model: LogisticRegression, classes: tuple[str, ...]) -> LinearHead:
    return from_coefficients(name, classes, model.coef_, model.intercept_, DIMENSION, ())


def folds(examples: Sequence[Example]) -> list[tuple[list[int], list[int]]]:
    """Train/test note indexes of ``FOLDS`` folds, notes grouped."""
    note_ids = [e.note_id for e in examples]
    splits = GroupKFold(n_splits=FOLDS).split(np.zeros(len(examples)), groups=note_ids)
    return [(list(train), list(test)) for train, test in splits]


@dataclass(frozen=True)
class Quality:
    """Note-level precision, recall and F1."""

    precision: float
    recall: float
    f1: float


def quality(predicted: Sequence[bool], gold: Sequence[bool]) -> Quality:
    pairs = list(zip(predicted, gold, strict=True))
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(precision, recall, f1)


def best_threshold(
    scores: Sequence[float], gold: Sequence[bool], rules: Sequence[bool], sources: Sequence[str]
) -> tuple[float | None, dict[str, float]]:
    """The note-level threshold at which rules-or-head does best, if it beats the rules."""

    def measure(threshold: float, members: Sequence[int]) -> Quality:
        predicted = [rules[i] or scores[i] >= threshold for i in members]
        return quality(predicted, [gold[i] for i in members])

    everyone = range(len(gold))
    per_set = {name: [i for i in everyone if sources[i] == name] for name in set(sources)}
    base = measure(2.0, everyone)
    floor = min(MIN_PRECISION, base.precision - MAX_SET_LOSS)
    base_sets = {name: measure(2.0, members).f1 for name, members in per_set.items()}
    best: tuple[float, Quality] | None = None
    for threshold in (float(t) for t in np.arange(0.5, 0.99, 0.01)):
        pooled = measure(threshold, everyone)
        if pooled.precision < floor or pooled.f1 <= base.f1 + MIN_GAIN:
            continue
        losses = [base_sets[n] - measure(threshold, m).f1 for n, m in per_set.items()]
        if max(losses) > MAX_SET_LOSS:
            continue
        if best is None or pooled.f1 > best[1].f1:
            best = (threshold, pooled)
    report = {"rules_p": base.precision, "rules_r": base.recall, "rules_f1": base.f1}
    if best is None:
        return None, report
    found = best[1]
    return round(best[0], 2), {**report, "p": found.precision, "r": found.recall, "f1": found.f1}


def family_f1(examples: Sequence[Example], facts: Sequence[NoteFacts]) -> float:
    """Mean of performed-family and planned-family F1 (micro over notes)."""
    totals = Counter[str]()
    for example, fact in zip(examples, facts, strict=True):
        done = ({p.family for p in example.gold.procedures}, {p.family for p in fact.procedures})
        planned = (set(example.gold.planned_procedures), set(fact.planned_procedures))
        for field, (gold, pred) in (("performed", done), ("planned", planned)):
            totals[f"{field}.tp"] += len(gold & pred)
            totals[f"{field}.err"] += len(gold ^ pred)
    f1s = [
        2 * totals[f"{f}.tp"] / (2 * totals[f"{f}.tp"] + totals[f"{f}.err"] or 1)
        for f in ("performed", "planned")
    ]
    return float(np.mean(f1s))


def _with_status(example: Example, layer: LearnedLayer) -> NoteFacts:
    """The example's rule facts, procedures re-assembled with the layer's mention status."""
    status = layer.mention_status(example.reading, example.signals)
    reading = example.reading
    assembled = assemble_procedures(reading.text, list(reading.targets), status)
    return example.rules.model_copy(
        update={"procedures": assembled.procedures, "planned_procedures": assembled.planned}
    )


def choose_confidence(examples: Sequence[Example]) -> tuple[float | None, dict[str, float]]:
    """How sure the mention head must be to overrule the rules (``None``: never)."""
    assembled = {t: [e.rules for e in examples] for t in CONFIDENCE}
    for train, test in folds(examples):
        x, y = mention_dataset([examples[i] for i in train]).matrix()
        head = head_from("mention", fit(x, y), MENTION_CLASSES)
        for confidence in CONFIDENCE:
            sure = replace(head, thresholds={"confident": confidence})
            layer = LearnedLayer("fold", {"mention": sure})
            for i in test:
                assembled[confidence][i] = _with_status(examples[i], layer)
    rules = family_f1(examples, [e.rules for e in examples])
    scores = {t: family_f1(examples, facts) for t, facts in assembled.items()}
    best = max(scores, key=lambda t: scores[t])
    report = {"rules_family_f1": round(rules, 3)}
    report |= {f"at_{t}": round(v, 3) for t, v in scores.items()}
    return (best if scores[best] > rules + MIN_GAIN else None), report


def _best_sentence_scores(
    examples: Sequence[Example], features: Sequence[Rows], name: str
) -> list[float]:
    """Per note, its best sentence score for ``name`` from a head fitted on other folds."""
    scores = [0.0] * len(examples)
    for train, test in folds(examples):
        rows: list[Rows] = []
        labels: list[int] = []
        for i in train:
            for position, label in enumerate(element_labels(examples[i], name)):
                if label is not None:
                    rows.append(_row(features[i], position))
                    labels.append(label)
        if len(set(labels)) < 2:
            continue
        model = fit(vstack([design(r) for r in rows]).tocsr(), np.array(labels))
        for i in test:
            if len(features[i]):
                scores[i] = float(model.predict_proba(design(features[i]))[:, 1].max())
    return scores


def element_head(
    examples: Sequence[Example], features: Sequence[Rows], name: str
) -> tuple[LinearHead | None, dict[str, Any]]:
    """The head for one element, with its threshold if it earns one."""
    rows: list[Rows] = []
    labels: list[int] = []
    for example, feature in zip(examples, features, strict=True):
        for position, label in enumerate(element_labels(example, name)):
            if label is not None:
                rows.append(_row(feature, position))
                labels.append(label)
    positives = sum(labels)
    if positives < 8:
        return None, {"positives": positives}
    scores = _best_sentence_scores(examples, features, name)
    allowed = [bool(e.rules.procedures) or name not in NEEDS_PROCEDURE for e in examples]
    threshold, found = best_threshold(
        [s if ok else 0.0 for s, ok in zip(scores, allowed, strict=True)],
        [bool(getattr(e.gold.elements, name)) for e in examples],
        [bool(getattr(e.rules.elements, name)) for e in examples],
        [e.source for e in examples],
    )
    model = fit(vstack([design(r) for r in rows]).tocsr(), np.array(labels))
    head = head_from(f"element.{name}", model, ("yes",))
    return replace(head, thresholds={"yes": threshold} if threshold else {}), {
        "positives": positives,
        "threshold": threshold,
        **found,
    }


def kind_head(examples: Sequence[Example]) -> tuple[LinearHead, dict[str, float]]:
    """The note-kind head, used when it beats the rules out of fold by ``KIND_MIN_GAIN``."""
    rows = [note_rows(e.reading, note_kind_signals(e)) for e in examples]
    x = vstack([design(r) for r in rows]).tocsr()
    y = np.array([NOTE_KINDS.index(e.gold.note_kind) for e in examples])
    correct = 0
    for train, test in folds(examples):
        model = fit(x[train], y[train])
        correct += int((model.predict(x[test]) == y[test]).sum())
    learned = correct / len(examples)
    rules = float(np.mean([e.rules.note_kind == e.gold.note_kind for e in examples]))
    model = fit(x, y)
    head = head_from("note_kind", model, tuple(NOTE_KINDS[int(i)] for i in model.classes_))
    use = learned > rules + KIND_MIN_GAIN
    report = {"oof_accuracy": round(learned, 3), "rules": round(rules, 3)}
    return replace(head, thresholds={"argmax": 0.0} if use else {}), report


def train_heads(
    examples: Sequence[Example], progress: Progress = print
) -> tuple[dict[str, LinearHead], dict[str, Any]]:
    """Fit every head and decide on held-out notes where it may be used."""
    heads: dict[str, LinearHead] = {}
    report: dict[str, Any] = {}
    x, y = mention_dataset(examples).matrix()
    confidence, mention_report = choose_confidence(examples)
    mention = head_from("mention", fit(x, y), MENTION_CLASSES)
    heads["mention"] = replace(mention, thresholds={"confident": confidence} if confidence else {})
    report["mention"] = {"rows": len(y), "confident": confidence, **mention_report}
    progress(f"mention: {report['mention']}")
    features = [sentence_rows(e.reading, bool(e.rules.procedures)) for e in examples]
    for name in ELEMENT_NAMES:
        head, found = element_head(examples, features, name)
        report[f"element.{name}"] = found
        if head is not None:
            heads[head.name] = head
        progress(f"element.{name}: {found}")
    heads["note_kind"], report["note_kind"] = kind_head(examples)
    progress(f"note_kind: {report['note_kind']}")
    return heads, report


def save_layer(
    heads: dict[str, LinearHead],
    report: dict[str, Any],
    examples: Sequence[Example],
    folder: Path,
    version: str = "",
) -> dict[str, Any]:
    """Write the artifact and its model card; returns the manifest."""
    from assistant.learned.model_card import model_card

    digest = data_digest(examples)
    manifest: dict[str, Any] = {
        "schema": "learned-reader/v2",
        "version": version or f"reader-heads-{digest[:8]}",
        "training_data": {
            "notes": len(examples),
            "by_set": dict(Counter(e.source for e in examples)),
            "sha256": digest,
        },
        "held_out": report,
    }
    save_heads(heads, folder, manifest)
    (folder / "MODEL_CARD.md").write_text(model_card(manifest, heads), encoding="utf-8")
    return manifest
