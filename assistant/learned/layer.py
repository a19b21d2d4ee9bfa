"""The learned layer: three small heads that read what the rules read, with more words.

- ``mention``: is a family mention done today, planned, or neither? From its sentence
  (the mention itself masked, so the head learns the verbs and times, not the families)
  and the rules' signals around it (:func:`assistant.reader.procedures.mention_signals`).
- ``element.<name>``: does a sentence document the element? An element the rules missed
  is added when its best sentence scores at or above the head's threshold (chosen on
  held-out folds so precision stays high); the rules' positives are never removed.
- ``note_kind``: procedure, office visit, consult or other, from the note's words and the
  rules' signals (their own answer, performed procedures, sections, cue votes).

Heads whose held-out results did not beat the rules carry no threshold and are not used.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from assistant.facts import ELEMENT_NAMES, Elements, Evidence, NoteKind, Procedure
from assistant.learned.features import Rows, assertion_flags, rows, section_flags
from assistant.learned.heads import LinearHead, sigmoid, stacked
from assistant.reader.elements import denials
from assistant.reader.procedures import MentionSignals, MentionStatus
from assistant.reader.reading import NoteReading

MASK = "PROCEDURE"
NOTE_KINDS: tuple[NoteKind, ...] = ("procedure", "office_visit", "consult", "other")
# Elements about a procedure done in this note: never added to a note without one.
NEEDS_PROCEDURE = frozenset(
    {"complications", "post_procedure_assessment", "sedation_or_anesthesia", "medication_dose"}
)
KIND_SECTIONS = ("history_of_present_illness", "physical_exam", "procedure", "procedure_details")
NOTE_TEXT_CHARS = 3000


def mention_text(reading: NoteReading, start: int, end: int, sent: tuple[int, int]) -> str:
    """The mention's sentence with the mention replaced by a neutral word."""
    text = reading.text
    return f"{text[sent[0] : start]} {MASK} {text[end : sent[1]]}"


def mention_signal_row(target: Any, signals: MentionSignals, position: float) -> list[float]:
    """Named signals of one mention: section, assertion, and the rules' reading."""
    return [
        *section_flags(target.section),
        *assertion_flags(target.assertion, target.planned),
        float(signals.in_zone),
        float(signals.in_title),
        float(signals.today),
        float(signals.past),
        float(signals.performed),
        float(signals.planned),
        position,
    ]


def mention_rows(
    reading: NoteReading, signals: Mapping[tuple[int, int], MentionSignals]
) -> tuple[list[tuple[int, int]], Rows]:
    """One row per family mention: its span and features (mentions in text order)."""
    spans: list[tuple[int, int]] = []
    texts: list[str] = []
    named: list[list[float]] = []
    length = max(1, len(reading.text))
    for target in reading.targets:
        key = (target.start, target.end)
        if target.label != "FAMILY" or key not in signals or key in spans:
            continue
        spans.append(key)
        texts.append(
            mention_text(reading, target.start, target.end, (target.sent_start, target.sent_end))
        )
        named.append(mention_signal_row(target, signals[key], target.start / length))
    return spans, rows(texts, named)


def sentence_rows(reading: NoteReading, performed: bool) -> Rows:
    """One row per sentence: its words, section and whether a procedure was done today.

    Words of an empty checkbox's option are left out (:meth:`NoteReading.ticked_text`).
    """
    length = max(1, len(reading.text))
    ticked = reading.ticked_text()
    texts = [ticked[s.start : s.end] for s in reading.sentences]
    named = [
        [*section_flags(s.section), float(performed), s.start / length] for s in reading.sentences
    ]
    return rows(texts, named)


@dataclass(frozen=True)
class KindSignals:
    """What the rules said about a note's kind, as features."""

    rule_kind: NoteKind
    procedures: int
    procedure_in_zone: bool
    planned: int
    kind_votes: Mapping[str, int]


def kind_signals(
    reading: NoteReading,
    rule_kind: NoteKind,
    procedures: int,
    planned: int,
    procedure_in_zone: bool,
) -> KindSignals:
    """The rules' note kind, their procedures and the KIND cue votes, as features."""
    votes = Counter(
        t.value for t in reading.targets if t.label == "KIND" and t.assertion == "affirmed"
    )
    return KindSignals(rule_kind, procedures, procedure_in_zone, planned, votes)


