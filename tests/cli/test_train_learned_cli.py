"""``chartready train-learned`` refuses to train without a gold set it was asked for."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.evaluate
from assistant.cli import app
from assistant.evaluate import GoldSet


def test_a_missing_gold_set_is_an_error_not_a_smaller_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = GoldSet.of("dev", tmp_path / "missing.jsonl", tmp_path / "notes")
    monkeypatch.setattr(assistant.evaluate, "known_gold_sets", lambda: [gone])
    result = CliRunner().invoke(
        app, ["train-learned", "--set", "dev", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert "not found on this machine" in result.output
    assert not (tmp_path / "out").exists()
