"""The timeline's items: each value with the span of the note that states it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.facts import Family, Laterality, NoteKind, Region


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceRef(_Item):
    """A span of one note: ``quote`` is exactly ``text[start:end]`` of that note."""

    note_id: str
    date: dt.date
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str


class Therapy(_Item):
    """A conservative therapy: modality, how long (days), how it went."""

    modality: str
    duration_days: int | None = None
    outcome: Literal["failed", "helped"] | None = None
    evidence: EvidenceRef


class Score(_Item):
    """A pain score (``scale`` "10" or "100") or a function statement/score (ODI, NDI, PEG)."""

    measure: Literal["pain", "function"]
    scale: str | None = None
    value: float | None = None
    evidence: EvidenceRef


class Imaging(_Item):
    """An imaging statement: modality, study date if written, levels and sides named."""

    modality: str | None = None
    date: dt.date | None = None
    levels: list[str] = Field(default_factory=list)
    sides: list[str] = Field(default_factory=list)
    evidence: EvidenceRef


class Relief(_Item):
    """Relief after one procedure as one note states it."""

    percent: int = Field(ge=0, le=100)
    duration_days: float | None = None
    evidence: EvidenceRef


class PerformedProcedure(_Item):
    """A procedure performed (from a procedure note) and the relief stated after it."""

    family: Family
    levels: list[str] = Field(default_factory=list)
    side: Laterality | None = None
    region: Region | None = None
    date: dt.date
    note_id: str
    relief: list[Relief] = Field(default_factory=list)
    evidence: EvidenceRef

    @property
    def relief_percent(self) -> int | None:
        """The first relief figure stated (later differing ones are contradictions)."""
        return self.relief[0].percent if self.relief else None

    @property
    def relief_duration_days(self) -> float | None:
        """The first stated duration of that relief."""
        return next((r.duration_days for r in self.relief if r.duration_days is not None), None)


class Diagnosis(_Item):
    """A diagnosis, impression or indication line and the ICD-10 codes it writes."""

    codes: list[str] = Field(default_factory=list)
    evidence: EvidenceRef


class NoteEntry(_Item):
    note_id: str
    date: dt.date
    kind: NoteKind


class Stated(_Item):
    """One value as one note states it."""

    value: str
    evidence: EvidenceRef


Topic = Literal["therapy_duration", "relief_percent"]


class Contradiction(_Item):
    """Notes that state different values for the same thing (shown side by side)."""

    topic: Topic
    subject: str
    values: list[Stated] = Field(min_length=2)


class Timeline(_Item):
    """Everything the patient's notes show, oldest first; contradictions listed, not merged."""

    patient: str | None = None
    notes: list[NoteEntry] = Field(default_factory=list)
    therapies: list[Therapy] = Field(default_factory=list)
    scores: list[Score] = Field(default_factory=list)
    imaging: list[Imaging] = Field(default_factory=list)
    procedures: list[PerformedProcedure] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
