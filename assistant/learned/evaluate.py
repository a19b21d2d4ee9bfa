"""Rules only vs rules + learned on gold notes: per-element F1 and the throughput cost."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.evaluate import Counts, score
from assistant.facts import NoteFacts
from assistant.learned.schema import TARGET_ELEMENTS

Learner = Callable[[NoteFacts, str, list[tuple[int, int]]], NoteFacts]


@dataclass(frozen=True)
class Comparison:
    """Scores of both arms and how long each took over the same notes."""

    rules: dict[str, Counts]
    learned: dict[str, Counts]
    notes: int
    rules_seconds: float
    learned_seconds: float

    @property
    def rules_rate(self) -> float:
        """Notes per second, rules only."""
        return self.notes / self.rules_seconds if self.rules_seconds else 0.0

    @property
    def learned_rate(self) -> float:
        """Notes per second, rules + learned (reader time plus the learned pass)."""
        total = self.rules_seconds + self.learned_seconds
        return self.notes / total if total else 0.0


def with_learned(facts: NoteFacts, text: str, sentences: list[tuple[int, int]]) -> NoteFacts:
    """``facts`` with learned additions and their evidence appended."""
    from assistant.learned import learned_elements

    elements, evidence = learned_elements(text, sentences, facts.elements)
    return facts.model_copy(update={"elements": elements, "evidence": [*facts.evidence, *evidence]})


def compare(
    gold: dict[str, NoteFacts],
    notes: Sequence[tuple[str, str]],
    learner: Learner = with_learned,
) -> Comparison:
    """Read ``notes`` once with the rules, then apply ``learner``; score both against gold."""
    from assistant.reader.pipeline import get_reader
    from assistant.reader.read import facts_from_doc

    nlp = get_reader()
    nlp("warm-up.")
    start = time.perf_counter()
    read: list[tuple[NoteFacts, str, list[tuple[int, int]]]] = []
    for doc, note_id in nlp.pipe(((t, n) for n, t in notes), as_tuples=True):
        spans = [(s.start_char, s.end_char) for s in doc.sents]
        read.append((facts_from_doc(doc, note_id), doc.text, spans))
    rules_seconds = time.perf_counter() - start
    learner(NoteFacts(note_id="warm-up"), "Warm-up pain for two years.", [(0, 27)])
    start = time.perf_counter()
    learned = [learner(facts, text, spans) for facts, text, spans in read]
    learned_seconds = time.perf_counter() - start
    return Comparison(
        rules=score(gold, {f.note_id: f for f, _, _ in read}),
        learned=score(gold, {f.note_id: f for f in learned}),
        notes=len(read),
        rules_seconds=rules_seconds,
        learned_seconds=learned_seconds,
    )


def element_rows(comparison: Comparison) -> list[dict[str, object]]:
    """One row per target element (and the 18-element micro average): P/R/F1 both arms."""
    rows: list[dict[str, object]] = []
    for field in [*(f"elements.{n}" for n in TARGET_ELEMENTS), "elements (micro)"]:
        r, lr = comparison.rules[field], comparison.learned[field]
        rows.append(
            {
                "field": field,
                "support": r.tp + r.fn,
                "rules_p": round(r.precision, 3),
                "rules_r": round(r.recall, 3),
                "rules_f1": round(r.f1, 3),
                "learned_p": round(lr.precision, 3),
                "learned_r": round(lr.recall, 3),
                "learned_f1": round(lr.f1, 3),
            }
        )
    return rows
