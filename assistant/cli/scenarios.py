"""``chartready scenarios validate|score``: the checks measured on held-out billing scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app, fail
from assistant.errors import ChartReadyError

scenarios_app = typer.Typer(
    help="Held-out billing scenarios: validate them, score the checks on them.",
    no_args_is_help=True,
)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="folder of scenario JSON files")],
) -> None:
    """Check each scenario's shape, its rule ids, and that its verdict follows from them."""
    from assistant.pipeline import rule_severities
    from assistant.scenarios import load_scenarios, scenario_problems

    try:
        scenarios = load_scenarios(folder)
    except ChartReadyError as exc:
        raise fail(exc) from None
    problems = scenario_problems(scenarios, rule_severities())
    console = Console()
    for problem in problems:
        console.print(f"[red]problem[/red] {problem}", highlight=False)
    console.print(f"{len(scenarios)} scenarios, {len(problems)} problems")
    if problems:
        raise typer.Exit(code=1)


@scenarios_app.command("score")
def score(
    part: Annotated[str, typer.Option(help="val or test (test: scores only)")] = "val",
    output: Annotated[Path | None, typer.Option("--json", help="also write JSON here")] = None,
) -> None:
    """Run every scenario of a part through the full check; recall, verdicts, false alarms."""
    from assistant.pipeline import check_note
    from assistant.scenarios import (
        FROZEN_PART,
        PARTS,
        SCENARIOS,
        Outcome,
        load_scenarios,
        score_scenarios,
    )

    if part not in PARTS:
        raise typer.BadParameter(f"unknown part {part!r}; known: {', '.join(PARTS)}")
    scenarios = load_scenarios(SCENARIOS / part)
    if not scenarios:
        raise fail(f"no scenarios under {SCENARIOS / part}")
    outcomes = {}
    for s in scenarios:
        result = check_note(
            s.note, note_id=s.scenario_id, payer=s.payer, claim=s.claim, history=s.history
        )
        outcomes[s.scenario_id] = Outcome.of(result.verdict, result.findings)
    scores = score_scenarios(scenarios, outcomes)
    summary = scores.summary()
    table = Table(title=f"ChartReady checks vs billing scenarios ({part})")
    table.add_column("measure")
    table.add_column("value")
    for key, value in summary.items():
        table.add_row(key, str(value))
    console = Console(width=160)
    console.print(table)
    payload: dict[str, object] = {"part": part, **summary}
    if part != FROZEN_PART:
        detail = {
            "missed": scores.missed,
            "unexpected": scores.extra,
            "wrong_verdicts": scores.wrong_verdicts,
        }
        console.print_json(data=detail)
        payload.update(detail)
    if output is not None:
        output.write_text(json.dumps(payload, indent=2), encoding="utf-8")