def note_rows(reading: NoteReading, kind: KindSignals) -> Rows:
    """One row for the note: its opening words and the rules' signals."""
    sections = {s.section for s in reading.sentences}
    named = [
        *(float(kind.rule_kind == k) for k in NOTE_KINDS),
        math.log1p(kind.procedures),
        float(kind.procedure_in_zone),
        math.log1p(kind.planned),
        *(float(name in sections) for name in KIND_SECTIONS),
        *(math.log1p(kind.kind_votes.get(k, 0)) for k in NOTE_KINDS[1:]),
        math.log1p(len(reading.sentences)),
    ]
    return rows([reading.text[:NOTE_TEXT_CHARS]], [named])


class LearnedLayer:
    """The heads of one artifact version, applied to a note's reading."""

    def __init__(self, version: str, heads: Mapping[str, LinearHead]) -> None:
        self.version = version
        self.heads = dict(heads)

    @cached_property
    def _element_names(self) -> tuple[str, ...]:
        """The elements with a usable head, in :data:`ELEMENT_NAMES` order."""
        return tuple(n for n in ELEMENT_NAMES if self._usable(f"element.{n}") is not None)

    @cached_property
    def _element_heads(self) -> LinearHead:
        """The usable element heads stacked into one, a column per element name."""
        return stacked("elements", {n: self.heads[f"element.{n}"] for n in self._element_names})

    @property
    def reads_mentions(self) -> bool:
        """Whether the mention head is used (its signals are worth computing)."""
        return self._usable("mention") is not None

    def _usable(self, name: str) -> LinearHead | None:
        head = self.heads.get(name)
        return head if head is not None and head.thresholds else None

    def mention_status(
        self, reading: NoteReading, signals: Mapping[tuple[int, int], MentionSignals]
    ) -> MentionStatus | None:
        """(P(performed today), P(planned)) per mention the head is sure of; ``None`` if unused.

        Mentions it is less sure of than its ``confident`` threshold are left to the rules.
        """
        head = self._usable("mention")
        if head is None:
            return None
        spans, features = mention_rows(reading, signals)
        if not spans:
            return {}
        probs = head.probabilities(features)
        performed, planned = head.classes.index("performed"), head.classes.index("planned")
        sure = head.thresholds["confident"]
        return {
            span: (float(row[performed]), float(row[planned]))
            for span, row in zip(spans, probs, strict=True)
            if float(row.max()) >= sure  # less sure: the rules decide this mention
        }

    def note_kind(self, reading: NoteReading, kind: KindSignals) -> NoteKind | None:
        """The head's note kind, or ``None`` when the head is not used."""
        head = self._usable("note_kind")
        if head is None:
            return None
        probs = head.probabilities(note_rows(reading, kind))[0]
        best = head.classes[int(np.argmax(probs))]
        return best if best in NOTE_KINDS else None

    def elements(
        self, reading: NoteReading, elements: Elements, procedures: Sequence[Procedure]
    ) -> tuple[Elements, list[Evidence]]:
        """Add elements the rules missed where a sentence scores over its threshold."""
        names = [
            name
            for name in self._element_names
            if not getattr(elements, name) and (procedures or name not in NEEDS_PROCEDURE)
        ]
        if not names or not reading.sentences:
            return elements, []
        features = sentence_rows(reading, bool(procedures))
        probabilities = sigmoid(self._element_heads.logits(features))
        probabilities[reading.blank_sentences()] = 0.0  # a blank template line says nothing
        added: dict[str, bool] = {}
        evidence: list[Evidence] = []
        for name in names:
            scores = probabilities[:, self._element_names.index(name)].copy()
            # a sentence that says the element is absent ("images not saved") is no evidence
            # for it: the head adds what the rules missed, it does not overrule a denial
            for denial in denials(name):
                scores[reading.sentences_naming(denial)] = 0.0
            best = int(np.argmax(scores))
            if scores[best] < self.heads[f"element.{name}"].thresholds["yes"]:
                continue
            sentence = reading.sentences[best]
            added[name] = True
            evidence.append(
                Evidence(
                    field=f"elements.{name}",
                    value=True,
                    start=sentence.start,
                    end=sentence.end,
                    text=reading.sentence_text(sentence),
                    section=sentence.section,
                    rule=f"learned:{self.version}",
                    trigger=f"p={scores[best]:.2f}",
                )
            )
        return elements.model_copy(update=added), evidence
