"""``chartready batch``: check a whole table of notes, on this machine or on Apache Spark."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from assistant.cli import app, fail


class Engine(StrEnum):
    local = "local"
    spark = "spark"


INPUT_HELP = "CSV(.gz), JSONL(.gz) or Parquet with note_id and text (see the README)"


@app.command()
def batch(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help=INPUT_HELP)],
    out: Annotated[str, typer.Option("--out", help="output folder (must be new, or a killed run)")],
    engine: Annotated[Engine, typer.Option(help="local: this machine; spark: Spark")] = (
        Engine.local
    ),
    processes: Annotated[int, typer.Option(min=0, help="local: processes (0 = one per core)")] = 0,
    master: Annotated[str | None, typer.Option(help="spark: master URL, e.g. local[2]")] = None,
    payer: Annotated[str, typer.Option(help="payer profile for rows without one")] = "commercial",
    chunk_size: Annotated[int, typer.Option(min=1, help="local: rows per committed chunk")] = 256,
) -> None:
    """Check every note of INPUT into Parquet and JSON Lines under --out.

    Rows that cannot be checked are listed in OUT/errors by row and note id (exit code 1);
    a killed local run resumes where it stopped when run again with the same arguments.
    """
    from assistant.errors import ChartReadyError

    err = Console(stderr=True)
    try:
        if engine is Engine.spark:
            checked, skipped = _spark(input_path, out, payer, master, err)
        else:
            checked, skipped = _local(Path(input_path), Path(out), payer, processes, chunk_size)
    except ChartReadyError as exc:
        raise fail(exc) from None
    err.print(f"checked {checked:,} notes, skipped {skipped:,} rows -> {out}", highlight=False)
    if skipped:
        err.print(f"[yellow]skipped rows are listed in {out}/errors[/yellow]", highlight=False)
        raise typer.Exit(code=1)


def _local(path: Path, out: Path, payer: str, processes: int, chunk_size: int) -> tuple[int, int]:
    from assistant.batch.embedded import BatchOptions, run_embedded

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True)) as progress:
        task = progress.add_task("checking notes", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = run_embedded(path, out, BatchOptions(payer, chunk_size), processes, advance)
    return summary.checked, summary.skipped


def _spark(path: str, out: str, payer: str, master: str | None, err: Console) -> tuple[int, int]:
    from assistant.batch.spark import run_spark, spark_session

    with err.status(f"checking notes on Spark ({master or 'from spark-submit'})"):
        session = spark_session(master)
        try:
            summary = run_spark(path, out, payer, master)
        finally:
            session.stop()
    return summary.checked, summary.skipped


@app.command()
def clones(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help=INPUT_HELP)],
    out: Annotated[Path, typer.Option("--out", help="JSON Lines file: one flagged note a line")],
    threshold: Annotated[
        float | None,
        typer.Option(min=0.01, max=1.0, help="whole-note Jaccard to flag (default: settings)"),
    ] = None,
    summary: Annotated[
        Path | None, typer.Option(help="JSON file for the per-provider, per-month shares")
    ] = None,
    engine: Annotated[Engine, typer.Option(help="local: this machine; spark: Spark")] = (
        Engine.local
    ),
    master: Annotated[str | None, typer.Option(help="spark: master URL, e.g. local[2]")] = None,
) -> None:
    """Flag notes that repeat other notes (whole, or their history, exam or plan)."""
    import json

    from assistant.batch.clones.text import default_settings
    from assistant.errors import ChartReadyError

    settings = default_settings()
    if threshold is not None:
        note = settings.note.model_copy(update={"threshold": threshold})
        settings = settings.model_copy(update={"note": note})
    err = Console(stderr=True)
    try:
        with err.status(f"looking for clones ({settings.label()})"):
            if engine is Engine.spark:
                from assistant.batch.clones.spark import detect_clones_spark
                from assistant.batch.spark import spark_session

                session = spark_session(master)
                try:
                    report = detect_clones_spark(input_path, settings, master)
                finally:
                    session.stop()
            else:
                from assistant.batch.clones.detect import detect_clones, read_notes

                report = detect_clones(read_notes(Path(input_path)), settings)
    except ChartReadyError as exc:
        raise fail(exc) from None
    with out.open("w", encoding="utf-8") as handle:
        for flag in report.flags:
            handle.write(flag.model_dump_json() + "\n")
    if summary is not None:
        shares = [share.model_dump(mode="json") for share in report.summary]
        summary.write_text(json.dumps(shares, indent=2) + "\n", encoding="utf-8")
    err.print(
        f"{len(report.flags):,} of {report.notes:,} notes repeat another -> {out}",
        highlight=False,
    )
