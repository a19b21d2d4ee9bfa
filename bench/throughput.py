"""Throughput benchmark: notes/second and peak RSS for the pipelines, side by side.

(a) a bare spaCy tokenizer pass, (b) ``medspacy.load()`` default pipeline, (c) the full
ChartReady reader as shipped (pipeline + fact assembly + the learned layer of
``models/learned``, loaded before timing starts), and with ``--rules`` (d) the reader on
its rules alone. Run on demand:

    .venv/bin/python bench/throughput.py [--limit N] [--rules]

Each configuration runs in its own subprocess so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/mtsamples/all-notes.csv.gz"
csv.field_size_limit(10_000_000)


def load_texts(limit: int | None) -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]
    return texts[:limit] if limit else texts


def run_one(config: str, limit: int | None) -> dict[str, float]:
    texts = load_texts(limit)
    if config == "tokenizer":
        import spacy

        nlp = spacy.blank("en")
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=32):
            pass
    elif config == "medspacy":
        import medspacy
        from loguru import logger

        logger.disable("PyRuSH")
        nlp = medspacy.load()
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=32):
            pass
    else:
        from assistant.reader.pipeline import get_reader
        from assistant.reader.read import read_notes

        learned = config == "chartready"
        get_reader()
        if learned:
            from assistant.learned import default_layer
            from assistant.reader.read import read_note

            if default_layer() is None:
                raise SystemExit("learned layer or MiniLM weights not available")
            read_note("Back pain for two years; she cannot walk far.", "warm-up", learned=True)
        start = time.perf_counter()
        for _facts in read_notes(((str(i), t) for i, t in enumerate(texts)), learned=learned):
            pass
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(len(t) for t in texts)
    return {
        "notes": len(texts),
        "seconds": seconds,
        "notes_per_s": len(texts) / seconds,
        "peak_rss_mb": rss_mb,
        "mean_chars": chars / len(texts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="first N notes only")
    parser.add_argument("--only", choices=["tokenizer", "medspacy", "chartready", "rules"])
    parser.add_argument("--rules", action="store_true", help="also (d) the reader on rules alone")
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_one(args.only, args.limit)))
        return
    results = {}
    configs = ["tokenizer", "medspacy", "chartready"] + (["rules"] if args.rules else [])
    for config in configs:
        cmd = [sys.executable, __file__, "--only", config]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[config] = json.loads(out.strip().splitlines()[-1])
    print(f"machine: {platform.machine()}, {platform.python_version()}, cores: 2 (this project)")
    print(f"{'pipeline':<12}{'notes':>7}{'notes/s':>10}{'peak RSS MB':>13}")
    for name, r in results.items():
        print(f"{name:<12}{r['notes']:>7}{r['notes_per_s']:>10.1f}{r['peak_rss_mb']:>13.0f}")
    ours = results["chartready"]["notes_per_s"]
    print(f"chartready / medspacy.load(): {ours / results['medspacy']['notes_per_s']:.1f}x faster")
    print(f"tokenizer / chartready: {results['tokenizer']['notes_per_s'] / ours:.1f}x")
    if "rules" in results:
        cost = results["rules"]["notes_per_s"] / ours
        print(f"rules alone / as shipped: {cost:.2f}x (cost of the learned layer)")


if __name__ == "__main__":
    main()
