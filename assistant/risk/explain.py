"""Score and explain: probability, band and additive per-factor contributions.

The model is a plain logistic regression, so its logit is exactly
``intercept + sum(coef_i * x_i)``. Each non-zero term is one factor (with the findings that
produced it) and the intercept is the ``baseline`` factor, so the factors add up to the
logit that the probability comes from. A post-hoc calibrator (Platt/isotonic) would break
that identity; calibration is checked on held-out data instead (see ``fit.py``).
"""

from __future__ import annotations

import math

from assistant.risk.features import RiskInput, build_space, feature_config, vectorize
from assistant.risk.model import RiskModel, load_active_model
from assistant.risk.schema import Band, Bands, RiskFactor, RiskScore

BASELINE = "baseline"


def sigmoid(logit: float) -> float:
    """Logistic function, stable for large magnitudes."""
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    z = math.exp(logit)
    return z / (1.0 + z)


def band_for(probability: float, bands: Bands) -> Band:
    """``low`` / ``medium`` / ``high`` by the cut points of ``features.v1.yaml``."""
    if probability < bands.low_below:
        return "low"
    if probability >= bands.high_from:
        return "high"
    return "medium"


def factors_for(inp: RiskInput, model: RiskModel) -> list[RiskFactor]:
    """Baseline first, then non-zero contributions by decreasing magnitude."""
    config = feature_config()
    space = build_space(config)
    vec = vectorize(inp, config)
    coef = model.coefficients
    factors = [
        RiskFactor(
            name=BASELINE,
            label="baseline (clean note, no claim, unknown payer)",
            value=1.0,
            contribution=model.intercept,
        )
    ]
    terms = [
        RiskFactor(
            name=name,
            label=label,
            value=float(vec.values[i]),
            contribution=float(coef[i] * vec.values[i]),
            finding_ids=list(vec.finding_ids[i]),
        )
        for i, (name, label) in enumerate(zip(space.names, space.labels, strict=True))
        if vec.values[i] != 0.0
    ]
    terms.sort(key=lambda f: -abs(f.contribution))
    return factors + terms


def score_risk(inp: RiskInput, model: RiskModel | None = None) -> RiskScore:
    """Denial-risk score for one checked note (+ optional claim) with its explanation."""
    model = model or load_active_model()
    factors = factors_for(inp, model)
    logit = math.fsum(f.contribution for f in factors)
    probability = sigmoid(logit)
    return RiskScore(
        probability=probability,
        logit=logit,
        band=band_for(probability, feature_config().bands),
        factors=factors,
        model_version=model.version,
    )
