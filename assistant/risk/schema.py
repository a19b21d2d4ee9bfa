"""Typed shapes of the risk package: its data files, its output and its model manifest.

Two data files drive the package, both validated on load with ``extra="forbid"`` so a typo
is an error that names its path (``[families -> esi -> noncompliant -> value] ...``):

- ``features.v1.yaml``: the closed vocabularies that turn a ``RiskInput`` into numbers
  (family, payer and verdict groups), the charge scale, the bands and training limits.
- ``simulator.v1.yaml``: every assumption of the outcome simulator, each with its source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.facts import FAMILIES
from assistant.findings import Severity

Band = Literal["low", "medium", "high"]
Outcome = Literal["paid", "denied", "partial"]
MANIFEST_SCHEMA = "risk-model/v1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- features.v1.yaml -------------------------------------------------------------------


class Bands(_Strict):
    """Probability cut points: ``low`` below ``low_below``, ``high`` from ``high_from``."""

    low_below: float = Field(gt=0, lt=1)
    high_from: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.low_below >= self.high_from:
            raise ValueError("low_below must be smaller than high_from")
        return self


class TrainingLimits(_Strict):
    """When training refuses, how much is held out, and the regularisation grid searched."""

    min_rows: int = Field(ge=10)
    min_per_class: int = Field(ge=2)
    test_fraction: float = Field(gt=0, lt=0.5)
    cv_folds: int = Field(ge=2)
    c_grid: list[float] = Field(min_length=1)
    calibration_bins: int = Field(ge=2)


class FeatureConfig(_Strict):
    """The vocabularies and scales that define the model's features (``features.v1.yaml``)."""

    version: str
    family_groups: dict[str, list[str]]
    payer_groups: dict[str, list[str]]
    verdict_groups: dict[str, list[str]]
    verdict_baseline: list[str]
    verdict_driver: dict[str, Severity]
    charge_reference: float = Field(gt=0)
    charge_clip: float = Field(gt=0)
    bands: Bands
    training: TrainingLimits

    @model_validator(mode="after")
    def _drivers_known(self) -> FeatureConfig:
        unknown = sorted(set(self.verdict_driver) - set(self.verdict_groups))
        if unknown:
            raise ValueError(f"verdict_driver names unknown verdict groups {unknown}")
        return self

    @field_validator("family_groups")
    @classmethod
    def _families_known(cls, groups: dict[str, list[str]]) -> dict[str, list[str]]:
        listed = [f for members in groups.values() for f in members]
        unknown = sorted(set(listed) - set(FAMILIES))
        if unknown:
            raise ValueError(f"unknown families {unknown}; see assistant/facts.py")
        missing = sorted(set(FAMILIES) - set(listed))
        if missing:
            raise ValueError(f"families {missing} are in no group")
        if len(listed) != len(set(listed)):
            raise ValueError("a family is listed in two groups")
        return groups


# ---- simulator.v1.yaml ------------------------------------------------------------------


class Param(_Strict):
    """One simulator number and where it comes from (a cited audit figure or an assumption)."""

    value: float = Field(ge=0)
    source: str = Field(min_length=3)

    @field_validator("source")
    @classmethod
    def _cited_or_assumed(cls, source: str) -> str:
        if not source.startswith(("cited:", "assumption")):
            raise ValueError("source must start with 'cited:' (a public report) or 'assumption'")
        return source


class Probability(Param):
    """A ``Param`` that is a probability."""

    value: float = Field(ge=0, le=1)


class FamilyProfile(_Strict):
    """How often a family's claims are noncompliant, and in which ways."""

    weight: Param
    noncompliant: Probability
    limit_exceeded: Probability
    unsupported_code: Probability
    charge_median: Param


class PayerProfile(_Strict):
    """A payer group's share of scenarios and how often it reviews records."""

    weight: Param
    review: Probability


class DetectionProfile(_Strict):
    """How the checker's findings relate to the true (latent) problems."""

    sensitivity: Probability
    extra_findings_mean: Param
    false_block: Probability
    clean_warn_mean: Param
    problem_warn_mean: Param
    info_mean: Param


class DenialProfile(_Strict):
    """Denial mechanisms, combined as a noisy-OR."""

    background: Probability
    limit_edit: Probability
    coding_edit: Probability
    documentation_problem: Probability
    contradicted: Probability
    denied_when_reviewed: Probability
    charge_review_elasticity: Param
    partial_share_coding: Probability


class SimulatorConfig(_Strict):
    """Every assumption of the outcome simulator (``simulator.v1.yaml``)."""

    version: str
    families: dict[str, FamilyProfile]
    payers: dict[str, PayerProfile]
    claim_present: Probability
    charge_sigma: Param
    detection: DetectionProfile
    denial: DenialProfile


# ---- outputs ----------------------------------------------------------------------------


class RiskFactor(_Strict):
    """One additive term of the score on the logit scale, and the findings behind it."""

    name: str
    label: str
    value: float
    contribution: float
    finding_ids: list[str] = Field(default_factory=list)


class RiskScore(_Strict):
    """A denial-risk score: probability, band, and factors that add up to its logit."""

    probability: float = Field(ge=0, le=1)
    logit: float
    band: Band
    factors: list[RiskFactor]
    model_version: str


class RemittancePeriod(_Strict):
    """Rows built from imported remittances: dates of service, held-out month, lines left out.

    ``lines_excluded`` counts, by reason, the remitted lines that gave no training row
    (claims matched to no check, reversals, unreadable stored checks), so none vanish silently.
    """

    first_service: str
    last_service: str
    held_out_month: str
    lines_used: int
    lines_excluded: dict[str, int] = Field(default_factory=dict)


class TrainingData(_Strict):
    """What a model was trained on: where from, a hash of it, and its size."""

    source: str
    sha256: str
    rows: int
    positives: int
    simulated: bool
    remittances: RemittancePeriod | None = None


class Metrics(_Strict):
    """Held-out performance of a model (measured on the split it was not fitted on)."""

    n_train: int
    n_test: int
    base_rate_test: float
    roc_auc: float
    brier: float
    brier_base_rate: float
    log_loss: float
    expected_calibration_error: float
    c: float


class Comparison(_Strict):
    """The new model against the one active when it was trained, on the same held-out rows.

    The new model wins only with a strictly lower log loss; it also wins when no active model
    could be scored (``active_problem`` says why).
    """

    held_out: str
    new_log_loss: float
    active_version: str | None = None
    active_log_loss: float | None = None
    active_problem: str | None = None
    winner: Literal["new", "active"]


class ModelManifest(_Strict):
    """``manifest.json`` beside ``model.joblib``: enough to load, check and explain it."""

    schema_: Literal["risk-model/v1"] = Field(default="risk-model/v1", alias="schema")
    version: str
    created_at: str
    sklearn_version: str
    numpy_version: str
    features_version: str
    features: list[str]
    positive_outcomes: list[Outcome]
    training_data: TrainingData
    metrics: Metrics
    coefficients: dict[str, float]
    intercept: float
    comparison: Comparison | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
