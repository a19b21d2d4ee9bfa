"""Compare two snapshots of check results (``bench/snapshot.py``), row by row.

    .venv/bin/python bench/compare.py BEFORE.jsonl AFTER.jsonl [--show N]

Each row is keyed by note, payer and claim case. Prints how many rows are byte-identical,
how many agree on the outcome (verdict, finding rule ids, E/M supported level, MDM levels,
minutes and modifier-25 decision), and for each row whose outcome differs, what differs.
Prints rule ids, levels and note ids only: never note text.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Key = tuple[str, str, str]


def rows(path: Path) -> Iterator[tuple[Key, dict[str, Any]]]:
    """``((note, payer, case), result)`` of every row of a snapshot."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield (row["note"], row["payer"], row["case"]), row["result"]


def outcome(result: dict[str, Any]) -> dict[str, Any]:
    """What a check decided, without evidence offsets or wording."""
    em = result.get("em") or {}
    mdm = em.get("mdm") or {}
    findings = result["findings"]
    return {
        "verdict": result["verdict"],
        "rules": sorted(f["rule_id"] for f in findings if f["checklist"] != "em"),
        "em_rules": sorted(f["rule_id"] for f in findings if f["checklist"] == "em"),
        "em_level": em.get("supported_level"),
        "mdm": [mdm[k]["level"] for k in ("problems", "data", "risk")] if mdm else None,
        "minutes": em.get("total_minutes"),
        "modifier25": (em.get("modifier25") or {}).get("separately_identifiable"),
        "opioids": em.get("opioid_management"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=200, help="differing rows to list")
    args = parser.parse_args()
    before = dict(rows(args.before))
    after = dict(rows(args.after))
    if before.keys() != after.keys():
        raise SystemExit("the snapshots do not hold the same notes, payers and cases")
    identical = same_outcome = 0
    changed: Counter[str] = Counter()
    listed = 0
    for key in sorted(before):
        old, new = before[key], after[key]
        if json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True):
            identical += 1
        a, b = outcome(old), outcome(new)
        if a == b:
            same_outcome += 1
            continue
        fields = [name for name in a if a[name] != b[name]]
        changed.update(fields)
        if listed < args.show:
            listed += 1
            diff = "; ".join(f"{name}: {a[name]} -> {b[name]}" for name in fields)
            print(f"{' '.join(key)}: {diff}")
    total = len(before)
    print(f"{total} rows: {identical} byte-identical, {same_outcome} with the same outcome")
    print("rows changed per field:", dict(changed.most_common()))


if __name__ == "__main__":
    main()
