"""Score extracted NoteFacts against gold note-facts/v1 annotations, per gold set.

Pure functions: precision/recall/F1 per field over set-valued facts, accuracy for
procedure attributes on procedures matched by family, and the notes that erred most.
Gold sets: the dev gold the rules were written against (``shared/corpus``), and the fresh
set (``models/data/fresh``): a training part, and a frozen test part that rule writers
never read, whose report therefore names no note.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.facts import ELEMENT_NAMES, NoteFacts, Procedure

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
FRESH = REPO / "models" / "data" / "fresh"

ATTRIBUTES = ("approach", "region", "laterality", "guidance", "contrast")


@dataclass
class Counts:
    """True positives, false positives and false negatives, plus the notes that erred."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add_sets(self, note_id: str, gold: set[Any], pred: set[Any]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        wrong = len(gold ^ pred)
        if wrong:
            self.errors[note_id] += wrong

    def add_value(self, note_id: str, gold: object, pred: object) -> None:
        self.total += 1
        if gold == pred:
            self.correct += 1
        else:
            self.errors[note_id] += 1
        if gold is not None and gold == pred:
            self.tp += 1
        else:
            self.fp += pred is not None
            self.fn += gold is not None

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def worst(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.errors.items(), key=lambda item: (-item[1], item[0]))[:n]


def match_procedures(
    gold: Sequence[Procedure], pred: Sequence[Procedure]
) -> list[tuple[Procedure, Procedure]]:
    """Pair gold and predicted procedures of the same family (same region preferred)."""
    free = list(pred)
    pairs: list[tuple[Procedure, Procedure]] = []
    for g in gold:
        same = [p for p in free if p.family == g.family]
        if not same:
            continue
        best = next((p for p in same if p.region == g.region), same[0])
        free.remove(best)
        pairs.append((g, best))
    return pairs


def score(gold: Mapping[str, NoteFacts], pred: Mapping[str, NoteFacts]) -> dict[str, Counts]:
    """Counts per field over the notes present in ``gold``."""
    fields: dict[str, Counts] = defaultdict(Counts)
    for note_id, g in sorted(gold.items()):
        p = pred.get(note_id) or NoteFacts(note_id=note_id)
        fields["note_kind"].add_value(note_id, g.note_kind, p.note_kind)
        fields["family"].add_sets(
            note_id, {x.family for x in g.procedures}, {x.family for x in p.procedures}
        )
        fields["planned"].add_sets(note_id, set(g.planned_procedures), set(p.planned_procedures))
        fields["levels"].add_sets(
            note_id,
            {(x.family, lv) for x in g.procedures for lv in x.levels},
            {(x.family, lv) for x in p.procedures for lv in x.levels},
        )
        for gp, pp in match_procedures(g.procedures, p.procedures):
            for attribute in ATTRIBUTES:
                fields[attribute].add_value(note_id, getattr(gp, attribute), getattr(pp, attribute))
        for name in ELEMENT_NAMES:
            gv, pv = getattr(g.elements, name), getattr(p.elements, name)
            counts = fields[f"elements.{name}"]
            counts.add_sets(note_id, {name} if gv else set(), {name} if pv else set())
    micro = Counts()
    for name in ELEMENT_NAMES:
        c = fields[f"elements.{name}"]
        micro.tp, micro.fp, micro.fn = micro.tp + c.tp, micro.fp + c.fp, micro.fn + c.fn
    fields["elements (micro)"] = micro
    return dict(fields)


def macro_f1(fields: Mapping[str, Counts]) -> float:
    """Unweighted mean F1 over the 18 elements."""
    return sum(fields[f"elements.{n}"].f1 for n in ELEMENT_NAMES) / len(ELEMENT_NAMES)


def load_gold(path: Path) -> dict[str, NoteFacts]:
    """Gold annotations keyed by note id (JSON Lines of note-facts/v1)."""
    out: dict[str, NoteFacts] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            facts = NoteFacts.model_validate(json.loads(line))
            out[facts.note_id] = facts
    return out


def report_rows(fields: Mapping[str, Counts]) -> list[dict[str, Any]]:
    """One row per field: precision, recall, F1, accuracy and the worst notes."""
    rows = []
    for name, c in fields.items():
        rows.append(
            {
                "field": name,
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
                "f1": round(c.f1, 3),
                "accuracy": None if c.accuracy is None else round(c.accuracy, 3),
                "support": c.tp + c.fn if c.total == 0 else c.total,
                "worst_notes": [f"{n}({k})" for n, k in c.worst()],
            }
        )
    return rows


