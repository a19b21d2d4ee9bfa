"""Billing scenarios (``models/data/scenarios``): their schema, scoring and frozen test part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import ChartReadyError
from assistant.scenarios import (
    Outcome,
    Scenario,
    parse_scenario,
    score_scenarios,
)

NOTE = "PROCEDURE: Right L4-L5 transforaminal epidural steroid injection under fluoroscopy."


def _scenario(sid: str, findings: list[str], verdict: str, well: bool) -> Scenario:
    data = {
        "scenario_id": sid,
        "payer": "medicare",
        "note": NOTE,
        "claim": {"lines": [{"cpt": "64483", "modifiers": ["RT"]}]},
        "expected": {"verdict": verdict, "findings": findings, "well_documented": well},
    }
    return Scenario.model_validate(data)


def test_scores_count_recall_verdicts_false_alarms_and_extras() -> None:
    scenarios = [
        _scenario("bs-a-01", ["ESI-004", "CLM-002"], "not_billable_as_documented", False),
        _scenario("bs-a-02", [], "ready", True),
        _scenario("bs-a-03", [], "ready", True),
    ]
    outcomes = {
        "bs-a-01": Outcome(
            "not_billable_as_documented",
            (("ESI-004", "warn"), ("CLM-009", "block"), ("BASE-001", "info")),
        ),
        "bs-a-02": Outcome("needs_attention", (("ESI-006", "warn"),)),
        "bs-a-03": Outcome("ready", (("BASE-002", "info"),)),  # info is no alarm
    }
    scores = score_scenarios(scenarios, outcomes)
    assert scores.summary() == {
        "scenarios": 3,
        "expected_findings": 2,
        "recall": 0.5,
        "verdict_accuracy": round(2 / 3, 3),
        "well_documented": 2,
        "false_alarms": 1,
        "unexpected_findings": 2,
    }
    assert scores.missed == {"CLM-002": 1}
    assert scores.extra == {"CLM-009": 1, "ESI-006": 1}
    assert scores.wrong_verdicts == ["bs-a-02"]


def test_a_rule_folded_into_another_finding_counts_as_raised() -> None:
    """One finding per concern: RFA-004 carrying CLM-017 in ``also`` raised both."""
    from assistant.pipeline import check_note

    note = "PROCEDURE: Right L4-L5 medial branch radiofrequency ablation under fluoroscopy."
    finding = next(f for f in check_note(note).findings if f.rule_id == "RFA-004")
    folded = finding.model_copy(update={"also": ["CLM-017"]})
    outcome = Outcome.of("not_billable_as_documented", [folded])
    assert {"RFA-004", "CLM-017"} <= outcome.alarms()


def test_a_bad_scenario_file_names_the_field() -> None:
    bad = {"scenario_id": "bs-a-01", "payer": "medicare", "note": NOTE}
    with pytest.raises(ChartReadyError) as caught:
        parse_scenario(json.dumps(bad), "bs-a-01.json")
    assert caught.value.code == "E702"
    assert "expected" in str(caught.value)
    with pytest.raises(ChartReadyError):
        parse_scenario("{not json", "broken.json")


def test_validate_reports_unknown_rules_and_inconsistent_verdicts(tmp_path: Path) -> None:
    unknown = _scenario("bs-a-01", ["ESI-999"], "needs_attention", False)
    wrong_verdict = _scenario("bs-a-02", ["ESI-003"], "needs_attention", False)  # ESI-003 blocks
    for scenario in (unknown, wrong_verdict):
        path = tmp_path / f"{scenario.scenario_id}.json"
        path.write_text(scenario.model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["scenarios", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "bs-a-01: ESI-999" in result.output
    assert "bs-a-02: expected findings imply not_billable_as_documented" in result.output


# sha256 of test/SHA256SUMS as frozen on 2026-12-05 (30 scenarios: the neuromod, sameday and
# visits writers' 5 each joined the first 15 unchanged); change only with a note in
# models/data/scenarios/README.md saying why the test part changed.
FROZEN_SUMS = "486a52b754dc52ec94bbc8e6f3cd815a1cf546b4d4f13017a64dd46587af4ab4"


def test_the_test_part_is_frozen_and_every_scenario_validates() -> None:
    import hashlib

    from assistant.scenarios import SCENARIOS, load_scenarios

    sums = SCENARIOS / "test" / "SHA256SUMS"
    assert hashlib.sha256(sums.read_bytes()).hexdigest() == FROZEN_SUMS
    listed = dict(reversed(line.split("  ", 1)) for line in sums.read_text().splitlines())
    on_disk = {
        str(p.relative_to(SCENARIOS / "test")): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (SCENARIOS / "test").rglob("*.json")
    }
    assert on_disk == listed
    assert len(load_scenarios(SCENARIOS / "val")) == len(load_scenarios(SCENARIOS / "test")) == 40
    result = CliRunner().invoke(app, ["scenarios", "validate", str(SCENARIOS / "staging")])
    assert result.exit_code == 0, result.output
