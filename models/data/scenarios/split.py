"""Split the staged billing scenarios into a val part and a frozen test part (run once).

    python models/data/scenarios/split.py

Reads ``staging/<writer>/*.json`` and copies each scenario to ``val/<writer>/`` or
``test/<writer>/``. Within each writer's scenarios, the half whose ``sha256(SEED + id)`` is
lowest goes to ``test``: the same share per theme, without any judgement about a scenario.
``test/SHA256SUMS`` freezes the test part; ``tests/checks/test_scenarios.py`` fails if a
test file changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = "chartready-scenarios-v1"


def _rank(scenario_id: str) -> str:
    return hashlib.sha256(f"{SEED}:{scenario_id}".encode()).hexdigest()


def main() -> None:
    for part in ("val", "test"):
        shutil.rmtree(HERE / part, ignore_errors=True)
    counts: dict[str, dict[str, int]] = {"val": {}, "test": {}}
    for writer in sorted(d for d in (HERE / "staging").iterdir() if d.is_dir()):
        files = sorted(writer.glob("*.json"), key=lambda p: _rank(p.stem))
        for index, path in enumerate(files):
            part = "test" if index < len(files) // 2 else "val"
            target = HERE / part / writer.name
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / path.name)
            counts[part][writer.name] = counts[part].get(writer.name, 0) + 1
    sums = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(HERE / 'test')}"
        for p in sorted((HERE / "test").rglob("*.json"))
    ]
    (HERE / "test" / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    (HERE / "SPLIT.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
