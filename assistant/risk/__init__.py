"""Denial-risk score: calibrated logistic model, explained per factor, retrainable."""

from assistant.risk.explain import score_risk
from assistant.risk.features import RiskInput
from assistant.risk.model import RiskModel, load_active_model
from assistant.risk.schema import RiskFactor, RiskScore

__all__ = [
    "RiskFactor",
    "RiskInput",
    "RiskModel",
    "RiskScore",
    "load_active_model",
    "score_risk",
]
