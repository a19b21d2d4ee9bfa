"""Typed data of the learned second opinion: configuration, sentence labels, artifact.

Every file is loaded into one of these pydantic models with ``extra="forbid"``, so a typo in
``config.v1.yaml``, a label row or a manifest is refused with a path-precise message.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The elements the learned component may add; rules read these worst in varied prose.
TARGET_ELEMENTS: tuple[str, ...] = (
    "pain_duration",
    "functional_impairment",
    "conservative_therapy",
    "conservative_therapy_failed",
    "prior_block_relief",
)
TargetElement = Literal[
    "pain_duration",
    "functional_impairment",
    "conservative_therapy",
    "conservative_therapy_failed",
    "prior_block_relief",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingConfig(_Strict):
    """Which sentence encoder embeds candidate sentences, and how."""

    model: str
    max_length: int = Field(ge=16, le=256)
    batch_size: int = Field(ge=1, le=256)


class TrainingConfig(_Strict):
    """Seeded split, regularisation and threshold choice of the per-element classifiers."""

    seed: int
    validation_fraction: float = Field(gt=0.0, lt=0.5)
    c: float = Field(gt=0.0)
    threshold_beta: float = Field(gt=0.0)
    min_threshold: float = Field(ge=0.0, lt=1.0)
    min_positives: int = Field(ge=2)


class CorpusConfig(_Strict):
    """How training notes are drawn from the public corpus (never from the dev gold)."""

    specialties: list[str]
    min_pain_mentions: int = Field(ge=0)
    max_sentence_chars: int = Field(ge=40)


class ElementConfig(_Strict):
    """Cheap prefilter of one element: a sentence is a candidate if a keyword matches."""

    keywords: list[str] = Field(min_length=1)


class LearnedConfig(_Strict):
    """``models/learned/config.v1.yaml``."""

    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    embedding: EmbeddingConfig
    training: TrainingConfig
    corpus: CorpusConfig
    elements: dict[TargetElement, ElementConfig]


class LabelRow(_Strict):
    """One labelled sentence: the target elements it documents (all others it does not).

    ``origin`` says how the label was made: ``rules-draft`` rows were proposed from the
    rules' evidence and then read by hand; ``reviewed`` rows were corrected by hand;
    ``handwritten`` sentences were written for this set (PHI-free paraphrases).
    """

    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    text: str = Field(min_length=1)
    positives: list[TargetElement] = Field(default_factory=list)
    origin: Literal["rules-draft", "reviewed", "handwritten"]
    note: str | None = None

    @field_validator("positives")
    @classmethod
    def _unique(cls, value: list[TargetElement]) -> list[TargetElement]:
        if len(set(value)) != len(value):
            raise ValueError("an element is listed twice")
        return sorted(value)

    @model_validator(mode="after")
    def _span(self) -> LabelRow:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ValidationMetrics(_Strict):
    """Held-out (validation split) quality of one classifier at its chosen threshold."""

    n_train: int
    n_validation: int
    positives_train: int
    positives_validation: int
    precision: float
    recall: float
    f1: float
    average_precision: float


class ElementModel(_Strict):
    """One logistic regression over sentence embeddings, with its keywords and threshold."""

    keywords: list[str]
    coef: list[float]
    intercept: float
    threshold: float = Field(gt=0.0, lt=1.0)
    validation: ValidationMetrics


class LearnedModel(_Strict):
    """``models/learned/model.json``: everything needed to score, no pickle involved."""

    version: str
    embedding: EmbeddingConfig
    elements: dict[TargetElement, ElementModel]


class LearnedManifest(_Strict):
    """``models/learned/manifest.json``: provenance of ``model.json``."""

    version: str
    embedding_model: str
    embedding_package: str
    sklearn_version: str
    numpy_version: str
    labels_files: list[str]
    labels_rows: int
    data_sha256: str
    config_sha256: str
    model_sha256: str
    elements: dict[TargetElement, ValidationMetrics]
    thresholds: dict[TargetElement, float]
