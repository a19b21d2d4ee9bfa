"""Write full check results for a folder of notes x payers x claim cases, as JSON Lines.

    .venv/bin/python bench/snapshot.py NOTES_DIR OUT.jsonl [--payer P ...]

For byte-for-byte comparisons across refactors: each note is checked with no claim, and
with a claim and history built deterministically from the coding table (one code per
family the note's first read found, plus an office E/M line with modifier 25), so that
checklists, coding rules, E/M and risk all run. Compare two runs with ``cmp``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.checks.claims import Claim, ClaimLine, HistoryEntry, ProcedureHistory
from assistant.checks.registry import load_registry
from assistant.pipeline import check_note
from assistant.reader.read import read_note


def _claim_for(families: Sequence[str]) -> tuple[Claim, ProcedureHistory]:
    codes = load_registry().coding.codes
    lines = [ClaimLine(cpt="99214", modifiers=["25"], icd10=["M54.16"], charge=180.0)]
    for family in families:
        for cpt, info in codes.items():
            if family in info.families and info.role in {"primary", "single"}:
                lines.append(ClaimLine(cpt=cpt, modifiers=["LT"], icd10=["M54.16"], charge=900.0))
                break
    history = ProcedureHistory(
        procedures=[
            HistoryEntry(date_of_service="2026-01-05", family="facet_mbb", relief_percent=85),
            HistoryEntry(date_of_service="2026-02-02", family="esi", relief_percent=40),
        ]
    )
    return Claim(date_of_service="2026-03-01", lines=lines), history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notes", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--payer", action="append", default=None)
    args = parser.parse_args()
    payers = args.payer or ["commercial", "medicare"]
    paths = sorted(args.notes.glob("*.txt"))
    with args.out.open("w", encoding="utf-8") as out:
        for path in paths:
            text = path.read_text(encoding="utf-8")
            families = [p.family for p in read_note(text, path.stem).procedures]
            claim, history = _claim_for(families)
            for payer in payers:
                for case in ("plain", "claim"):
                    with_claim = case == "claim"
                    result = check_note(
                        text,
                        note_id=path.stem,
                        payer=payer,
                        claim=claim if with_claim else None,
                        history=history if with_claim else None,
                    )
                    row = {"note": path.stem, "payer": payer, "case": case}
                    row["result"] = result.to_json_dict()
                    out.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"{len(paths)} notes x {len(payers)} payers x 2 cases -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
