"""Risk features: a small input model and the pure function that turns it into numbers.

``RiskInput`` is all the risk model sees of a check: procedure families, findings (by
severity and status), verdict, payer and claim charge. ``vectorize`` maps it onto the fixed,
named feature list of ``features.v1.yaml``; each value is 0 for a clean note with no claim, an
unknown payer and no procedure, so the model's intercept is the "baseline" factor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.datafiles import load_yaml
from assistant.findings import SEVERITIES, STATUSES, FindingCore, Severity, Status
from assistant.risk.schema import FeatureConfig

FEATURES_FILE = "features.v1.yaml"
DATA = resources.files("assistant.risk")


class RiskInput(BaseModel):
    """Everything the risk model is told about one checked note (and optional claim)."""

    model_config = ConfigDict(extra="forbid")

    families: list[str] = Field(default_factory=list)
    findings: list[FindingCore] = Field(default_factory=list)
    verdict: str | None = None
    payer: str | None = None
    total_charge: float | None = Field(default=None, ge=0)
    has_claim: bool = False


@lru_cache(maxsize=1)
def feature_config() -> FeatureConfig:
    """The packaged feature vocabularies (loaded once)."""
    return load_yaml(DATA / FEATURES_FILE, FeatureConfig)


@dataclass(frozen=True)
class FeatureSpace:
    """The ordered feature names of one feature-config version, with readable labels."""

    version: str
    names: tuple[str, ...]
    labels: tuple[str, ...]


def _finding_feature(severity: Severity, status: Status | None) -> str:
    return f"findings.{severity}" if status is None else f"findings.{severity}.{status}"


def build_space(config: FeatureConfig) -> FeatureSpace:
    """Feature names in model order: findings, families, payers, verdicts, claim."""
    names: list[str] = []
    labels: list[str] = []
    for severity in SEVERITIES:
        if severity == "info":
            names.append(_finding_feature("info", None))
            labels.append("info findings")
            continue
        for status in STATUSES:
            names.append(_finding_feature(severity, status))
            labels.append(f"{severity} findings: {status.replace('_', ' ')}")
    for group in config.family_groups:
        names.append(f"family.{group}")
        labels.append(f"procedure family: {group.replace('_', ' ')}")
    for group in config.payer_groups:
        names.append(f"payer.{group}")
        labels.append(f"payer: {group.replace('_', ' ')}")
    for group in config.verdict_groups:
        names.append(f"verdict.{group}")
        labels.append(f"verdict: {group.replace('_', ' ')}")
    names += ["claim.present", "claim.charge"]
    labels += ["claim attached", "claim charge (log10 of charge / reference)"]
    return FeatureSpace(config.version, tuple(names), tuple(labels))


def normalise(term: str) -> str:
    """Lower-case, with '-', '/' and spaces turned into '_' (for vocabulary matching)."""
    return "_".join(term.strip().lower().replace("-", " ").replace("/", " ").split())


def match_group(term: str | None, groups: Mapping[str, Sequence[str]]) -> str | None:
    """The group whose alias equals ``term`` or is a ``_``-separated prefix of it."""
    if not term:
        return None
    key = normalise(term)
    for group, aliases in groups.items():
        for alias in aliases:
            if key == alias or key.startswith(alias + "_"):
                return group
    return None


def count_value(n: int) -> float:
    """Saturating count transform: log2(1 + n), so 1 finding -> 1.0 and 3 findings -> 2.0."""
    return math.log2(1 + n)


def charge_value(total_charge: float | None, config: FeatureConfig) -> float:
    """log10(charge / reference), clipped; 0 when there is no positive charge."""
    if total_charge is None or total_charge <= 0:
        return 0.0
    raw = math.log10(total_charge / config.charge_reference)
    return max(-config.charge_clip, min(config.charge_clip, raw))


@dataclass(frozen=True)
class Vectorized:
    """A feature vector and, per feature, the finding ids that produced it."""

    values: np.ndarray[Any, np.dtype[np.float64]]
    finding_ids: tuple[tuple[str, ...], ...]


def vectorize(inp: RiskInput, config: FeatureConfig | None = None) -> Vectorized:
    """Map one ``RiskInput`` onto the feature space (pure; no model needed)."""
    config = config or feature_config()
    space = build_space(config)
    index = {name: i for i, name in enumerate(space.names)}
    values = np.zeros(len(space.names), dtype=np.float64)
    ids: list[list[str]] = [[] for _ in space.names]

    counts: dict[str, int] = {}
    for finding in inp.findings:
        status = None if finding.severity == "info" else finding.status
        name = _finding_feature(finding.severity, status)
        counts[name] = counts.get(name, 0) + 1
        if finding.rule_id not in ids[index[name]]:
            ids[index[name]].append(finding.rule_id)
    for name, n in counts.items():
        values[index[name]] = count_value(n)

    family_of = {f: g for g, members in config.family_groups.items() for f in members}
    for family in inp.families:
        group = family_of.get(family, "other_procedure")
        values[index[f"family.{group}"]] = 1.0

    payer = match_group(inp.payer, config.payer_groups)
    if payer is not None:
        values[index[f"payer.{payer}"]] = 1.0
    verdict = match_group(inp.verdict, config.verdict_groups)
    if verdict is not None:
        values[index[f"verdict.{verdict}"]] = 1.0
        driver = config.verdict_driver.get(verdict)
        ids[index[f"verdict.{verdict}"]] = list(
            dict.fromkeys(f.rule_id for f in inp.findings if f.severity == driver)
        )

    if inp.has_claim:
        values[index["claim.present"]] = 1.0
        values[index["claim.charge"]] = charge_value(inp.total_charge, config)
    return Vectorized(values, tuple(tuple(i) for i in ids))


def design_matrix(
    inputs: Iterable[RiskInput], config: FeatureConfig | None = None
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Stack feature vectors (rows in input order)."""
    config = config or feature_config()
    rows = [vectorize(inp, config).values for inp in inputs]
    if not rows:
        return np.zeros((0, len(build_space(config).names)), dtype=np.float64)
    return np.vstack(rows)
