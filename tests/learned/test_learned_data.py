from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.learned.data import (
    LearnedDataError,
    data_hash,
    label_files,
    load_config,
    load_labels,
)
from assistant.learned.schema import TARGET_ELEMENTS

GOOD = {"id": "x1", "source": "handwritten", "text": "Pain for 3 years.", "origin": "handwritten"}


def test_shipped_config_and_labels_load_and_cover_every_target() -> None:
    config = load_config()
    rows = load_labels(label_files())
    assert set(config.elements) == set(TARGET_ELEMENTS)
    for name in TARGET_ELEMENTS:
        assert sum(name in r.positives for r in rows) >= config.training.min_positives


def test_shipped_labels_exclude_dev_gold_notes() -> None:
    gold = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev-gold.jsonl"
    if not gold.is_file():
        pytest.skip("dev gold not present")
    ids = {json.loads(line)["note_id"] for line in gold.read_text().splitlines() if line.strip()}
    sources = {r.source.removeprefix("mtsamples:") for r in load_labels(label_files())}
    assert not ids & sources


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"positives": ["pain_score"]}, "[positives -> 0]"),
        ({"origin": "guess"}, "[origin]"),
        ({"colour": "red"}, "[colour] Extra inputs"),
        ({"start": 4}, "give both start and end"),
        ({"positives": ["pain_duration", "pain_duration"]}, "listed twice"),
    ],
)
def test_load_labels_reports_file_line_and_field(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "x2", **change}) + "\n")
    with pytest.raises(LearnedDataError) as info:
        load_labels([path])
    assert "E701 'bad.jsonl' line 2" in str(info.value)
    assert message in str(info.value)


def test_load_labels_refuses_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    with pytest.raises(LearnedDataError, match="duplicate id x1"):
        load_labels([path])


def test_data_hash_ignores_row_order_but_not_labels(tmp_path: Path) -> None:
    other = {**GOOD, "id": "x2", "positives": ["pain_duration"]}
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(GOOD) + "\n" + json.dumps(other) + "\n")
    b.write_text(json.dumps(other) + "\n" + json.dumps(GOOD) + "\n")
    assert data_hash(load_labels([a])) == data_hash(load_labels([b]))
    b.write_text(json.dumps({**other, "positives": []}) + "\n" + json.dumps(GOOD) + "\n")
    assert data_hash(load_labels([a])) != data_hash(load_labels([b]))
