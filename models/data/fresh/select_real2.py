"""Select 16 more real notes for a second annotated batch (`staging/real2/`), before any annotation.

Same sources and kind of search as `staging/real/selection.json` (injections, blocks, joint
procedures, spine consults and spine/limb surgeries in pain-adjacent specialties), outside
the 88 pain notes and the 60 notes already selected; half of the picks name spinal levels
(the field furthest from its floor on real notes). Seeded: re-running gives the same ids.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2].parent / "shared" / "corpus" / "mtsamples"
SEED = 20261215
SPECIALTIES = re.compile(r"surgery|orthopedic|neurology|neurosurgery|radiology|chiropractic|rheumatology|sports", re.I)
PROCEDURE = re.compile(
    r"\b(inject\w*|block|epidural|facet|laminectomy|discectomy|fusion|foraminotomy|"
    r"kyphoplasty|vertebroplasty|arthrocentesis|aspiration|bursa|radiofrequency|stimulator)\b",
    re.I,
)
LEVEL = re.compile(r"\b[CTL]\d{1,2}\s?[-/]\s?(?:[CTLS]?\d)\b")


def main() -> None:
    csv.field_size_limit(10**8)
    used = {p.stem for p in (CORPUS / "notes").glob("*.txt")}
    used |= set(json.loads((HERE / "staging/real/selection.json").read_text())["note_ids"])
    with gzip.open(CORPUS / "all-notes.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["note_id"] not in used]
    pool = [
        r for r in rows
        if SPECIALTIES.search(r["specialties"]) and PROCEDURE.search(r["text"]) and len(r["text"]) < 9000
    ]
    with_levels = sorted(r["note_id"] for r in pool if LEVEL.search(r["text"]))
    without = sorted(r["note_id"] for r in pool if not LEVEL.search(r["text"]))
    rng = random.Random(SEED)
    picks = rng.sample(with_levels, 8) + rng.sample(without, 8)
    out = {
        "source": "shared/corpus/mtsamples/all-notes.csv.gz",
        "selected_by": "select_real2.py (seed 20261215): pain-adjacent specialties, procedure words, under 9,000 characters, outside the 88 pain notes and staging/real's 60; 8 that name spinal levels and 8 that do not; chosen before any annotation",
        "note_ids": picks,
    }
    (HERE / "staging/real2/selection.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(len(pool), len(with_levels), len(without), picks)


if __name__ == "__main__":
    main()
