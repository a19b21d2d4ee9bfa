"""``chartready extract``: note-facts/v1 (with evidence) for notes, files or tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assistant.cli import app
from assistant.facts import NoteFacts
from assistant.inputs import NoteSource, iter_sources

PROGRESS_THRESHOLD = 5


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


def _readable(sources: list[NoteSource], errors: list[str]) -> Iterator[tuple[str, str]]:
    for source in sources:
        if source.text is None:
            errors.append(source.error or f"{source.note_id}: unreadable")
            continue
        yield source.note_id, source.text


def _table(facts: NoteFacts) -> Table:
    table = Table(title=f"{facts.note_id} · {facts.note_kind}")
    table.add_column("field")
    table.add_column("value")
    for p in facts.procedures:
        table.add_row(
            "procedure",
            f"{p.family} {p.approach or ''} {p.region or ''} {','.join(p.levels)} "
            f"{p.laterality or ''} guidance={p.guidance} contrast={p.contrast}",
        )
    table.add_row("planned", ", ".join(facts.planned_procedures) or "-")
    for name, value in facts.elements.model_dump().items():
        table.add_row(name, "yes" if value else "-")
    return table


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help=".txt notes, folders, .csv(.gz), or -")],
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.jsonl,
    learned: Annotated[
        bool | None,
        typer.Option(
            "--learned/--no-learned",
            help="learned second opinion (default: CHARTREADY_LEARNED, off)",
        ),
    ] = None,
) -> None:
    """Extract note-facts/v1 with evidence; JSON Lines on stdout in input order."""
    from assistant.reader.read import read_notes

    err = Console(stderr=True)
    out = Console()
    errors: list[str] = []
    sources = list(iter_sources(paths))
    with Progress(console=err, disable=len(sources) <= PROGRESS_THRESHOLD) as progress:
        task = progress.add_task("reading notes", total=len(sources))
        for facts in read_notes(_readable(sources, errors), learned=learned):
            if output_format is OutputFormat.jsonl:
                sys.stdout.write(json.dumps(facts.to_json_dict()) + "\n")
            else:
                out.print(_table(facts))
            progress.advance(task)
        progress.update(task, completed=len(sources))
    for message in errors:
        err.print(f"[red]error[/red] {message}", highlight=False, soft_wrap=True)
    if errors:
        raise typer.Exit(code=1)
