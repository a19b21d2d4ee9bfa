"""``chartready train`` and ``chartready models list|use``: the denial-risk model's lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.cli import app, fail
from assistant.errors import ChartReadyError, RiskModelError

models_app = typer.Typer(help="List risk-model versions and choose the active one.")
app.add_typer(models_app, name="models")

DEFAULT_SIMULATED_ROWS = 20000


@app.command()
def train(
    outcomes: Annotated[
        Path | None,
        typer.Option(help="CSV: note_text or note_path, claim JSON, outcome, carc, ..."),
    ] = None,
    features: Annotated[
        Path | None,
        typer.Option(help="JSONL of precomputed {'input': RiskInput, 'outcome': ...} rows."),
    ] = None,
    simulate: Annotated[
        int | None,
        typer.Option(help="Train the default prior on N simulated scenarios instead."),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Version name (default: UTC timestamp).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the split, CV and simulator.")] = 0,
    models_dir: Annotated[
        Path | None, typer.Option(help="Folder of model versions (default: models/risk).")
    ] = None,
    activate: Annotated[bool, typer.Option(help="Make the new version active.")] = False,
) -> None:
    """Refit the denial-risk model and write it as a new version (never overwriting)."""
    from assistant.pipeline import training_rows
    from assistant.risk import simulate as simulator
    from assistant.risk import train as training
    from assistant.risk import training_data
    from assistant.risk.model import PLOT_FILE

    err = Console(stderr=True)
    out = Console()
    if sum(x is not None for x in (outcomes, features, simulate)) != 1:
        raise fail("give exactly one of --outcomes, --features, --simulate")
    try:
        if outcomes is not None:
            table = training_data.read_outcomes_csv(outcomes)
            err.print(f"checking {len(table)} notes ...")
            rows = training_rows(table)
            source, digest, simulated = outcomes.name, training_data.sha256_file(outcomes), False
        elif features is not None:
            rows = training_data.read_features_jsonl(features)
            source, digest, simulated = features.name, training_data.sha256_file(features), False
        else:
            n = simulate or DEFAULT_SIMULATED_ROWS
            rows = training_data.rows_from_simulation(simulator.simulate(n, seed))
            config = simulator.simulator_config().version
            source, simulated = f"{config} (n={n}, seed={seed})", True
            digest = training_data.sha256_rows(rows)
        result = training.train_and_save(
            rows,
            source=source,
            sha256=digest,
            simulated=simulated,
            version=version,
            seed=seed,
            root=models_dir,
            activate=activate,
        )
    except ChartReadyError as exc:
        raise fail(exc) from exc
    m = result.manifest.metrics
    report = Table(title=f"risk model {result.manifest.version} (held-out split)")
    report.add_column("metric")
    report.add_column("value", justify="right")
    report.add_row("rows train / test", f"{m.n_train} / {m.n_test}")
    report.add_row("positive rate (test)", f"{m.base_rate_test:.3f}")
    report.add_row("ROC AUC", f"{m.roc_auc:.3f}")
    report.add_row("Brier score", f"{m.brier:.4f} (base rate {m.brier_base_rate:.4f})")
    report.add_row("calibration error (ECE)", f"{m.expected_calibration_error:.4f}")
    out.print(report)
    assert result.path is not None
    out.print(f"written: {result.path}", highlight=False)
    out.print(f"calibration plot: {result.path / PLOT_FILE}", highlight=False)
    if not activate:
        out.print(f"activate with: chartready models use {result.manifest.version}")


@models_app.command("list")
def list_models(
    models_dir: Annotated[Path | None, typer.Option(help="Folder of model versions.")] = None,
) -> None:
    """Risk-model versions, their training data and held-out metrics; * marks the active one."""
    from assistant.risk import model as registry

    err = Console(stderr=True)
    try:
        active = registry.active_version(models_dir)
    except RiskModelError:
        active = None
    table = Table(title="risk models")
    for column in ("", "version", "created", "training data", "rows", "AUC", "Brier", "sklearn"):
        table.add_column(column)
    for name in registry.list_versions(models_dir):
        try:
            m = registry.read_manifest(name, models_dir)
        except ChartReadyError as exc:
            err.print(f"[yellow]skipped[/yellow] {exc.code} {escape(str(exc))}", highlight=False)
            continue
        data = m.training_data
        table.add_row(
            "*" if name == active else "",
            name,
            m.created_at,
            ("simulated: " if data.simulated else "") + data.source,
            str(data.rows),
            f"{m.metrics.roc_auc:.3f}",
            f"{m.metrics.brier:.4f}",
            m.sklearn_version,
        )
    Console().print(table)


@models_app.command("use")
def use_model(
    version: Annotated[str, typer.Argument(help="A version listed by `chartready models list`.")],
    models_dir: Annotated[Path | None, typer.Option(help="Folder of model versions.")] = None,
) -> None:
    """Make VERSION the active risk model (after checking that it loads)."""
    from assistant.risk import model as registry

    try:
        registry.set_active(version, models_dir)
    except ChartReadyError as exc:
        raise fail(exc) from exc
    Console().print(f"active risk model: {version}", highlight=False)
