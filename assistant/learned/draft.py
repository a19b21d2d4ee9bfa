"""Draft sentence labels from the public corpus, for a person to review by hand.

A draft row is a candidate sentence of a training note; its ``positives`` are the target
elements whose rule evidence falls inside the sentence. The rules miss paraphrases, so the
drafts are only a starting point: the reviewed file in ``models/learned/labels/`` is the
truth, and the labelling guide says how it was corrected. Notes of the dev gold and any
sentence that also occurs in a dev-gold note are excluded, so evaluation stays honest.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from assistant.learned.candidates import candidate_sentences, keyword_pattern
from assistant.learned.schema import TARGET_ELEMENTS, LabelRow, LearnedConfig

_SPACE = re.compile(r"\s+")


def normalise(sentence: str) -> str:
    """Lower-case, whitespace-collapsed form used to find sentences shared with dev notes."""
    return _SPACE.sub(" ", sentence).strip().lower()


def gold_ids(gold_path: Path) -> set[str]:
    """Note ids of the dev gold (never used for training)."""
    lines = gold_path.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["note_id"] for line in lines if line.strip()}


def training_notes(
    config: LearnedConfig, notes_dir: Path, all_notes: Path | None, exclude: set[str]
) -> list[tuple[str, str]]:
    """``(note_id, text)`` of pain notes outside ``exclude``, plus matching corpus notes."""
    local = {p.stem: p for p in sorted(notes_dir.glob("*.txt"))}
    out = [(nid, p.read_text(encoding="utf-8")) for nid, p in local.items() if nid not in exclude]
    if all_notes is None:
        return out
    specialty = re.compile("|".join(re.escape(s) for s in config.corpus.specialties))
    with gzip.open(all_notes, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            nid, text = row["note_id"], row["text"]
            if nid in local or nid in exclude or not specialty.search(row["specialties"]):
                continue
            if len(re.findall(r"\bpain", text, re.IGNORECASE)) >= config.corpus.min_pain_mentions:
                out.append((nid, text))
    return out


def draft_rows(
    config: LearnedConfig, notes: Iterable[tuple[str, str]], banned: set[str]
) -> Iterator[LabelRow]:
    """Candidate sentences of ``notes`` labelled with the rules' findings (a draft)."""
    from assistant.reader.pipeline import get_reader
    from assistant.reader.read import facts_from_doc

    patterns: dict[str, re.Pattern[str]] = {
        name: keyword_pattern(cfg.keywords) for name, cfg in config.elements.items()
    }
    seen: set[str] = set()
    nlp = get_reader()
    for doc, note_id in nlp.pipe(((t, n) for n, t in notes), as_tuples=True):
        facts = facts_from_doc(doc, note_id)
        spans = [(s.start_char, s.end_char) for s in doc.sents]
        found = candidate_sentences(doc.text, spans, patterns, config.corpus.max_sentence_chars)
        unique = sorted({span for group in found.values() for span in group})
        for start, end in unique:
            sentence = doc.text[start:end]
            key = normalise(sentence)
            if key in seen or key in banned:
                continue
            seen.add(key)
            positives = sorted(
                {
                    ev.field.removeprefix("elements.")
                    for ev in facts.evidence
                    if ev.field.removeprefix("elements.") in TARGET_ELEMENTS
                    and ev.value is True
                    and ev.start < end
                    and ev.end > start
                }
            )
            yield LabelRow.model_validate(
                {
                    "id": f"{note_id}:{start}",
                    "source": f"mtsamples:{note_id}",
                    "start": start,
                    "end": end,
                    "text": sentence,
                    "positives": positives,
                    "origin": "rules-draft",
                }
            )


def banned_sentences(notes_dir: Path, exclude: set[str]) -> set[str]:
    """Normalised sentences of the dev-gold notes (a training sentence may not be one)."""
    from assistant.reader.pipeline import get_reader

    nlp = get_reader()
    texts = [(notes_dir / f"{nid}.txt").read_text(encoding="utf-8") for nid in sorted(exclude)]
    return {normalise(s.text) for doc in nlp.pipe(texts) for s in doc.sents}
