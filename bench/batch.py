"""Batch benchmark: notes checked per second, embedded (1 and 2 processes) and Spark local[2].

The 2,377 corpus notes are repeated (with new ids) to ``--notes`` rows in one CSV.gz; each
configuration runs ``chartready batch`` in its own process tree, from a cold start
(interpreter, readers, Spark JVM included), while the tree's resident memory is sampled.
The runs must give the same result lines. Run on demand:

    .venv/bin/python bench/batch.py [--notes 20000] [--configs local1,local2,spark]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from load import proc_tree_rss

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/mtsamples/all-notes.csv.gz"
CONFIGS: dict[str, list[str]] = {
    "local1": ["--processes", "1"],
    "local2": ["--processes", "2"],
    "spark": ["--engine", "spark", "--master", "local[2]"],
}
SAMPLE_SECONDS = 1.0
csv.field_size_limit(10_000_000)


@dataclass
class Run:
    """One configuration's figures."""

    config: str
    notes: int
    seconds: float
    notes_per_s: float
    rss_mb_quartiles: list[float]
    peak_rss_mb: float
    processes_max: int
    results_sha256: str


def write_input(path: Path, notes: int) -> None:
    """The corpus repeated to ``notes`` rows (ids ``<id>~<copy>``), as CSV.gz."""
    with gzip.open(CORPUS, "rt", encoding="utf-8", newline="") as handle:
        rows = [(row["note_id"], row["text"]) for row in csv.DictReader(handle)]
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["note_id", "text"])
        for i in range(notes):
            note_id, text = rows[i % len(rows)]
            writer.writerow([f"{note_id}~{i // len(rows)}", text])


def _lines(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("part-*")):
        yield from path.read_text(encoding="utf-8").splitlines()


def results_digest(out: Path) -> str:
    """A digest of the result lines, independent of their order and part files."""
    digest = hashlib.sha256()
    for line in sorted(_lines(out / "jsonl")):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def _sample(pid: int, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    while not stop.wait(SAMPLE_SECONDS):
        found = proc_tree_rss(pid)
        if found:
            samples.append(found)


def run(config: str, source: Path, workdir: Path, notes: int) -> Run:
    """Run one configuration from a cold start and measure it."""
    out = workdir / f"out-{config}"
    cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
    command = [*cli, "batch", str(source), "--out", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen([*command, *CONFIGS[config]], stderr=subprocess.DEVNULL)
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, samples, stop))
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if code not in (0, 1):
        raise SystemExit(f"{config}: chartready batch exited {code}")
    rss = [mb for mb, _ in samples] or [0.0]
    quartiles = [round(rss[min(len(rss) - 1, len(rss) * q // 4)], 1) for q in (1, 2, 3, 4)]
    return Run(
        config=config,
        notes=notes,
        seconds=round(seconds, 1),
        notes_per_s=round(notes / seconds, 1),
        rss_mb_quartiles=quartiles,
        peak_rss_mb=round(max(rss), 1),
        processes_max=max((count for _, count in samples), default=0),
        results_sha256=results_digest(out),
    )


def main() -> None:
    """Build the input, run each configuration, print a table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--configs", default="local1,local2,spark")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chartready-bench-") as folder:
        workdir = Path(folder)
        source = workdir / "notes.csv.gz"
        write_input(source, args.notes)
        runs = [run(c, source, workdir, args.notes) for c in args.configs.split(",")]
    print(f"{args.notes} notes, {platform.machine()}, Python {platform.python_version()}")
    print("| config | seconds | notes/s | RSS at 25/50/75/100 % of the run (MB) | peak |")
    print("|---|---|---|---|---|")
    for r in runs:
        quartiles = " / ".join(f"{mb:.0f}" for mb in r.rss_mb_quartiles)
        print(f"| {r.config} | {r.seconds} | {r.notes_per_s} | {quartiles} | {r.peak_rss_mb:.0f} |")
    identical = len({r.results_sha256 for r in runs}) == 1
    print(f"identical results across configurations: {identical}")
    report = {"runs": [asdict(r) for r in runs], "identical": identical}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
