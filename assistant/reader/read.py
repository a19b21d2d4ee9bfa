"""Read a note: run the pipeline and assemble :class:`NoteFacts` with evidence."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache

from spacy.tokens import Doc

from assistant import __version__
from assistant.facts import NoteFacts
from assistant.reader.doc_text import doc_text
from assistant.reader.elements import assemble_elements
from assistant.reader.note_kind import classify_note_kind
from assistant.reader.pipeline import get_reader, rule_versions
from assistant.reader.procedures import assemble_procedures
from assistant.reader.spans import iter_targets


@lru_cache(maxsize=1)
def reader_version() -> str:
    """Version string naming the code and every rule file behind an extraction (read once)."""
    rules = ",".join(f"{k}={v}" for k, v in sorted(rule_versions().items()))
    return f"chartready-reader/{__version__} ({rules})"


def learned_enabled() -> bool:
    """Whether the learned second opinion runs (``CHARTREADY_LEARNED=1``; off by default).

    Off by default: on the dev gold it added no correct element and costs 6-9x throughput
    (models/learned/MODEL_CARD.md).
    """
    return os.environ.get("CHARTREADY_LEARNED", "0").lower() in {"1", "true", "yes"}


def facts_from_doc(doc: Doc, note_id: str, learned: bool | None = None) -> NoteFacts:
    """Assemble NoteFacts from a processed Doc (pure over the Doc's spans)."""
    text = doc_text(doc)
    found = list(iter_targets(doc))
    assembled = assemble_procedures(text, found)
    procedures, planned = assembled.procedures, assembled.planned
    kind, kind_evidence = classify_note_kind(found, procedures, assembled.in_zone)
    elements, element_evidence = assemble_elements(text, found, kind, procedures)
    if learned_enabled() if learned is None else learned:
        from assistant.learned import learned_elements

        sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
        elements, added = learned_elements(text, sentences, elements)
        element_evidence = [*element_evidence, *added]
    return NoteFacts(
        note_id=note_id,
        note_kind=kind,
        procedures=procedures,
        planned_procedures=planned,
        elements=elements,
        evidence=[*kind_evidence, *assembled.evidence, *element_evidence],
        reader_version=reader_version(),
    )


def read_note(text: str, note_id: str = "note", learned: bool | None = None) -> NoteFacts:
    """Extract note-facts/v1 from one note's text."""
    return facts_from_doc(get_reader()(text), note_id, learned)


def read_notes(
    items: Iterable[tuple[str, str]], batch_size: int = 16, learned: bool | None = None
) -> Iterator[NoteFacts]:
    """Extract from ``(note_id, text)`` pairs in order, streaming through ``nlp.pipe``."""
    nlp = get_reader()
    pairs = ((text, note_id) for note_id, text in items)
    for doc, note_id in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield facts_from_doc(doc, note_id, learned)
