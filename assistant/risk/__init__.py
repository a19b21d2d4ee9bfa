"""Denial-risk score: calibrated logistic model, explained per factor, retrainable."""

from assistant.risk.explain import score_risk
from assistant.risk.features import RiskFinding, RiskInput, risk_input_from_check
from assistant.risk.model import (
    RiskModel,
    RiskModelError,
    RiskModelVersionError,
    load_active_model,
)
from assistant.risk.schema import RiskFactor, RiskScore

__all__ = [
    "RiskFactor",
    "RiskFinding",
    "RiskInput",
    "RiskModel",
    "RiskModelError",
    "RiskModelVersionError",
    "RiskScore",
    "load_active_model",
    "risk_input_from_check",
    "score_risk",
]
