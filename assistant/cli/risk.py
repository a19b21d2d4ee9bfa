"""``chartready train`` and ``chartready models list|use``: the denial-risk model's lifecycle."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.cli import app, fail
from assistant.errors import ChartReadyError, RiskModelError

if TYPE_CHECKING:
    from assistant.remittances.training import RemittanceOutcomes
    from assistant.risk.schema import Comparison
    from assistant.risk.train import TrainResult
    from assistant.risk.training_data import TrainingRow

models_app = typer.Typer(help="List risk-model versions and choose the active one.")
app.add_typer(models_app, name="models")

DEFAULT_SIMULATED_ROWS = 20000


def _file_rows(
    outcomes: Path | None, features: Path | None, simulate: int | None, seed: int, err: Console
) -> tuple[list[TrainingRow], str, str, bool]:
    """Rows of an outcomes CSV, a features JSONL or the simulator: (rows, source, sha256, sim)."""
    from assistant.pipeline import training_rows
    from assistant.risk import simulate as simulator
    from assistant.risk import training_data

    if outcomes is not None:
        table = training_data.read_outcomes_csv(outcomes)
        err.print(f"checking {len(table)} notes ...")
        return training_rows(table), outcomes.name, training_data.sha256_file(outcomes), False
    if features is not None:
        rows = training_data.read_features_jsonl(features)
        return rows, features.name, training_data.sha256_file(features), False
    n = simulate or DEFAULT_SIMULATED_ROWS
    rows = training_data.rows_from_simulation(simulator.simulate(n, seed))
    source = f"{simulator.simulator_config().version} (n={n}, seed={seed})"
    return rows, source, training_data.sha256_rows(rows), True


def _remittance_rows(
    database_url: str | None, err: Console
) -> tuple[list[TrainingRow], RemittanceOutcomes, str]:
    """Rows from stored checks matched to imported remittances; left-out lines are counted."""
    from assistant.pipeline import stored_training_rows
    from assistant.remittances.training import stored_outcomes
    from assistant.store import Database, RemittanceRepository

    database = Database(database_url)
    try:
        database.migrate()
        with database.session() as session:
            gathered = stored_outcomes(RemittanceRepository(session))
    finally:
        database.dispose()
    rows, unreadable = stored_training_rows(gathered.outcomes)
    gathered.drop_unreadable(unreadable)
    err.print(
        f"{len(rows)} checked claims from {gathered.lines_used} remitted lines; "
        f"{_excluded(gathered.excluded)}",
        highlight=False,
    )
    return rows, gathered, f"remittances in the {database.backend} store"


def _excluded(excluded: Mapping[str, int]) -> str:
    """``12 lines not used (7 unmatched, 5 reversed or superseded)``."""
    parts = [f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(excluded.items()) if n]
    return f"{sum(excluded.values())} lines not used" + (f" ({', '.join(parts)})" if parts else "")


def _report(result: TrainResult, activate: bool) -> None:
    """The held-out metrics, where the model was written, and whether it is active."""
    from assistant.risk.model import PLOT_FILE

    out = Console()
    manifest = result.manifest
    m = manifest.metrics
    period = manifest.training_data.remittances
    held_out = f"held-out month {period.held_out_month}" if period else "held-out split"
    report = Table(title=f"risk model {manifest.version} ({held_out})")
    report.add_column("metric")
    report.add_column("value", justify="right")
    if period is not None:
        report.add_row("held-out month", period.held_out_month)
        report.add_row("dates of service", f"{period.first_service} to {period.last_service}")
        report.add_row("remitted lines used", str(period.lines_used))
        report.add_row("remitted lines not used", _excluded(period.lines_excluded))
    report.add_row("rows train / test", f"{m.n_train} / {m.n_test}")
    report.add_row("positive rate (test)", f"{m.base_rate_test:.3f}")
    report.add_row("ROC AUC", f"{m.roc_auc:.3f}")
    report.add_row("Brier score", f"{m.brier:.4f} (base rate {m.brier_base_rate:.4f})")
    report.add_row("log loss", f"{m.log_loss:.4f}")
    report.add_row("calibration error (ECE)", f"{m.expected_calibration_error:.4f}")
    out.print(report)
    assert result.path is not None
    out.print(f"written: {result.path}", highlight=False)
    out.print(f"calibration plot: {result.path / PLOT_FILE}", highlight=False)
    if manifest.comparison is not None:
        verdict = _verdict(manifest.comparison, manifest.version)
        out.print(verdict, highlight=False, soft_wrap=True)
    elif not activate:
        out.print(f"activate with: chartready models use {manifest.version}")


def _verdict(c: Comparison, version: str) -> str:
    """Which model won the held-out month, in one line."""
    if c.active_log_loss is None:
        return f"new model {version} is now active (no active model to compare: {c.active_problem})"
    versus = f"log loss on {c.held_out}: new {c.new_log_loss:.4f}, {c.active_version} "
    versus += f"{c.active_log_loss:.4f}"
    if c.winner == "new":
        return f"new model {version} won ({versus}); it is now active"
    return f"active model {c.active_version} won ({versus}); ACTIVE unchanged"


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
    from_remittances: Annotated[
        bool,
        typer.Option(
            "--from-remittances",
            help="Train on imported 835 outcomes of stored checks; hold out the latest month "
            "and activate only if it beats the active model there.",
        ),
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="With --from-remittances: overrides CHARTREADY_DATABASE_URL."
        ),
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
    from assistant.risk import train as training
    from assistant.risk import training_data

    err = Console(stderr=True)
    sources = (outcomes, features, simulate, from_remittances or None)
    if sum(x is not None for x in sources) != 1:
        raise fail("give exactly one of --outcomes, --features, --simulate, --from-remittances")
    if from_remittances and activate:
        raise fail("--from-remittances activates only a model that beats the active one")
    try:
        if from_remittances:
            rows, gathered, source = _remittance_rows(database_url, err)
            result = training.train_held_out_month(
                rows,
                source=source,
                sha256=training_data.sha256_rows(rows),
                lines_used=gathered.lines_used,
                lines_excluded=gathered.excluded,
                version=version,
                seed=seed,
                root=models_dir,
            )
        else:
            rows, source, digest, simulated = _file_rows(outcomes, features, simulate, seed, err)
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
    _report(result, activate)


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
