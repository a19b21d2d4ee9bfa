"""Split the adjudicated fresh set into a training part and a frozen test part (run once).

    python models/data/fresh/split.py

Reads ``staging/<style>/`` (synthetic notes written from a fact specification) and
``staging/real/adjudicated/`` (real notes, two annotators + adjudication), and writes
``train/`` and ``test/`` (each ``notes/<id>.txt``, ``gold.jsonl``, ``quotes.jsonl``).
``extra/<style>/`` holds notes written for training only; they all go to ``train/``.
A note goes to ``test`` when the first byte of ``sha256(SEED + note_id)`` is below
``TEST_SHARE`` of 256, which stratifies by style without any judgement about the note.
``test/SHA256SUMS`` freezes the test part; ``tests/reader/test_fresh_set.py`` fails if
a test file changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = "chartready-fresh-v1"
TEST_SHARE = 0.5


def in_test(note_id: str) -> bool:
    """Whether a note belongs to the frozen test part (deterministic, content-blind)."""
    return hashlib.sha256(f"{SEED}:{note_id}".encode()).digest()[0] < 256 * TEST_SHARE


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _sources() -> list[tuple[str, Path, Path, bool]]:
    """(style, gold/quotes folder, notes/ folder, test-eligible) for every staged part."""
    staging = HERE / "staging"
    out = [
        (d.name, d, d, True)
        for d in sorted(staging.iterdir())
        if d.is_dir() and d.name != "real" and (d / "gold.jsonl").exists()
    ]
    real = staging / "real"
    if (real / "adjudicated" / "gold.jsonl").exists():
        out.append(("real", real / "adjudicated", real, True))
    extra = HERE / "extra"
    if extra.is_dir():
        out += [
            (d.name, d, d, False)
            for d in sorted(extra.iterdir())
            if d.is_dir() and (d / "gold.jsonl").exists()
        ]
    return out


def main() -> None:
    for part in ("train", "test"):
        shutil.rmtree(HERE / part, ignore_errors=True)
        (HERE / part / "notes").mkdir(parents=True)
    written: dict[str, dict[str, list[str]]] = {"train": {}, "test": {}}
    for style, data, notes, eligible in _sources():
        quotes = {str(q["note_id"]): q for q in _lines(data / "quotes.jsonl")}
        for gold in _lines(data / "gold.jsonl"):
            note_id = str(gold["note_id"])
            part = "test" if eligible and in_test(note_id) else "train"
            shutil.copyfile(notes / "notes" / f"{note_id}.txt", HERE / part / "notes" / f"{note_id}.txt")
            with (HERE / part / "gold.jsonl").open("a", encoding="utf-8") as out:
                out.write(json.dumps(gold, ensure_ascii=False) + "\n")
            entry = {**quotes.get(note_id, {"note_id": note_id, "quotes": {}}), "style": style}
            with (HERE / part / "quotes.jsonl").open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            written[part].setdefault(style, []).append(note_id)
    sums = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(HERE / 'test')}"
        for p in sorted((HERE / "test").rglob("*"))
        if p.is_file()
    ]
    (HERE / "test" / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    counts = {part: {style: len(ids) for style, ids in by.items()} for part, by in written.items()}
    (HERE / "SPLIT.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
