"""A patient's timeline: what the notes show over time, each item pointing at its words.

Built from the reader's facts and evidence (one reading per note) and the checklist
detectors; values the reader does not extract are read from the evidence sentence by
:mod:`assistant.preauth.values`.

Not extracted: procedures done elsewhere that a note only mentions in its history (they
are not on the timeline; a relief statement that names them by date attaches to nothing);
therapy start dates; imaging findings beyond modality, date, levels and sides (the quote
holds the rest); activities lost beyond the quoted sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from assistant.checks.detectors import Detections, Span
from assistant.checks.measures import duration_days, pain_score, relief_percents
from assistant.checks.measures import sides as sides_in
from assistant.checks.registry import ChecklistRegistry
from assistant.facts import Evidence
from assistant.preauth.contradictions import contradictions
from assistant.preauth.items import (
    Diagnosis,
    EvidenceRef,
    Imaging,
    NoteEntry,
    PerformedProcedure,
    Relief,
    Score,
    Therapy,
    Timeline,
)
from assistant.preauth.notes import PatientNote
from assistant.preauth.values import (
    dates_in,
    function_score,
    icd10_codes,
    imaging_modality,
    levels_in,
    modality,
    quote_bounds,
    relief_duration_days,
    therapy_outcome,
)

T = TypeVar("T")

_KEPT = ("affirmed", "historical")
_EARLIER = re.compile(r"\b(prior|previous|earlier|last|first|second)\b", re.IGNORECASE)
_PROCEDURE_WORDS = re.compile(r"\b(block|injection|procedure|shot|trial)s?\b", re.IGNORECASE)
# Words that name each family in a relief sentence ("the trial gave 70% relief").
FAMILY_WORDS: dict[str, re.Pattern[str]] = {
    family: re.compile(pattern, re.IGNORECASE)
    for family, pattern in {
        "esi": r"\b(epidural|ESI|TFESI|ILESI)\b",
        "facet_mbb": r"\b(medial branch|MBBs?|diagnostic block)",
        "facet_joint_injection": r"\bfacet (joint )?injection",
        "facet_rfa": r"\b(ablation|RFA|radiofrequency|rhizotomy)\b",
        "si_joint_injection": r"\b(sacroiliac|SI joint|SIJ)\b",
        "scs_trial": r"\b(trial|stimulat\w*|SCS)\b",
        "scs_implant": r"\b(implant\w*|stimulat\w*|SCS)\b",
        "vertebral_augmentation": r"\b(kyphoplasty|vertebroplasty|augmentation)\b",
    }.items()
}


def evidence_ref(note: PatientNote, start: int, end: int) -> EvidenceRef:
    """The sentence around ``[start, end)`` of ``note`` as a quotable span."""
    left, right = quote_bounds(note.text, start, end)
    return EvidenceRef(
        note_id=note.note_id, date=note.date, start=left, end=right, quote=note.text[left:right]
    )


def _spans(note: PatientNote, field: str) -> list[Evidence]:
    return [ev for ev in note.facts.evidence if ev.field == field and ev.assertion in _KEPT]


def _once(items: Iterable[tuple[Hashable, T]]) -> list[T]:
    """The first item for each key, in order (one item per sentence, not per span)."""
    seen: dict[Hashable, T] = {}
    for key, item in items:
        seen.setdefault(key, item)
    return list(seen.values())


def _overlapping(hits: Sequence[Span], start: int, end: int) -> Span | None:
    return next((hit for hit in hits if hit.start <= end and start <= hit.end), None)


def therapies(note: PatientNote, detections: Detections) -> list[Therapy]:
    """Therapies the reader marks; the duration from a duration hit over the same words."""
    durations = detections.hits("conservative_care_duration_stated")
    fields = ("elements.conservative_therapy", "elements.conservative_therapy_duration")
    out: list[tuple[Hashable, Therapy]] = []
    for ev in (ev for field in fields for ev in _spans(note, field)):
        ref = evidence_ref(note, ev.start, ev.end)
        hit = _overlapping(durations, ev.start, ev.end)
        days = duration_days(hit.value or hit.text) if hit else None
        item = Therapy(
            modality=modality(ev.rule, ev.text),
            duration_days=days,
            outcome=therapy_outcome(ref.quote),
            evidence=ref,
        )
        out.append(((item.modality, ref.start), item))
    return _once(out)


def scores(note: PatientNote) -> list[Score]:
    """Pain scores (value from the span) and function statements (a named score if any)."""
    out: list[tuple[Hashable, Score]] = []
    for ev in _spans(note, "elements.pain_score"):
        found = pain_score(ev.text)
        ref = evidence_ref(note, ev.start, ev.end)
        item = Score(
            measure="pain",
            scale=found[0] if found else None,
            value=float(found[1]) if found else None,
            evidence=ref,
        )
        out.append((("pain", ev.start), item))
    for ev in _spans(note, "elements.functional_impairment"):
        ref = evidence_ref(note, ev.start, ev.end)
        named = function_score(ref.quote)
        item = Score(
            measure="function",
            scale=named[0] if named else None,
            value=named[1] if named else None,
            evidence=ref,
        )
        out.append((("function", ref.start), item))
    return _once(out)


def imaging(note: PatientNote, detections: Detections) -> list[Imaging]:
    """Imaging statements (reader spans and imaging detector hits), one per sentence."""
    starts = [(ev.start, ev.end) for ev in _spans(note, "elements.imaging_findings")]
    for detector in ("imaging_statement", "fracture_imaging_statement"):
        starts.extend((hit.start, hit.end) for hit in detections.hits(detector))
    out: list[tuple[Hashable, Imaging]] = []
    for start, end in sorted(starts):
        ref = evidence_ref(note, start, end)
        found = dates_in(ref.quote)
        item = Imaging(
            modality=imaging_modality(ref.quote),
            date=found[0] if found else None,
            levels=levels_in(ref.quote),
            sides=sorted(sides_in(ref.quote)),
            evidence=ref,
        )
        out.append((ref.start, item))
    return _once(out)


def diagnoses(note: PatientNote, detections: Detections) -> list[Diagnosis]:
    """Diagnosis lines (the detector) and the reader's diagnosis spans, one per sentence."""
    spans = [(hit.start, hit.end) for hit in detections.hits("diagnosis_line")]
    spans.extend((ev.start, ev.end) for ev in _spans(note, "elements.diagnosis_stated"))
    out: list[tuple[Hashable, Diagnosis]] = []
    for start, end in sorted(spans):
        ref = evidence_ref(note, start, end)
        out.append((ref.start, Diagnosis(codes=icd10_codes(ref.quote), evidence=ref)))
    return _once(out)


