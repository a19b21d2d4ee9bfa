"""Outcome simulator: labelled scenarios for the default model, from published audit figures.

We have no remittance data, so the shipped model is trained on scenarios drawn from the
generative story documented in ``simulator.v1.yaml`` (every number there is a published
OIG/SMRC audit figure or a labelled assumption). The result is a prior with the right *direction*
(documented problems raise risk; edits deny more reliably than records reviews), not a
measured denial rate. A practice replaces it by training on its own outcomes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

import numpy as np

from assistant.datafiles import load_yaml
from assistant.errors import Errors, RuleFileError
from assistant.findings import FindingCore, Severity, Status
from assistant.risk.features import DATA, RiskInput, feature_config
from assistant.risk.schema import Outcome, SimulatorConfig

SIMULATOR_FILE = "simulator.v1.yaml"
_FAMILY_EXAMPLE = {
    "esi": "esi",
    "facet": "facet_mbb",
    "si_joint": "si_joint_injection",
    "trigger_point": "trigger_point",
    "joint": "joint_injection",
    "nerve_block": "peripheral_nerve_block",
    "neuromodulation": "scs_trial",
    "vertebral_augmentation": "vertebral_augmentation",
    "other_procedure": "other",
}


@dataclass(frozen=True)
class SimulatedCase:
    """One simulated check with its outcome and the latent truth behind it."""

    input: RiskInput
    outcome: Outcome
    noncompliant: bool


@lru_cache(maxsize=1)
def simulator_config() -> SimulatorConfig:
    """The packaged simulator assumptions (loaded once)."""
    config = load_yaml(DATA / SIMULATOR_FILE, SimulatorConfig)
    families = set(config.families) - {"none"}
    unknown = sorted(families - set(feature_config().family_groups))
    if unknown:
        errors = f"[families] unknown families {unknown}"
        raise RuleFileError(Errors.E001, file=SIMULATOR_FILE, errors=errors)
    return config


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    cumulative = list(accumulate(weights[n] for n in names))
    return names[min(bisect_right(cumulative, rng.random() * cumulative[-1]), len(names) - 1)]


def _findings(status: Status, severity: Severity, n: int, start: int) -> list[FindingCore]:
    return [
        FindingCore(rule_id=f"SIM-{status.upper()}-{start + k}", severity=severity, status=status)
        for k in range(n)
    ]


def _verdict(findings: list[FindingCore]) -> str:
    if any(f.severity == "block" for f in findings):
        return "not_billable"
    if any(f.severity == "warn" for f in findings):
        return "needs_attention"
    return "ready"


def simulate_case(rng: np.random.Generator, config: SimulatorConfig) -> SimulatedCase:
    """Draw one scenario and its outcome (see the story in ``simulator.v1.yaml``)."""
    group = _choice(rng, {g: p.weight.value for g, p in config.families.items()})
    family = config.families[group]
    payer = _choice(rng, {g: p.weight.value for g, p in config.payers.items()})
    has_claim = bool(rng.random() < config.claim_present.value)
    charge = float(family.charge_median.value * np.exp(rng.normal(0, config.charge_sigma.value)))

    noncompliant = bool(rng.random() < family.noncompliant.value)
    problems: list[Status] = []
    if noncompliant:
        if rng.random() < config.denial.documentation_problem.value:
            contradicted = rng.random() < config.denial.contradicted.value
            problems.append("contradicted" if contradicted else "missing")
        if rng.random() < family.limit_exceeded.value:
            problems.append("limit_exceeded")
        if rng.random() < family.unsupported_code.value:
            problems.append("unsupported_code")

    det = config.detection
    findings: list[FindingCore] = []
    for status in problems:
        n = 1 + int(rng.poisson(det.extra_findings_mean.value))
        severity: Severity = "block" if rng.random() < det.sensitivity.value else "warn"
        findings += _findings(status, severity, n, len(findings))
    if not noncompliant and rng.random() < det.false_block.value:
        findings += _findings("missing", "block", 1, len(findings))
    warn_mean = det.problem_warn_mean.value if noncompliant else det.clean_warn_mean.value
    findings += _findings("missing", "warn", int(rng.poisson(warn_mean)), len(findings))
    findings += _findings("missing", "info", int(rng.poisson(det.info_mean.value)), 100)

    den = config.denial
    review = config.payers[payer].review.value
    if has_claim:
        review = min(1.0, review * (charge / 500.0) ** den.charge_review_elasticity.value)
    denied = rng.random() < den.background.value
    partial = False
    if "limit_exceeded" in problems and rng.random() < den.limit_edit.value:
        denied = True
    if {"missing", "contradicted"} & set(problems) and rng.random() < review:
        denied = denied or bool(rng.random() < den.denied_when_reviewed.value)
    if not denied and "unsupported_code" in problems and rng.random() < den.coding_edit.value:
        partial = bool(rng.random() < den.partial_share_coding.value)
        denied = not partial
    outcome: Outcome = "denied" if denied else "partial" if partial else "paid"

    inp = RiskInput(
        families=[] if group == "none" else [_FAMILY_EXAMPLE[group]],
        findings=findings,
        verdict=_verdict(findings),
        payer=None if payer == "unknown" else payer,
        total_charge=round(charge, 2) if has_claim else None,
        has_claim=has_claim,
    )
    return SimulatedCase(inp, outcome, noncompliant)


def simulate(n: int, seed: int, config: SimulatorConfig | None = None) -> list[SimulatedCase]:
    """``n`` reproducible scenarios from ``seed``."""
    rng = np.random.default_rng(seed)
    config = config or simulator_config()
    return [simulate_case(rng, config) for _ in range(n)]


def assumptions_table(config: SimulatorConfig | None = None) -> list[tuple[str, float, str]]:
    """Every simulator number as (path, value, source), for the model card."""
    config = config or simulator_config()
    rows: list[tuple[str, float, str]] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict) and set(node) == {"value", "source"}:
            rows.append((prefix, float(node["value"]), str(node["source"])))
        elif isinstance(node, dict):
            for key, child in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), child)

    walk("", config.model_dump(exclude={"version"}))
    return rows
