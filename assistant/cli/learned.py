"""``chartready train-learned``: refit the reader's learned layer from the gold sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.cli import app


@app.command("train-learned")
def train_learned(
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="gold sets to train on (default: dev, fresh-train and fresh-val)"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="artifact folder (default: models/learned)")
    ] = None,
    version: Annotated[str, typer.Option(help="version name written to the manifest")] = "",
    cross_validate: Annotated[
        bool, typer.Option(help="only measure: held-out folds, rules vs rules + heads")
    ] = False,
) -> None:
    """Fit the mention, element and note-kind heads; choose thresholds on held-out folds.

    The frozen fresh test set is never used here (``chartready eval`` measures on it).
    """
    from assistant.evaluate import known_gold_sets
    from assistant.learned import learned_dir
    from assistant.learned.examples import load_examples
    from assistant.learned.training import save_layer, train_heads
    from assistant.learned.validation import cross_validate as measure

    err = Console(stderr=True)
    known = {s.name: s for s in known_gold_sets() if not s.frozen}
    chosen = sets or ["dev", "fresh-train", "fresh-val"]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise typer.BadParameter(f"unknown or frozen sets {unknown}; trainable: {list(known)}")
    missing = [name for name in chosen if not known[name].available]
    if missing:
        # a layer trained without a set it was asked for would be a different model
        raise typer.BadParameter(f"gold sets not found on this machine: {missing}")
    examples = load_examples([known[name] for name in chosen])
    err.print(f"training on {len(examples)} notes from {', '.join(chosen)}")
    if cross_validate:
        typer.echo(json.dumps(measure(examples, progress=err.print), indent=1))
        return
    heads, report = train_heads(examples, progress=err.print)
    folder = out or learned_dir()
    manifest = save_layer(heads, report, examples, folder, version)
    typer.echo(json.dumps({"version": manifest["version"], "folder": str(folder)}))
