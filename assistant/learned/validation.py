"""Measure the learned layer end to end on held-out folds: rules alone vs rules + heads.

Every note is read by heads fitted, thresholds and all, on the other folds only, so the
comparison is held out from start to finish (``chartready train-learned --cross-validate``).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evaluate import headline, score
from assistant.facts import NoteFacts
from assistant.learned.examples import Example
from assistant.learned.layer import LearnedLayer
from assistant.learned.training import Progress, folds, train_heads
from assistant.reader.read import facts_from_reading

Figures = dict[str, float | None]


def cross_validate(
    examples: Sequence[Example], progress: Progress = print
) -> dict[str, dict[str, Figures]]:
    """Headline figures per gold set, for the rules alone and with held-out heads."""
    learned: dict[str, NoteFacts] = {}
    splits = folds(examples)
    for number, (train, test) in enumerate(splits, start=1):
        heads, _ = train_heads([examples[i] for i in train], progress=lambda _m: None)
        layer = LearnedLayer(f"fold-{number}", heads)
        for i in test:
            example = examples[i]
            learned[example.note_id] = facts_from_reading(example.reading, example.note_id, layer)
        progress(f"fold {number}/{len(splits)} done")
    report: dict[str, dict[str, Figures]] = {}
    for source in sorted({e.source for e in examples}):
        members = [e for e in examples if e.source == source]
        gold = {e.note_id: e.gold.model_copy(update={"note_id": e.note_id}) for e in members}
        rules = {e.note_id: e.rules.model_copy(update={"note_id": e.note_id}) for e in members}
        ours = {e.note_id: learned[e.note_id] for e in members}
        report[source] = {
            "rules": headline(score(gold, rules)),
            "rules+learned": headline(score(gold, ours)),
        }
    return report
