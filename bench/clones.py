"""Clone-detection benchmark: precision/recall on injected clones, and growth with size.

Quality: clones injected into the 2,377 corpus notes (copy-forward and template reuse,
see ``assistant/batch/clones/evaluate.py``); precision and recall of whole-note flags on
them, and the false-positive rate on the corpus's own distinct notes that share a template.
Growth: synthetic notes (sentences of different corpus notes, 5 % of them cloned) at each
size; seconds per size and the growth ratio against linear and quadratic. Run on demand:

    .venv/bin/python bench/clones.py [--sources 300] [--sizes 10000,30000,100000]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from assistant.batch.clones.detect import detect_clones
from assistant.batch.clones.evaluate import (
    INJECTORS,
    clone_free_sources,
    inject,
    note_level_pairs,
    score,
    template_pairs,
)
from assistant.batch.clones.report import CloneNote
from assistant.batch.clones.text import default_settings

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/mtsamples/all-notes.csv.gz"
SENTENCE = re.compile(r"[^.!?\n]{20,400}[.!?]")
SENTENCES_PER_NOTE = 25
CLONE_SHARE = 0.05
csv.field_size_limit(10_000_000)


def corpus_notes() -> list[CloneNote]:
    """The corpus notes (id and text only)."""
    with gzip.open(CORPUS, "rt", encoding="utf-8", newline="") as handle:
        return [CloneNote(row["note_id"], row["text"]) for row in csv.DictReader(handle)]


def quality(sources: int) -> dict[str, Any]:
    """Precision/recall on injected clones and the template false-positive rate."""
    settings = default_settings()
    notes = corpus_notes()
    rng = random.Random(11)
    picked = rng.sample(clone_free_sources(notes, settings), sources)
    injected = inject(notes, picked)
    started = time.perf_counter()
    report = detect_clones(injected.notes, settings)
    seconds = time.perf_counter() - started
    scores = score(injected, report.flags, settings)
    templates = template_pairs(notes, settings)
    flagged = note_level_pairs(report.flags, settings)
    corpus_flagged = {p for p in flagged if not set(p) & injected.injected_ids}
    return {
        "notes": len(injected.notes),
        "injected": len(picked),
        "seconds": round(seconds, 1),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "recall_by_kind": {k: round(v, 4) for k, v in scores.recall_by_kind.items()},
        "template_pairs": len(templates),
        "template_pairs_flagged": len(templates & corpus_flagged),
        "template_fp_rate": round(len(templates & corpus_flagged) / max(1, len(templates)), 4),
        "corpus_pairs_flagged_whole_note": len(corpus_flagged),
        "notes_flagged": len(report.flags),
    }


def synthetic(size: int, pool: list[str], seed: int) -> list[CloneNote]:
    """``size`` notes of random corpus sentences; ``CLONE_SHARE`` of them clone an earlier one."""
    rng = random.Random(seed)
    notes: list[CloneNote] = []
    kinds = list(INJECTORS.values())
    texts: list[str] = []
    for i in range(size):
        if texts and rng.random() < CLONE_SHARE:
            text = kinds[i % len(kinds)](rng.choice(texts), rng, pool)
        else:
            text = "\n".join(rng.sample(pool, SENTENCES_PER_NOTE))
        texts.append(text)
        notes.append(CloneNote(f"s{i}", text))
    return notes


def growth(sizes: list[int]) -> list[dict[str, Any]]:
    """Seconds to detect clones at each size (synthetic notes)."""
    pool = [m.group().strip() for n in corpus_notes() for m in SENTENCE.finditer(n.text)]
    rows = []
    for size in sizes:
        notes = synthetic(size, pool, seed=size)
        started = time.perf_counter()
        report = detect_clones(notes, default_settings())
        seconds = time.perf_counter() - started
        rows.append({"notes": size, "seconds": round(seconds, 1), "flagged": len(report.flags)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    """Run the quality and growth measurements; print JSON and a growth table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(default_settings().label())
    if not args.skip_quality:
        print(json.dumps(quality(args.sources), indent=2), flush=True)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    rows = growth(sizes)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        scale = last["notes"] / first["notes"]
        ratio = last["seconds"] / max(first["seconds"], 1e-9)
        print(
            f"{first['notes']} -> {last['notes']} notes ({scale:.0f}x): time x{ratio:.1f} "
            f"(linear x{scale:.0f}, quadratic x{scale * scale:.0f})"
        )


if __name__ == "__main__":
    main()
