"""Batch test inputs: corpus notes with a provider, date and claim, and bad rows."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
NOTES = 16
FIELDS = ["note_id", "provider", "date_of_service", "payer", "text", "claim"]
BAD_ROWS: list[dict[str, Any]] = [
    {"note_id": "", "text": "Procedure: lumbar injection."},  # no id
    {"note_id": "empty-note", "text": "   "},
    {"note_id": "twice", "text": "Procedure: first copy."},
    {"note_id": "twice", "text": "Procedure: second copy."},
    {"note_id": "bad-date", "date_of_service": "03/04/2025", "text": "Procedure: x."},
    {"note_id": "bad-claim", "claim": "{not json", "text": "Procedure: x."},
    {"note_id": "bad-payer", "payer": "no-such-payer", "text": "Procedure: x."},
]
BAD_IDS = {"empty-note", "twice", "bad-date", "bad-claim", "bad-payer", None}


def corpus_rows(count: int) -> list[dict[str, Any]]:
    """The first ``count`` corpus notes, with a provider, a date and (for some) a claim."""
    csv.field_size_limit(10_000_000)
    with gzip.open(CORPUS / "mtsamples" / "all-notes.csv.gz", "rt", encoding="utf-8") as f:
        rows = [row for _, row in zip(range(count), csv.DictReader(f), strict=False)]
    out = []
    for i, row in enumerate(rows):
        claim = '[{"cpt": "64483", "units": 1}]' if i % 4 == 0 else ""
        out.append(
            {
                "note_id": row["note_id"],
                "provider": f"dr-{i % 3}",
                "date_of_service": f"2025-03-{i % 28 + 1:02d}",
                "payer": "medicare" if i % 2 else "",
                "text": row["text"],
                "claim": claim,
            }
        )
    return out


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in FIELDS} for row in rows)
    return path
