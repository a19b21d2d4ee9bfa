"""``chartready train-learned`` and ``chartready eval-learned``: the learned second opinion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app


@app.command("train-learned")
def train_learned(
    labels: Annotated[
        Path | None, typer.Option(help="folder of label *.jsonl (default: models/learned/labels)")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="config YAML (default: models/learned/config.v1.yaml)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="artifact folder (default: models/learned)")
    ] = None,
) -> None:
    """Refit the per-element classifiers from the label files; same data, same weights."""
    from assistant.learned.artifact import build_manifest, write_artifact
    from assistant.learned.data import (
        CONFIG_FILE,
        LABELS_DIR,
        LearnedDataError,
        label_files,
        learned_dir,
        load_config,
        load_labels,
    )
    from assistant.learned.embed import embed
    from assistant.learned.train import train

    err, console = Console(stderr=True), Console()
    config_path = config or learned_dir() / CONFIG_FILE
    paths = label_files(labels or learned_dir() / LABELS_DIR)
    try:
        cfg = load_config(config_path)
        rows = load_labels(paths)
    except LearnedDataError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from exc
    model = train(
        cfg,
        rows,
        lambda texts: embed(
            texts, batch_size=cfg.embedding.batch_size, max_length=cfg.embedding.max_length
        ),
    )
    manifest = build_manifest(model, rows, paths, config_path)
    folder = out or learned_dir()
    write_artifact(folder, model, manifest)
    table = Table(title=f"learned {model.version}: validation split")
    for column in ("element", "threshold", "P", "R", "F1", "AP", "pos train/val"):
        table.add_column(column)
    for name, m in model.elements.items():
        v = m.validation
        table.add_row(
            name,
            f"{m.threshold:.3f}",
            f"{v.precision:.3f}",
            f"{v.recall:.3f}",
            f"{v.f1:.3f}",
            f"{v.average_precision:.3f}",
            f"{v.positives_train}/{v.positives_validation}",
        )
    console.print(table)
    console.print(f"{len(rows)} label rows, data sha256 {manifest.data_sha256[:16]}…, -> {folder}")


@app.command("eval-learned")
def eval_learned(
    gold: Annotated[Path, typer.Option(help="gold JSON Lines (note-facts/v1)")],
    notes: Annotated[Path, typer.Option(help="folder of <note_id>.txt notes")],
    output: Annotated[Path | None, typer.Option("--json", help="also write JSON here")] = None,
) -> None:
    """Per-element F1 with rules only vs rules + learned, and notes/s of each."""
    from assistant.evaluate import load_gold
    from assistant.learned import learned_available
    from assistant.learned.evaluate import compare, element_rows

    if not learned_available():
        Console(stderr=True).print("[red]error[/red] learned model or encoder not available")
        raise typer.Exit(code=2)
    gold_facts = load_gold(gold)
    items = [
        (nid, (notes / f"{nid}.txt").read_text(encoding="utf-8")) for nid in sorted(gold_facts)
    ]
    comparison = compare(gold_facts, items)
    rows = element_rows(comparison)
    table = Table(title=f"rules vs rules + learned on {gold.name} ({comparison.notes} notes)")
    for column in ("field", "n", "rules P/R/F1", "+learned P/R/F1"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["field"]),
            str(row["support"]),
            f"{row['rules_p']:.3f}/{row['rules_r']:.3f}/{row['rules_f1']:.3f}",
            f"{row['learned_p']:.3f}/{row['learned_r']:.3f}/{row['learned_f1']:.3f}",
        )
    console = Console(width=140)
    console.print(table)
    console.print(
        f"throughput: rules {comparison.rules_rate:.1f} notes/s, "
        f"rules + learned {comparison.learned_rate:.1f} notes/s"
    )
    if output is not None:
        payload = {
            "rows": rows,
            "notes": comparison.notes,
            "rules_notes_per_s": round(comparison.rules_rate, 2),
            "learned_notes_per_s": round(comparison.learned_rate, 2),
        }
        output.write_text(json.dumps(payload, indent=2), encoding="utf-8")


@app.command("draft-learned-labels")
def draft_learned_labels(
    out: Annotated[Path, typer.Option(help="where to write the draft JSON Lines")],
    corpus: Annotated[Path, typer.Option(help="the corpus folder (notes/, all-notes.csv.gz)")],
    gold: Annotated[Path, typer.Option(help="dev gold JSON Lines: its notes are excluded")],
) -> None:
    """Draft sentence labels from the rules' evidence, for review by hand (see the guide)."""
    from assistant.learned.data import load_config
    from assistant.learned.draft import banned_sentences, draft_rows, gold_ids, training_notes

    config = load_config()
    excluded = gold_ids(gold)
    notes_dir = corpus / "notes"
    all_notes = corpus / "all-notes.csv.gz"
    notes = training_notes(config, notes_dir, all_notes if all_notes.is_file() else None, excluded)
    banned = banned_sentences(notes_dir, excluded)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for row in draft_rows(config, notes, banned):
            handle.write(json.dumps(row.model_dump(mode="json", exclude_none=True)) + "\n")
            count += 1
    Console().print(f"{count} draft rows from {len(notes)} notes -> {out}")
