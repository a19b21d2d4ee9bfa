"""Throughput benchmark: notes/second and peak RSS for the pipelines, side by side.

(a) a bare spaCy tokenizer pass, (b) ``medspacy.load()`` default pipeline, (c) the full
ChartReady reader (pipeline + fact assembly), and with ``--learned`` (d) the reader plus
the learned second opinion (``models/learned``; the encoder loads before timing starts).
Run on demand:

    .venv/bin/python bench/throughput.py [--limit N] [--learned]

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

        learned = config == "learned"
        get_reader()
        if learned:
            from assistant.learned import learned_available
            from assistant.reader.read import read_note

            if not learned_available():
                raise SystemExit("learned model or encoder not available")
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
    parser.add_argument("--only", choices=["tokenizer", "medspacy", "chartready", "learned"])
    parser.add_argument(
        "--learned", action="store_true", help="also (d) reader + learned second opinion"
    )
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_one(args.only, args.limit)))
        return
    results = {}
    configs = ["tokenizer", "medspacy", "chartready"] + (["learned"] if args.learned else [])
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
    if "learned" in results:
        cost = ours / results["learned"]["notes_per_s"]
        print(f"chartready / chartready + learned: {cost:.2f}x (cost of the second opinion)")


if __name__ == "__main__":
    main()
