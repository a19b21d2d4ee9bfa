"""Training examples for the learned layer: gold notes read by the rules, and their labels.

An example is a gold note (note-facts/v1) with, where the writers gave them, the exact
quotes that prove each fact, read once by the rules (learned layer off). Labels:

- mention: *performed* when the family was done in the note (and, with quotes, its sentence
  holds a quote for that family), *planned* likewise, *other* when the family is neither;
  mixed cases without a quote to settle them are left out;
- element: a sentence is positive when it overlaps a quote for the element (or, in notes
  without quotes, holds the rules' evidence for it), negative when the note does not
  document the element at all; other sentences of documenting notes are left out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluate import GoldSet
from assistant.facts import NoteFacts
from assistant.learned.layer import KindSignals
from assistant.reader.procedures import MentionSignals, mention_signals
from assistant.reader.read import facts_from_reading
from assistant.reader.reading import NoteReading, reading_of

PERFORMED, PLANNED, OTHER = 0, 1, 2
MENTION_CLASSES = ("performed", "planned", "other")
_FAMILY_QUOTE = re.compile(r"^procedures\[(\d+)\]\.family$")


@dataclass(frozen=True)
class Example:
    """One gold note read by the rules (the learned layer off)."""

    note_id: str
    source: str
    gold: NoteFacts
    quotes: dict[str, list[str]]
    reading: NoteReading
    rules: NoteFacts
    signals: dict[tuple[int, int], MentionSignals]


def _quotes(path: Path) -> dict[str, dict[str, list[str]]]:
    if not path.exists():
        return {}
    out: dict[str, dict[str, list[str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            out[str(entry["note_id"])] = {k: list(v) for k, v in entry.get("quotes", {}).items()}
    return out


def load_examples(gold_sets: Sequence[GoldSet]) -> list[Example]:
    """Read every note of the gold sets once (``quotes.jsonl`` beside a gold file is used)."""
    from assistant.reader.pipeline import get_reader

    nlp = get_reader()
    examples: list[Example] = []
    for gold_set in gold_sets:
        quotes = {
            note_id: by_field
            for part in gold_set.parts
            for note_id, by_field in _quotes(part.gold.with_name("quotes.jsonl")).items()
        }
        paths = gold_set.note_paths()
        for note_id, facts in sorted(gold_set.gold().items()):
            text = paths[note_id].read_text(encoding="utf-8")
            reading = reading_of(nlp(text))
            examples.append(
                Example(
                    note_id=f"{gold_set.name}:{note_id}",
                    source=gold_set.name,
                    gold=facts,
                    quotes=quotes.get(note_id, {}),
                    reading=reading,
                    rules=facts_from_reading(reading, note_id),
                    signals=mention_signals(reading.text, list(reading.targets)),
                )
            )
    return examples


def overlaps(text: str, quotes: Sequence[str], start: int, end: int) -> bool:
    """Whether any occurrence of any quote overlaps ``[start, end)``."""
    for quote in quotes:
        at = text.find(quote)
        while at >= 0:
            if at < end and at + len(quote) > start:
                return True
            at = text.find(quote, at + 1)
    return False


def mention_label(example: Example, family: str, sentence: tuple[int, int]) -> int | None:
    """PERFORMED, PLANNED or OTHER for one mention; ``None`` when the gold cannot say."""
    performed = {p.family for p in example.gold.procedures}
    planned = set(example.gold.planned_procedures)
    if family not in performed and family not in planned:
        return OTHER
    if not example.quotes:
        if (family in performed) == (family in planned):
            return None
        return PERFORMED if family in performed else PLANNED
    family_quotes = [
        quote
        for key, values in example.quotes.items()
        if (m := _FAMILY_QUOTE.match(key))
        and int(m.group(1)) < len(example.gold.procedures)
        and example.gold.procedures[int(m.group(1))].family == family
        for quote in values
    ]
    text = example.reading.text
    is_performed = family in performed and overlaps(text, family_quotes, *sentence)
    is_planned = family in planned and overlaps(
        text, example.quotes.get("planned_procedures", []), *sentence
    )
    if is_performed == is_planned:
        return None
    return PERFORMED if is_performed else PLANNED


def element_labels(example: Example, name: str) -> list[int | None]:
    """Per sentence: 1 documents ``name``, 0 does not, ``None`` unknown."""
    sentences = example.reading.sentences
    if not getattr(example.gold.elements, name):
        return [0] * len(sentences)
    quotes = example.quotes.get(f"elements.{name}", [])
    if not quotes:
        quotes = [e.text for e in example.rules.evidence if e.field == f"elements.{name}"]
    text = example.reading.text
    return [1 if overlaps(text, quotes, s.start, s.end) else None for s in sentences]


def note_kind_signals(example: Example) -> KindSignals:
    """What the rules said about the example's note kind."""
    return kind_signals(example.reading, example.rules, example.signals)


def kind_signals(
    reading: NoteReading, rules: NoteFacts, signals: dict[tuple[int, int], MentionSignals]
) -> KindSignals:
    """The rules' note kind, procedures and cue votes as note-kind features."""
    votes = Counter(
        t.value for t in reading.targets if t.label == "KIND" and t.assertion == "affirmed"
    )
    in_zone = any(s.in_zone and s.performed for s in signals.values())
    return KindSignals(
        rules.note_kind, len(rules.procedures), in_zone, len(rules.planned_procedures), votes
    )


def data_digest(examples: Sequence[Example]) -> str:
    """A hash of the training notes and their gold, for the manifest."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.note_id.encode())
        digest.update(example.reading.text.encode())
        digest.update(example.gold.model_dump_json().encode())
    return digest.hexdigest()
