from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from assistant.risk.simulate import (
    SimulatedCase,
    assumptions_table,
    simulate,
    simulator_config,
)
from assistant.risk.training_data import label


@pytest.fixture(scope="module")
def cases() -> list[SimulatedCase]:
    return simulate(4000, seed=3)


def test_simulate_is_reproducible() -> None:
    a, b = simulate(50, seed=9), simulate(50, seed=9)
    assert [(c.input, c.outcome) for c in a] == [(c.input, c.outcome) for c in b]
    assert [c.input for c in simulate(50, seed=10)] != [c.input for c in a]


def _rate(cases: list[SimulatedCase], predicate: Callable[[SimulatedCase], bool]) -> float:
    chosen = [label(c.outcome) for c in cases if predicate(c)]
    assert len(chosen) > 100
    return float(np.mean(chosen))


def test_simulate_not_billable_denied_more_than_ready(cases: list[SimulatedCase]) -> None:
    blocked = _rate(cases, lambda c: c.input.verdict == "not_billable")
    ready = _rate(cases, lambda c: c.input.verdict == "ready")
    assert blocked > 2 * ready


def test_simulate_noncompliance_follows_cited_family_rates(cases: list[SimulatedCase]) -> None:
    config = simulator_config()
    for family, group in (("esi", "esi"), ("facet_mbb", "facet")):
        chosen = [c.noncompliant for c in cases if c.input.families == [family]]
        expected = config.families[group].noncompliant.value
        assert np.mean(chosen) == pytest.approx(expected, abs=4 * np.sqrt(0.25 / len(chosen)))


def test_simulate_limit_findings_raise_denials(cases: list[SimulatedCase]) -> None:
    def has_limit(c: SimulatedCase) -> bool:
        return any(f.status == "limit_exceeded" and f.severity == "block" for f in c.input.findings)

    assert _rate(cases, has_limit) > 0.6


def test_assumptions_are_cited_or_labelled() -> None:
    rows = assumptions_table()
    assert len(rows) > 40
    cited = [r for r in rows if r[2].startswith("cited: ")]
    assert {p for p, _, _ in cited} >= {
        "families.esi.noncompliant",
        "families.facet.noncompliant",
        "denial.denied_when_reviewed",
    }
    assert all(s.startswith(("cited: ", "assumption")) for _, _, s in rows)
