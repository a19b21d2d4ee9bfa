"""Read a note: run the pipeline, then assemble :class:`NoteFacts` with evidence.

The rules assemble procedures, the note kind and the elements from the note's reading;
the learned layer (:mod:`assistant.learned`, on by default, ``CHARTREADY_LEARNED=0`` turns
it off) decides performed/planned per family mention, the note kind, and adds elements the
rules missed, wherever its held-out results beat the rules (see its model card).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from assistant import __version__
from assistant.facts import NoteFacts
from assistant.layout import NoteLayout
from assistant.reader.elements import assemble_elements
from assistant.reader.layout import layout_of
from assistant.reader.note_kind import TITLE_MAX, classify_note_kind, letter_subject
from assistant.reader.pipeline import get_reader, rule_versions
from assistant.reader.procedures import assemble_procedures, mention_signals
from assistant.reader.reading import NoteReading, reading_of

if TYPE_CHECKING:
    from assistant.learned.layer import LearnedLayer


@lru_cache(maxsize=1)
def reader_version() -> str:
    """Version string naming the code and every rule file behind an extraction (read once)."""
    rules = ",".join(f"{k}={v}" for k, v in sorted(rule_versions().items()))
    return f"chartready-reader/{__version__} ({rules})"


def learned_enabled() -> bool:
    """Whether the learned layer runs (``CHARTREADY_LEARNED``; on unless set to 0/false/no)."""
    return os.environ.get("CHARTREADY_LEARNED", "1").lower() not in {"0", "false", "no"}


def _layer(learned: bool | None) -> LearnedLayer | None:
    if not (learned_enabled() if learned is None else learned):
        return None
    from assistant.learned import default_layer

    return default_layer()


def facts_from_reading(
    reading: NoteReading, note_id: str, layer: LearnedLayer | None = None
) -> NoteFacts:
    """Assemble NoteFacts from a note's reading (rules, then the learned layer if given)."""
    text, found = reading.text, list(reading.targets)
    status = None
    if layer is not None and layer.reads_mentions:
        status = layer.mention_status(reading, mention_signals(text, found))
    assembled = assemble_procedures(text, found, status)
    procedures, planned = assembled.procedures, assembled.planned
    title = text.split("\n", 1)[0]
    title = title if len(title) <= TITLE_MAX else ""
    kind, kind_evidence = classify_note_kind(
        found, procedures, assembled.in_zone, title, len(text), letter_subject(text, found)
    )
    if layer is not None:
        from assistant.learned.layer import kind_signals

        signals = kind_signals(reading, kind, len(procedures), len(planned), assembled.in_zone)
        learned_kind = layer.note_kind(reading, signals)
        if learned_kind is not None and learned_kind != kind:
            kind, kind_evidence = learned_kind, []
    elements, element_evidence = assemble_elements(text, found, kind, procedures)
    if layer is not None:
        elements, added = layer.elements(reading, elements, procedures)
        element_evidence = [*element_evidence, *added]
    return NoteFacts(
        note_id=note_id,
        note_kind=kind,
        procedures=procedures,
        planned_procedures=planned,
        elements=elements,
        evidence=[*kind_evidence, *assembled.evidence, *element_evidence],
        reader_version=reader_version() + (f" + {layer.version}" if layer is not None else ""),
    )


def facts_from_doc(doc: Doc, note_id: str, learned: bool | None = None) -> NoteFacts:
    """Assemble NoteFacts from a processed Doc."""
    return facts_from_reading(reading_of(doc), note_id, _layer(learned))


def read_note(text: str, note_id: str = "note", learned: bool | None = None) -> NoteFacts:
    """Extract note-facts/v1 from one note's text."""
    return facts_from_doc(get_reader()(text), note_id, learned)


def read_note_layout(
    text: str, note_id: str = "note", learned: bool | None = None
) -> tuple[NoteFacts, NoteLayout]:
    """NoteFacts and the sections and ConText scopes the reader found, from one pass."""
    doc = get_reader()(text)
    return facts_from_doc(doc, note_id, learned), layout_of(doc)


def read_layout(text: str) -> NoteLayout:
    """Only the sections and ConText scopes of a note (for facts made elsewhere)."""
    return layout_of(get_reader()(text))


def read_notes(
    items: Iterable[tuple[str, str]], batch_size: int = 16, learned: bool | None = None
) -> Iterator[NoteFacts]:
    """Extract from ``(note_id, text)`` pairs in order, streaming through ``nlp.pipe``."""
    nlp = get_reader()
    pairs = ((text, note_id) for note_id, text in items)
    for doc, note_id in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield facts_from_doc(doc, note_id, learned)
