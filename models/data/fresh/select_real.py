"""Select more real notes for an annotated batch (`staging/real<N>/`), before any annotation.

    python models/data/fresh/select_real.py real2 20261215 8 8
    python models/data/fresh/select_real.py real3 20261216 10 6
    python models/data/fresh/select_real.py real4 20261217 8 8

Same sources and kind of search as `staging/real/selection.json` (injections, blocks, joint
procedures, spine consults and spine/limb surgeries in pain-adjacent specialties), outside
the 88 pain notes and every earlier batch (`staging/real*/selection.json`); some picks name
spinal levels (the field furthest from its floor on real notes), the others do not. Writes
`selection.json` and the picked notes' text, unchanged, to `notes/`. Seeded: re-running a
batch reproduces both byte for byte.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2].parent / "shared" / "corpus" / "mtsamples"
SPECIALTIES = re.compile(r"surgery|orthopedic|neurology|neurosurgery|radiology|chiropractic|rheumatology|sports", re.I)
PROCEDURE = re.compile(
    r"\b(inject\w*|block|epidural|facet|laminectomy|discectomy|fusion|foraminotomy|"
    r"kyphoplasty|vertebroplasty|arthrocentesis|aspiration|bursa|radiofrequency|stimulator)\b",
    re.I,
)
LEVEL = re.compile(r"\b[CTL]\d{1,2}\s?[-/]\s?(?:[CTLS]?\d)\b")


def main(batch: str, seed: int, with_count: int, without_count: int) -> None:
    csv.field_size_limit(10**8)
    used = {p.stem for p in (CORPUS / "notes").glob("*.txt")}
    for earlier in (HERE / "staging").glob("real*/selection.json"):
        if _order(earlier.parent.name) < _order(batch):
            used |= set(json.loads(earlier.read_text())["note_ids"])
    with gzip.open(CORPUS / "all-notes.csv.gz", "rt", encoding="utf-8") as fh:
        every = list(csv.DictReader(fh))
    rows = [r for r in every if r["note_id"] not in used]
    pool = [
        r for r in rows
        if SPECIALTIES.search(r["specialties"]) and PROCEDURE.search(r["text"]) and len(r["text"]) < 9000
    ]
    with_levels = sorted(r["note_id"] for r in pool if LEVEL.search(r["text"]))
    without = sorted(r["note_id"] for r in pool if not LEVEL.search(r["text"]))
    rng = random.Random(seed)
    picks = rng.sample(with_levels, with_count) + rng.sample(without, without_count)
    out = {
        "source": "shared/corpus/mtsamples/all-notes.csv.gz",
        "selected_by": f"select_real.py {batch} {seed} {with_count} {without_count}: pain-adjacent specialties, procedure words, under 9,000 characters, outside the 88 pain notes and the earlier batches; {with_count} that name spinal levels and {without_count} that do not; chosen before any annotation",
        "note_ids": picks,
    }
    folder = HERE / "staging" / batch
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "selection.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    # the notes' text, unchanged, for the annotators
    (folder / "notes").mkdir(exist_ok=True)
    for row in every:
        if row["note_id"] in picks:
            (folder / "notes" / f"{row['note_id']}.txt").write_text(row["text"], encoding="utf-8")
    print(len(pool), len(with_levels), len(without), picks)


def _order(batch: str) -> int:
    """A batch's place in the sequence: ``real`` is 1, ``real2`` 2, ..."""
    return int(batch.removeprefix("real") or 1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
