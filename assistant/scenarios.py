"""Billing scenarios: a note, its claim and history, and what a coder expects the check to say.

The checks' own held-out measure (``models/data/scenarios``): writers who never read the
check code wrote each scenario from the rule reference and the public policies, the
expectation first. Scoring is pure: recall of the expected warn/block findings, verdict
accuracy, false alarms on well-documented notes (any warn or block finding) and the
findings raised beyond the expectation. The frozen test part's report names no scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.checks.claims import Claim, ProcedureHistory
from assistant.errors import ChartReadyError, Errors, validation_paths
from assistant.findings import SEVERITY_RANK, Finding, Severity, Verdict, verdict_of_severities

SCENARIOS = Path(__file__).resolve().parents[1] / "models" / "data" / "scenarios"
PARTS = ("val", "test")
FROZEN_PART = "test"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expected(_Strict):
    """The coder's expectation: the verdict and every warn/block rule id that must fire."""

    verdict: Verdict
    findings: list[str] = Field(default_factory=list)
    well_documented: bool


class Scenario(_Strict):
    """One billing scenario as a writer filed it (``why`` says why each finding fires)."""

    scenario_id: str = Field(pattern=r"^bs-[a-z_]+-\d{2}$")
    payer: str
    note: str = Field(min_length=1)
    claim: Claim | None = None
    history: ProcedureHistory | None = None
    expected: Expected
    why: dict[str, str] = Field(default_factory=dict)
    uncovered: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What the check said for one scenario: its verdict and (rule id, severity) findings."""

    verdict: Verdict
    findings: tuple[tuple[str, Severity], ...]

    @classmethod
    def of(cls, verdict: Verdict, findings: Sequence[Finding]) -> Outcome:
        """The outcome of a check's findings, each rule folded into a finding counted too."""
        raised = tuple((rule, f.severity) for f in findings for rule in (f.rule_id, *f.also))
        return cls(verdict, raised)

    def alarms(self) -> set[str]:
        """Rule ids raised at warn or block severity."""
        return {rule for rule, sev in self.findings if SEVERITY_RANK[sev] >= SEVERITY_RANK["warn"]}


@dataclass
class ScenarioScores:
    """Recall of expected findings, verdict accuracy, false alarms and unexpected findings."""

    expected: int = 0
    found: int = 0
    verdicts_right: int = 0
    scenarios: int = 0
    well_documented: int = 0
    false_alarms: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)
    wrong_verdicts: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def unexpected(self) -> int:
        return sum(self.extra.values())

    @property
    def verdict_accuracy(self) -> float:
        return self.verdicts_right / self.scenarios if self.scenarios else 1.0

    def summary(self) -> dict[str, float | int]:
        """The headline figures (no scenario named: safe for the frozen part)."""
        return {
            "scenarios": self.scenarios,
            "expected_findings": self.expected,
            "recall": round(self.recall, 3),
            "verdict_accuracy": round(self.verdict_accuracy, 3),
            "well_documented": self.well_documented,
            "false_alarms": self.false_alarms,
            "unexpected_findings": self.unexpected,
        }


def score_scenarios(
    scenarios: Sequence[Scenario], outcomes: Mapping[str, Outcome]
) -> ScenarioScores:
    """Score each scenario's outcome against its expectation (keyed by scenario id)."""
    scores = ScenarioScores()
    for scenario in scenarios:
        outcome = outcomes[scenario.scenario_id]
        wanted = set(scenario.expected.findings)
        raised = outcome.alarms()
        scores.scenarios += 1
        scores.expected += len(wanted)
        scores.found += len(wanted & raised)
        for rule in sorted(wanted - raised):
            scores.missed[rule] = scores.missed.get(rule, 0) + 1
        for rule in sorted(raised - wanted):
            scores.extra[rule] = scores.extra.get(rule, 0) + 1
        if outcome.verdict == scenario.expected.verdict:
            scores.verdicts_right += 1
        else:
            scores.wrong_verdicts.append(scenario.scenario_id)
        if scenario.expected.well_documented:
            scores.well_documented += 1
            scores.false_alarms += bool(raised)
    return scores


def parse_scenario(text: str, where: str) -> Scenario:
    """One scenario file's JSON; a bad one is refused with the path of each problem."""
    try:
        return Scenario.model_validate_json(text)
    except ValidationError as exc:
        raise ChartReadyError(Errors.E702, where=where, problem=validation_paths(exc)) from exc


def load_scenarios(folder: Path) -> list[Scenario]:
    """Every ``*.json`` scenario under ``folder``, sorted by id."""
    found = [
        parse_scenario(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(folder.rglob("*.json"))
    ]
    return sorted(found, key=lambda s: s.scenario_id)


def scenario_problems(
    scenarios: Iterable[Scenario], severities: Mapping[str, Severity]
) -> list[str]:
    """What a writer must fix in these scenarios, one line each.

    Unknown rule ids, info rules listed (they are not scored), a verdict the listed rules do
    not imply, and findings listed for a well-documented note.
    """
    problems: list[str] = []
    for s in scenarios:
        named = sorted({*s.expected.findings, *s.why})
        problems += [f"{s.scenario_id}: {rule}" for rule in named if rule not in severities]
        known = [rule for rule in s.expected.findings if rule in severities]
        implied = verdict_of_severities(severities[rule] for rule in known)
        if implied != s.expected.verdict:
            problems.append(f"{s.scenario_id}: expected findings imply {implied}")
        if s.expected.well_documented and s.expected.findings:
            problems.append(f"{s.scenario_id}: well documented but findings expected")
        quiet = [rule for rule in known if severities[rule] == "info"]
        if quiet:
            problems.append(f"{s.scenario_id}: info rules are not scored: {', '.join(quiet)}")
    return problems
