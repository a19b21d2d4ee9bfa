"""The fresh gold stays what it was: test part frozen, parts disjoint, every label valid.

The frozen test part is the only honest measure of the reader on notes nobody tuned on, so
a changed byte in it (a relabelled note, a "fixed" quote) must be a deliberate, visible act.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from assistant.evaluate import ERROR_ANALYSIS_BATCHES
from assistant.evaluate import REAL_BATCHES as REAL_BATCH_NAMES

FRESH = Path(__file__).resolve().parents[2] / "models" / "data" / "fresh"
# sha256 of test/SHA256SUMS as frozen on 2026-12-03 (141 notes); change only with a note in
# models/data/fresh/README.md saying why the test part changed.
FROZEN_SUMS = "0488656f28c8d3899f9086bcb5d38eed57bee46db877b5e8d85a9d38b03509eb"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fresh_{name}", FRESH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(part: str) -> list[str]:
    lines = (FRESH / part / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["note_id"] for line in lines if line]


def test_test_part_is_frozen() -> None:
    sums = FRESH / "test" / "SHA256SUMS"
    assert hashlib.sha256(sums.read_bytes()).hexdigest() == FROZEN_SUMS
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {
        str(p.relative_to(FRESH / "test")): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (FRESH / "test").rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    }
    assert on_disk == listed


def test_parts_are_disjoint_and_follow_the_seeded_split() -> None:
    split = _module("split")
    train, test = _ids("train"), _ids("test")
    assert len(train) == len(set(train)) and len(test) == len(set(test))
    assert not set(train) & set(test)
    assert all(split.in_test(note_id) for note_id in test)
    staged_in_train = [i for i in train if i.startswith(("fs-", "mts"))]
    assert not any(split.in_test(note_id) for note_id in staged_in_train)


def test_split_counts_match_the_record() -> None:
    counts = json.loads((FRESH / "SPLIT.json").read_text(encoding="utf-8"))
    assert sum(counts["train"].values()) == len(_ids("train"))
    assert sum(counts["test"].values()) == len(_ids("test"))


@pytest.mark.parametrize("part", ["train", "test"])
def test_gold_and_quotes_validate(part: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _module("validate").main(FRESH / part) == 0, capsys.readouterr().out


BATCHES = sorted(
    p for batch in ERROR_ANALYSIS_BATCHES for p in (FRESH / batch).iterdir() if p.is_dir()
)


@pytest.mark.parametrize("folder", BATCHES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_error_analysis_batches_validate(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _module("validate").main(folder) == 0, capsys.readouterr().out


REAL_BATCHES = [FRESH / "staging" / real for real in REAL_BATCH_NAMES]


@pytest.mark.parametrize("batch", REAL_BATCHES, ids=lambda p: p.name)
def test_adjudicated_real_batches_validate(
    batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("gold.jsonl", "quotes.jsonl"):
        (tmp_path / name).write_bytes((batch / "adjudicated" / name).read_bytes())
    (tmp_path / "notes").symlink_to(batch / "notes")
    assert _module("validate").main(tmp_path) == 0, capsys.readouterr().out


def test_the_error_analysis_batches_are_one_trainable_gold_set() -> None:
    from assistant.evaluate import known_gold_sets

    sets = {s.name: s for s in known_gold_sets()}
    batches = sets["fresh-val"]
    assert not batches.frozen and batches.available
    # every style folder of every batch, and every adjudicated real batch
    assert len(batches.parts) == len(BATCHES) + len(REAL_BATCHES)
    gold = batches.gold()
    paths = batches.note_paths()
    notes = sum(len(list((folder / "notes").glob("*.txt"))) for folder in BATCHES + REAL_BATCHES)
    assert len(gold) == notes and set(gold) == set(paths)
    assert all(path.exists() for path in paths.values())
    test_ids = set(sets["fresh-test"].gold())
    assert not test_ids & set(gold)
