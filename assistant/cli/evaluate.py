"""``chartready eval``: score the reader against gold note-facts/v1 annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app
from assistant.evaluate import load_gold, macro_f1, ordered, report_rows, score
from assistant.inputs import iter_sources


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Option(help="gold JSON Lines (note-facts/v1)")],
    notes: Annotated[Path, typer.Option(help="folder of <note_id>.txt notes")],
    output: Annotated[Path | None, typer.Option("--json", help="also write JSON here")] = None,
) -> None:
    """Precision/recall/F1 per field, element micro/macro, and the worst notes per field."""
    from assistant.reader.read import read_notes

    gold_facts = load_gold(gold)
    wanted = [str(notes / f"{note_id}.txt") for note_id in sorted(gold_facts)]
    sources = [s for s in iter_sources(wanted) if s.text is not None]
    predicted = {f.note_id: f for f in read_notes((s.note_id, s.text or "") for s in sources)}
    fields = score(gold_facts, predicted)
    rows = ordered(report_rows(fields))
    table = Table(title=f"ChartReady reader vs {gold.name} ({len(gold_facts)} notes)")
    for column in ("field", "P", "R", "F1", "acc", "n", "worst notes"):
        table.add_column(column)
    for row in rows:
        accuracy = "" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
        table.add_row(
            row["field"],
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            accuracy,
            str(row["support"]),
            " ".join(row["worst_notes"][:3]),
        )
    console = Console(width=160)
    console.print(table)
    console.print(f"element macro-F1: {macro_f1(fields):.3f}")
    if output is not None:
        payload = {"rows": rows, "element_macro_f1": round(macro_f1(fields), 3)}
        output.write_text(json.dumps(payload, indent=2), encoding="utf-8")
