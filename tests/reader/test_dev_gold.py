"""Regression guard: the reader keeps its measured quality on the dev gold."""

from pathlib import Path

import pytest

from assistant.evaluate import load_gold, score
from assistant.reader.read import read_notes

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
GOLD = CORPUS / "dev-gold.jsonl"
NOTES = CORPUS / "mtsamples" / "notes"

pytestmark = pytest.mark.skipif(not GOLD.exists(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def fields() -> dict[str, object]:
    gold = load_gold(GOLD)
    items = [(nid, (NOTES / f"{nid}.txt").read_text(encoding="utf-8")) for nid in sorted(gold)]
    predicted = {facts.note_id: facts for facts in read_notes(items)}
    return dict(score(gold, predicted))


@pytest.mark.parametrize(
    ("field", "minimum"),
    [
        ("elements (micro)", 0.90),
        ("family", 0.90),
        ("planned", 0.85),
        ("levels", 0.90),
    ],
)
def test_dev_gold_f1_floor(fields: dict[str, object], field: str, minimum: float) -> None:
    assert fields[field].f1 >= minimum  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", ["laterality", "guidance", "note_kind"])
def test_dev_gold_accuracy_floor(fields: dict[str, object], field: str) -> None:
    assert fields[field].accuracy >= 0.90  # type: ignore[attr-defined]
