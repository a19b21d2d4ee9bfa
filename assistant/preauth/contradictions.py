"""Contradictions between notes: the same thing stated with different values.

They are listed side by side with each note's words, never merged or averaged: a reviewer
(or the provider, through a query) decides which one is right.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.preauth.items import Contradiction, EvidenceRef, Stated, Timeline, Topic


def days_in_words(days: float) -> str:
    """A duration for people: whole weeks or months when exact, else days or hours."""
    if days < 1:
        return f"{days * 24:g} hours"
    if days >= 30 and days % 30 == 0:
        return f"{days / 30:g} months"
    if days % 7 == 0:
        return f"{days / 7:g} weeks"
    return f"{days:g} days"


def differing(
    topic: Topic, subject: str, stated: Iterable[tuple[str, EvidenceRef]]
) -> Contradiction | None:
    """A contradiction when two or more notes state different values (one per note)."""
    first: dict[str, tuple[str, EvidenceRef]] = {}
    for value, ref in stated:
        first.setdefault(f"{ref.note_id}\x00{value}", (value, ref))
    values = [Stated(value=value, evidence=ref) for value, ref in first.values()]
    notes = {item.evidence.note_id for item in values}
    if len({item.value for item in values}) < 2 or len(notes) < 2:
        return None
    return Contradiction(topic=topic, subject=subject, values=values)


def contradictions(timeline: Timeline) -> list[Contradiction]:
    """Therapy durations (per modality) and relief figures (per procedure) that differ."""
    out: list[Contradiction] = []
    modalities = dict.fromkeys(t.modality for t in timeline.therapies)
    for name in modalities:
        stated = [
            (days_in_words(t.duration_days), t.evidence)
            for t in timeline.therapies
            if t.modality == name and t.duration_days is not None
        ]
        found = differing("therapy_duration", name, stated)
        if found is not None:
            out.append(found)
    for proc in timeline.procedures:
        subject = f"{proc.family} {proc.date.isoformat()}"
        found = differing(
            "relief_percent", subject, ((f"{r.percent}%", r.evidence) for r in proc.relief)
        )
        if found is not None:
            out.append(found)
    return out