def performed(note: PatientNote) -> list[PerformedProcedure]:
    """The procedures a note documents as performed, at the words that name them."""
    out = []
    for index, proc in enumerate(note.facts.procedures):
        spans = _spans(note, f"procedures[{index}].family") or [
            ev for ev in note.facts.evidence if ev.field.startswith(f"procedures[{index}]")
        ]
        start, end = (spans[0].start, spans[0].end) if spans else (0, 0)
        out.append(
            PerformedProcedure(
                family=proc.family,
                levels=list(proc.levels),
                side=proc.laterality,
                region=proc.region,
                date=note.date,
                note_id=note.note_id,
                evidence=evidence_ref(note, start, end),
            )
        )
    return out


def relief_target(
    sentence: str, note: PatientNote, at: int, procedures: Sequence[PerformedProcedure]
) -> int | None:
    """Which procedure a relief sentence of ``note`` (at offset ``at``) is about.

    A date in the sentence picks the procedure of that date; else a sentence after a
    procedure in the same note (not about a "prior" one) is about that procedure; else it
    is about the latest earlier procedure it names (by family words, or any procedure word).
    """
    named = [f for f, words in FAMILY_WORDS.items() if words.search(sentence)]
    dated = set(dates_in(sentence))
    if dated:
        hits = [i for i, p in enumerate(procedures) if p.date in dated]
        matching = [i for i in hits if procedures[i].family in named] or hits
        return matching[-1] if matching else None
    own = [
        i for i, p in enumerate(procedures) if p.note_id == note.note_id and p.evidence.start <= at
    ]
    if own and not _EARLIER.search(sentence):
        return own[-1]
    earlier = [i for i, p in enumerate(procedures) if p.date < note.date]
    by_family = [i for i in earlier if procedures[i].family in named]
    if by_family:
        return by_family[-1]
    if earlier and _PROCEDURE_WORDS.search(sentence):
        return earlier[-1]
    return None


def with_relief(
    notes: Sequence[PatientNote], procedures: Sequence[PerformedProcedure]
) -> list[PerformedProcedure]:
    """The procedures with every relief statement of every note attached to its target."""
    reliefs: dict[int, list[Relief]] = {}
    for note in notes:
        for figure in relief_percents(note.text):
            percent, start, end = figure.percent, figure.start, figure.end
            ref = evidence_ref(note, start, end)
            target = relief_target(ref.quote, note, start, procedures)
            if target is None:
                continue
            relief = Relief(
                percent=percent, duration_days=relief_duration_days(ref.quote), evidence=ref
            )
            reliefs.setdefault(target, []).append(relief)
    return [
        proc.model_copy(update={"relief": reliefs.get(i, [])}) for i, proc in enumerate(procedures)
    ]


def _gather(notes: Sequence[PatientNote], read: Callable[[PatientNote], Sequence[T]]) -> list[T]:
    return [item for note in notes for item in read(note)]


def build_timeline(
    notes: Sequence[PatientNote], registry: ChecklistRegistry, patient: str | None = None
) -> Timeline:
    """The timeline of ``notes`` (oldest first), with contradictions between notes listed."""
    ordered = sorted(notes, key=lambda n: (n.date, n.note_id))
    detections = {n.note_id: Detections(n.text, registry.detectors, n.layout) for n in ordered}
    procedures = with_relief(ordered, [p for n in ordered for p in performed(n)])
    timeline = Timeline(
        patient=patient,
        notes=[NoteEntry(note_id=n.note_id, date=n.date, kind=n.facts.note_kind) for n in ordered],
        therapies=_gather(ordered, lambda n: therapies(n, detections[n.note_id])),
        scores=_gather(ordered, scores),
        imaging=_gather(ordered, lambda n: imaging(n, detections[n.note_id])),
        procedures=procedures,
        diagnoses=_gather(ordered, lambda n: diagnoses(n, detections[n.note_id])),
    )
    return timeline.model_copy(update={"contradictions": contradictions(timeline)})
