"""Retraining on the latest month: labels, the month split, and the switch rule both ways."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import TrainingDataError
from assistant.findings import FindingCore
from assistant.remittances.training import claim_label
from assistant.risk.features import RiskInput
from assistant.risk.model import CARD_FILE, active_version, read_manifest
from assistant.risk.schema import Outcome
from assistant.risk.train import split_last_month, train_and_save, train_held_out_month
from assistant.risk.training_data import TrainingRow

MONTHS = (date(2024, 1, 15), date(2024, 2, 15), date(2024, 3, 15))
GAP = FindingCore(rule_id="T-GAP", severity="block", status="missing")


def rows(n: int, day: date | None, seed: int, *, inverted: bool = False) -> list[TrainingRow]:
    """Rows where a block finding makes a denial likely (or, ``inverted``, unlikely)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        gap = bool(rng.random() < 0.5)
        p = 0.85 if gap != inverted else 0.1
        inp = RiskInput(families=["esi"], findings=[GAP] if gap else [], payer="medicare")
        outcome: Outcome = "denied" if rng.random() < p else "paid"
        out.append(TrainingRow(inp, outcome, date_of_service=day))
    return out


def months(*, inverted_training: bool = False) -> list[TrainingRow]:
    """Two training months (maybe inverted) and a held-out March with the true relation."""
    jan = rows(150, MONTHS[0], 1, inverted=inverted_training)
    feb = rows(150, MONTHS[1], 2, inverted=inverted_training)
    return [*jan, *feb, *rows(120, MONTHS[2], 3)]


def active_model(root: Path, *, inverted: bool) -> None:
    """An active model ``old`` in ``root`` that learned the true (or inverted) relation."""
    train_and_save(
        rows(1500, None, 9, inverted=inverted),
        source="test",
        sha256="0" * 64,
        simulated=False,
        version="old",
        root=root,
        activate=True,
    )


def retrain(root: Path, data: list[TrainingRow]) -> str:
    result = train_held_out_month(
        data,
        source="test",
        sha256="1" * 64,
        lines_used=len(data),
        lines_excluded={"unmatched": 3},
        version="new",
        root=root,
    )
    assert result.path is not None and (result.path / CARD_FILE).is_file()
    return (result.path / CARD_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("outcomes", "label"),
    [
        (["paid"], "paid"),
        (["paid", "patient_responsibility"], "paid"),
        (["denied"], "denied"),
        (["denied", "denied"], "denied"),
        (["paid", "denied"], "partial"),
        (["partially_paid"], "partial"),
    ],
)
def test_a_claim_is_labelled_from_its_lines(outcomes: list[str], label: str) -> None:
    assert claim_label(outcomes) == label


def test_the_latest_month_is_held_out() -> None:
    split = split_last_month(months())
    assert split.month == "2024-03"
    assert (len(split.train), len(split.test)) == (300, 120)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (rows(100, MONTHS[2], 1), "earlier months are needed"),
        (rows(100, None, 1), "no date of service"),
        ([], "no labelled rows"),
    ],
)
def test_a_split_that_cannot_measure_is_refused(data: list[TrainingRow], message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        split_last_month(data)


def test_a_one_class_held_out_month_is_refused(tmp_path: Path) -> None:
    paid = [TrainingRow(r.input, "paid", date_of_service=MONTHS[2]) for r in rows(20, None, 4)]
    with pytest.raises(TrainingDataError, match="held-out month 2024-03: all 20 claims are paid"):
        retrain(tmp_path, [*rows(300, MONTHS[0], 1), *paid])
    assert not any(tmp_path.iterdir())


def test_the_new_model_replaces_a_worse_active_one(tmp_path: Path) -> None:
    active_model(tmp_path, inverted=True)
    card = retrain(tmp_path, months())
    comparison = read_manifest("new", tmp_path).comparison
    assert comparison is not None and comparison.winner == "new"
    assert comparison.active_version == "old"
    assert comparison.active_log_loss is not None
    assert comparison.new_log_loss < comparison.active_log_loss
    assert active_version(tmp_path) == "new"
    assert "**This model won**" in card and "Held-out month 2024-03" in card
    assert (
        "2024-01-15 to 2024-03-15" in card and "3 remitted lines gave no row (3 unmatched)" in card
    )


def test_a_better_active_model_keeps_its_place(tmp_path: Path) -> None:
    active_model(tmp_path, inverted=False)
    card = retrain(tmp_path, months(inverted_training=True))
    comparison = read_manifest("new", tmp_path).comparison
    assert comparison is not None and comparison.winner == "active"
    assert active_version(tmp_path) == "old"
    assert (tmp_path / "new" / "model.joblib").is_file()  # written all the same
    assert "**The active model `old` won**" in card


def test_with_no_active_model_the_new_one_becomes_active(tmp_path: Path) -> None:
    retrain(tmp_path, months())
    comparison = read_manifest("new", tmp_path).comparison
    assert comparison is not None and comparison.winner == "new"
    assert comparison.active_version is None and "E301" in (comparison.active_problem or "")
    assert active_version(tmp_path) == "new"
