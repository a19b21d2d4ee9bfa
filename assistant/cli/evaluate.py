"""``chartready eval``: score the reader against gold note-facts/v1 annotations.

With no option it scores every known gold set side by side (dev gold, fresh training part,
frozen fresh test part) and the dev-to-fresh gap; ``--set`` or ``--gold``/``--notes`` score
one set with its per-field table. The frozen test part's table never names a note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app
from assistant.evaluate import (
    HEADLINE,
    Counts,
    GoldSet,
    headline,
    known_gold_sets,
    macro_f1,
    ordered,
    report_rows,
    score,
)
from assistant.inputs import iter_sources


def score_set(gold_set: GoldSet, learned: bool | None = None) -> dict[str, Counts]:
    """Read every note of a gold set and score it."""
    from assistant.pipeline import read_notes

    gold_facts = gold_set.gold()
    paths = gold_set.note_paths()
    wanted = [str(paths[note_id]) for note_id in sorted(gold_facts)]
    sources = [s for s in iter_sources(wanted) if s.text is not None]
    pairs = ((s.note_id, s.text or "") for s in sources)
    predicted = {f.note_id: f for f in read_notes(pairs, learned=learned)}
    return score(gold_facts, predicted)


def _field_table(gold_set: GoldSet, fields: dict[str, Counts], size: int) -> Table:
    rows = ordered(report_rows(fields))
    frozen = " (frozen: scores only)" if gold_set.frozen else ""
    table = Table(title=f"ChartReady reader vs {gold_set.name} ({size} notes){frozen}")
    columns = ("field", "P", "R", "F1", "acc", "n")
    for column in (*columns, *(() if gold_set.frozen else ("worst notes",))):
        table.add_column(column)
    for row in rows:
        accuracy = "" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
        cells = [
            row["field"],
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            accuracy,
            str(row["support"]),
        ]
        if not gold_set.frozen:
            cells.append(" ".join(row["worst_notes"][:3]))
        table.add_row(*cells)
    return table


def _side_by_side(results: dict[str, dict[str, float | None]]) -> Table:
    names = list(results)
    table = Table(title="Reader quality by gold set (F1 or accuracy; gap = dev - fresh-test)")
    table.add_column("field")
    for name in names:
        table.add_column(name)
    gap = "dev" in results and "fresh-test" in results
    if gap:
        table.add_column("gap")
    for field in [*HEADLINE, "element macro-F1"]:
        values = [results[name].get(field) for name in names]
        cells = [field, *("" if v is None else f"{v:.3f}" for v in values)]
        if gap:
            dev, test = results["dev"].get(field), results["fresh-test"].get(field)
            cells.append("" if dev is None or test is None else f"{dev - test:+.3f}")
        table.add_row(*cells)
    return table


@app.command("eval")
def evaluate(
    gold: Annotated[Path | None, typer.Option(help="gold JSON Lines (note-facts/v1)")] = None,
    notes: Annotated[Path | None, typer.Option(help="folder of <note_id>.txt notes")] = None,
    gold_set: Annotated[
        str | None, typer.Option("--set", help="dev, fresh-train, fresh-val or fresh-test")
    ] = None,
    learned: Annotated[
        bool | None, typer.Option("--learned/--no-learned", help="override CHARTREADY_LEARNED")
    ] = None,
    output: Annotated[Path | None, typer.Option("--json", help="also write JSON here")] = None,
) -> None:
    """Precision/recall/F1 per field, element micro/macro, per gold set and side by side."""
    console = Console(width=160)
    known = {s.name: s for s in known_gold_sets()}
    if gold is not None or notes is not None:
        if gold is None or notes is None:
            raise typer.BadParameter("--gold and --notes go together")
        chosen = [GoldSet.of(gold.name, gold, notes)]
    elif gold_set is not None:
        if gold_set not in known:
            raise typer.BadParameter(f"unknown set {gold_set!r}; known: {', '.join(known)}")
        chosen = [known[gold_set]]
    else:
        chosen = [s for s in known.values() if s.available]
    payload: dict[str, object] = {}
    summary: dict[str, dict[str, float | None]] = {}
    for one in chosen:
        fields = score_set(one, learned)
        size = len(one.gold())
        if len(chosen) == 1:
            console.print(_field_table(one, fields, size))
            console.print(f"element macro-F1: {macro_f1(fields):.3f}")
        summary[one.name] = headline(fields)
        rows = ordered(report_rows(fields))
        if one.frozen:
            rows = [{k: v for k, v in row.items() if k != "worst_notes"} for row in rows]
        payload[one.name] = {"notes": size, "rows": rows, "headline": summary[one.name]}
    if len(chosen) > 1:
        console.print(_side_by_side(summary))
    if output is not None:
        output.write_text(json.dumps(payload, indent=2), encoding="utf-8")
