"""Read every note of all-notes.csv.gz; count failures and pain procedures by specialty.

    .venv/bin/python bench/robustness.py

Notes from specialties unrelated to pain management should get no pain procedure (a
surgery documented as the note's procedure is family "other", not a pain procedure).
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

from assistant.reader.read import read_notes

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/mtsamples/all-notes.csv.gz"
PAIN_ADJACENT = ("pain management", "orthopedic", "neurosurgery", "neurology", "physical medicine")
csv.field_size_limit(10_000_000)


def main() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["text"].strip()]
    specialty = {r["note_id"]: r["specialties"].lower() for r in rows}
    hits: Counter[str] = Counter()
    unrelated: list[tuple[str, str, list[str]]] = []
    done = 0
    for facts in read_notes((r["note_id"], r["text"]) for r in rows):
        done += 1
        pain: list[str] = [p.family for p in facts.procedures if p.family != "other"]
        if pain:
            spec = specialty[facts.note_id]
            hits[spec] += 1
            if not any(word in spec for word in PAIN_ADJACENT):
                unrelated.append((facts.note_id, spec, pain))
    print(f"read {done} of {len(rows)} notes with no exception")
    print(f"notes outside pain-adjacent specialties with a pain procedure: {len(unrelated)}")
    for note_id, spec, families in unrelated[:40]:
        print(f"  {note_id}  {spec[:60]:<60} {families}")


if __name__ == "__main__":
    main()
