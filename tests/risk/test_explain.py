from __future__ import annotations

import math

import pytest

from assistant.findings import FindingCore
from assistant.risk import RiskInput, load_active_model, score_risk
from assistant.risk.explain import band_for, sigmoid
from assistant.risk.features import vectorize
from assistant.risk.model import RiskModel
from assistant.risk.schema import Bands
from assistant.risk.train import TrainResult

SCENARIOS = [
    RiskInput(),
    RiskInput(
        families=["esi"], payer="medicare", verdict="ready", has_claim=True, total_charge=900
    ),
    RiskInput(
        families=["facet_mbb"],
        payer="medicare_advantage_example",
        verdict="not_billable_as_documented",
        has_claim=True,
        total_charge=2400,
        findings=[
            FindingCore(rule_id="FAC-002", severity="block", status="missing"),
            FindingCore(rule_id="COD-007", severity="block", status="unsupported_code"),
            FindingCore(rule_id="PRE-010", severity="warn", status="missing"),
            FindingCore(rule_id="PROC-11", severity="info", status="missing"),
        ],
    ),
]


def _models(trained: TrainResult) -> list[RiskModel]:
    return [trained.as_model(), load_active_model()]


@pytest.mark.parametrize("inp", SCENARIOS)
def test_score_contributions_sum_to_logit(trained: TrainResult, inp: RiskInput) -> None:
    for model in _models(trained):
        score = score_risk(inp, model)
        x = vectorize(inp).values.reshape(1, -1)
        logit = float(model.estimator.decision_function(x)[0])
        assert math.fsum(f.contribution for f in score.factors) == pytest.approx(logit, abs=1e-9)
        assert score.logit == pytest.approx(logit, abs=1e-9)
        assert score.probability == pytest.approx(model.estimator.predict_proba(x)[0, 1])
        assert score.factors[0].name == "baseline"
        assert score.model_version == model.version


def test_score_factors_name_their_findings(trained: TrainResult) -> None:
    score = score_risk(SCENARIOS[2], trained.as_model())
    ids = {f.name: f.finding_ids for f in score.factors}
    assert ids["findings.block.missing"] == ["FAC-002"]
    assert ids["findings.block.unsupported_code"] == ["COD-007"]
    assert ids["findings.info"] == ["PROC-11"]
    magnitudes = [abs(f.contribution) for f in score.factors[1:]]
    assert magnitudes == sorted(magnitudes, reverse=True)


@pytest.mark.parametrize(
    ("probability", "band"), [(0.0, "low"), (0.1, "low"), (0.2, "medium"), (0.4, "high")]
)
def test_band_for_cut_points(probability: float, band: str) -> None:
    assert band_for(probability, Bands(low_below=0.15, high_from=0.4)) == band


@pytest.mark.parametrize("logit", [-800.0, -3.0, 0.0, 2.5, 800.0])
def test_sigmoid_is_stable(logit: float) -> None:
    p = sigmoid(logit)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(1 / (1 + math.exp(-max(min(logit, 700), -700))))


def _not_billable(family: str, status: str) -> RiskInput:
    return RiskInput(
        families=[family],
        payer="medicare",
        verdict="not_billable_as_documented",
        has_claim=True,
        total_charge=800,
        findings=[
            FindingCore(rule_id="X-001", severity="block", status=status),  # type: ignore[arg-type]
            FindingCore(rule_id="X-002", severity="warn", status="missing"),
        ],
    )


def _documented(family: str) -> RiskInput:
    return RiskInput(
        families=[family], payer="medicare", verdict="ready", has_claim=True, total_charge=800
    )


@pytest.mark.parametrize("family", ["esi", "facet_mbb", "si_joint_injection", "trigger_point"])
@pytest.mark.parametrize(
    "status", ["missing", "contradicted", "unsupported_code", "limit_exceeded"]
)
def test_shipped_model_ranks_not_billable_above_documented(family: str, status: str) -> None:
    model = load_active_model()
    bad = score_risk(_not_billable(family, status), model)
    good = score_risk(_documented(family), model)
    assert bad.probability > good.probability
    assert good.band == "low"
    assert bad.band != "low"