def ordered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in a stable reading order: note-level fields, procedure fields, elements."""
    head = ["note_kind", "family", "planned", "levels", *ATTRIBUTES]
    rank = {name: i for i, name in enumerate(head)}
    return sorted(rows, key=lambda r: (rank.get(r["field"], len(head)), r["field"]))


@dataclass(frozen=True)
class GoldPart:
    """One gold file (note-facts/v1 JSON Lines) and the folder of its ``<note_id>.txt`` notes."""

    gold: Path
    notes: Path

    @property
    def available(self) -> bool:
        return self.gold.exists() and self.notes.is_dir()


@dataclass(frozen=True)
class GoldSet:
    """Named gold parts read as one set; ``frozen`` reports scores only (no note ids)."""

    name: str
    parts: tuple[GoldPart, ...]
    frozen: bool = False

    @classmethod
    def of(cls, name: str, gold: Path, notes: Path, frozen: bool = False) -> GoldSet:
        """A set of one gold file and its notes folder."""
        return cls(name, (GoldPart(gold, notes),), frozen)

    @property
    def available(self) -> bool:
        return bool(self.parts) and all(part.available for part in self.parts)

    def gold(self) -> dict[str, NoteFacts]:
        """Gold facts by note id over every part (note ids are unique across parts)."""
        out: dict[str, NoteFacts] = {}
        for part in self.parts:
            out.update(load_gold(part.gold))
        return out

    def note_paths(self) -> dict[str, Path]:
        """The note file of every gold note, by note id."""
        return {
            note_id: part.notes / f"{note_id}.txt"
            for part in self.parts
            for note_id in load_gold(part.gold)
        }


def _style_parts(folder: Path) -> tuple[GoldPart, ...]:
    """One part per style subfolder of an error-analysis batch (``val/<style>/``)."""
    if not folder.is_dir():
        return ()
    return tuple(
        GoldPart(style / "gold.jsonl", style / "notes")
        for style in sorted(folder.iterdir())
        if (style / "gold.jsonl").exists()
    )


# Error-analysis batches of synthetic notes (``val*/<style>/``) and adjudicated batches of
# real notes (``staging/real*/``), in the order they were written: all spent once read.
ERROR_ANALYSIS_BATCHES = ("val", *(f"val{n}" for n in range(2, 13)))
REAL_BATCHES = ("real2", "real3", "real4")


def _real_parts(batch: str) -> tuple[GoldPart, ...]:
    """An adjudicated batch of real notes (``staging/<batch>/``), read as one more part."""
    folder = FRESH / "staging" / batch
    return (GoldPart(folder / "adjudicated" / "gold.jsonl", folder / "notes"),)


def known_gold_sets() -> list[GoldSet]:
    """Dev gold, fresh training part, error-analysis batches, frozen fresh test part.

    The batches (``val/`` to ``val12/``, and the adjudicated real notes of
    ``staging/real2/`` to ``staging/real4/``) were read by the rule writer after their
    first reading: spent for scoring rules, fit to train on.
    """
    return [
        GoldSet.of("dev", SHARED_CORPUS / "dev-gold.jsonl", SHARED_CORPUS / "mtsamples" / "notes"),
        GoldSet.of("fresh-train", FRESH / "train" / "gold.jsonl", FRESH / "train" / "notes"),
        GoldSet(
            "fresh-val",
            tuple(part for batch in ERROR_ANALYSIS_BATCHES for part in _style_parts(FRESH / batch))
            + tuple(part for batch in REAL_BATCHES for part in _real_parts(batch)),
        ),
        GoldSet.of("fresh-test", FRESH / "test" / "gold.jsonl", FRESH / "test" / "notes", True),
    ]


# The headline figure of each field: F1 for set-valued fields, accuracy for single values.
HEADLINE: dict[str, str] = {
    "elements (micro)": "f1",
    "family": "f1",
    "levels": "f1",
    "planned": "f1",
    "laterality": "accuracy",
    "guidance": "accuracy",
    "note_kind": "accuracy",
    "approach": "accuracy",
    "region": "accuracy",
    "contrast": "accuracy",
}


def headline(fields: Mapping[str, Counts]) -> dict[str, float | None]:
    """The headline figure per field (see :data:`HEADLINE`), plus element macro-F1."""
    out: dict[str, float | None] = {}
    for name, metric in HEADLINE.items():
        counts = fields.get(name)
        out[name] = None if counts is None else getattr(counts, metric)
    out["element macro-F1"] = macro_f1(fields)
    return out
