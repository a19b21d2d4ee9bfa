from __future__ import annotations

import math
from typing import Any

import pytest

from assistant.datafiles import load_yaml
from assistant.errors import RuleFileError
from assistant.findings import FindingCore
from assistant.risk.features import (
    RiskInput,
    build_space,
    feature_config,
    match_group,
    vectorize,
)
from assistant.risk.schema import FeatureConfig, SimulatorConfig


def _values(inp: RiskInput) -> dict[str, float]:
    names = build_space(feature_config()).names
    return {n: v for n, v in zip(names, vectorize(inp).values, strict=True) if v}


def test_vectorize_clean_note_is_all_zero() -> None:
    assert _values(RiskInput()) == {}


@pytest.mark.parametrize(("n", "value"), [(1, 1.0), (3, 2.0), (7, 3.0)])
def test_vectorize_counts_saturate_as_log2(n: int, value: float) -> None:
    findings = [FindingCore(rule_id=f"R-{i}", severity="block", status="missing") for i in range(n)]
    assert _values(RiskInput(findings=findings)) == {"findings.block.missing": value}


def test_vectorize_info_findings_pool_statuses() -> None:
    findings = [
        FindingCore(rule_id="A", severity="info", status="missing"),
        FindingCore(rule_id="B", severity="info", status="limit_exceeded"),
    ]
    assert _values(RiskInput(findings=findings)) == {"findings.info": math.log2(3)}


@pytest.mark.parametrize(
    ("payer", "group"),
    [
        ("medicare", "medicare"),
        ("Medicare-Noridian JE", "medicare"),
        ("medicare_advantage_example", "medicare_advantage"),
        ("commercial", "commercial"),
        ("UHC", "commercial"),
        ("tricare", None),
        (None, None),
    ],
)
def test_match_group_payers(payer: str | None, group: str | None) -> None:
    assert match_group(payer, feature_config().payer_groups) == group


@pytest.mark.parametrize(
    ("verdict", "feature"),
    [
        ("not_billable_as_documented", "verdict.not_billable"),
        ("needs_attention", "verdict.needs_attention"),
        ("ready", None),
    ],
)
def test_vectorize_verdict(verdict: str, feature: str | None) -> None:
    values = _values(RiskInput(verdict=verdict))
    assert values == ({feature: 1.0} if feature else {})


@pytest.mark.parametrize(
    ("families", "features"),
    [
        (["facet_mbb", "facet_rfa"], {"family.facet": 1.0}),
        (["esi", "trigger_point"], {"family.esi": 1.0, "family.trigger_point": 1.0}),
        (["genicular"], {"family.joint": 1.0}),
    ],
)
def test_vectorize_family_groups(families: list[str], features: dict[str, float]) -> None:
    assert _values(RiskInput(families=families)) == features


@pytest.mark.parametrize(
    ("charge", "expected"),
    [(500.0, 0.0), (5000.0, 1.0), (50.0, -1.0), (10**9, 2.0), (0.0, 0.0), (None, 0.0)],
)
def test_vectorize_charge_is_clipped_log10(charge: float | None, expected: float) -> None:
    values = _values(RiskInput(has_claim=True, total_charge=charge))
    assert values.get("claim.charge", 0.0) == pytest.approx(expected)
    assert values["claim.present"] == 1.0


def test_vectorize_keeps_finding_ids_per_feature() -> None:
    inp = RiskInput(
        verdict="not_billable",
        findings=[
            FindingCore(rule_id="ESI-001", severity="block", status="missing"),
            FindingCore(rule_id="ESI-001", severity="block", status="missing"),
            FindingCore(rule_id="COD-004", severity="block", status="limit_exceeded"),
            FindingCore(rule_id="PRE-010", severity="warn", status="missing"),
        ],
    )
    names = build_space(feature_config()).names
    ids = dict(zip(names, vectorize(inp).finding_ids, strict=True))
    assert ids["findings.block.missing"] == ("ESI-001",)
    assert ids["findings.block.limit_exceeded"] == ("COD-004",)
    assert ids["verdict.not_billable"] == ("ESI-001", "COD-004")


@pytest.mark.parametrize(
    ("model", "text", "path"),
    [
        (FeatureConfig, "version: x\nbands: {low_below: 0.5, high_from: 0.2}\n", "bands"),
        (
            SimulatorConfig,
            "version: x\nclaim_present: {value: 0.5, source: 'a blog'}\n",
            "claim_present -> source",
        ),
        (
            SimulatorConfig,
            "version: x\nclaim_present: {value: 1.5, source: assumption}\n",
            "claim_present -> value",
        ),
    ],
)
def test_risk_data_errors_name_the_path(model: type[Any], text: str, path: str) -> None:
    with pytest.raises(RuleFileError, match=rf"^test\.yaml: .*\[{path}\]") as info:
        load_yaml("test.yaml", model, text)
    assert info.value.code == "E001"


def test_feature_config_rejects_unknown_family() -> None:
    text = feature_text().replace("esi: [esi]", "esi: [esi, lasik]")
    with pytest.raises(RuleFileError, match="lasik"):
        load_yaml("features.v1.yaml", FeatureConfig, text)


def feature_text() -> str:
    from importlib import resources

    return resources.files("assistant.risk").joinpath("features.v1.yaml").read_text()
