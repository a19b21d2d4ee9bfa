"""Spark local[2] against the embedded engine: the same rows, the same results."""

import json
from pathlib import Path
from typing import Any

import pytest
from batch_inputs import BAD_IDS, NOTES, corpus_rows

from assistant.batch.embedded import BatchOptions, run_embedded
from assistant.batch.output import read_errors, read_results
from assistant.batch.spark import run_spark
from assistant.errors import BatchOutputError

# Every test here runs on the session's one local[2] Spark session.
pytestmark = pytest.mark.usefixtures("spark")


@pytest.fixture(scope="module")
def embedded(batch_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embedded") / "out"
    run_embedded(batch_csv, out, BatchOptions("commercial", 5), processes=1)
    return out


@pytest.fixture(scope="module")
def on_spark(batch_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "out"
    summary = run_spark(str(batch_csv), str(out), "commercial", "local[2]")
    assert (summary.checked, summary.rows) == (NOTES, NOTES + 7)
    return out


def test_spark_gives_the_embedded_results(embedded: Path, on_spark: Path) -> None:
    assert read_results(on_spark) == read_results(embedded)


def test_spark_reports_the_embedded_errors(embedded: Path, on_spark: Path) -> None:
    assert read_errors(on_spark) == read_errors(embedded)
    assert {e["note_id"] for e in read_errors(on_spark)} == BAD_IDS


def test_spark_writes_the_embedded_json_lines(embedded: Path, on_spark: Path) -> None:
    def lines(out: Path) -> list[str]:
        parts = (out / "jsonl").glob("part-*")
        return sorted(line for part in parts for line in part.read_text().splitlines())

    assert lines(on_spark) == lines(embedded)


def test_spark_reads_json_lines_with_nested_claims(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = corpus_rows(3)
    rows[0]["claim"] = {"lines": [{"cpt": "64483", "units": 1}]}
    source = tmp_path / "notes.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    run_spark(str(source), str(tmp_path / "spark"), "commercial", "local[2]")
    run_embedded(source, tmp_path / "local", BatchOptions("commercial", 2), processes=1)
    assert read_results(tmp_path / "spark") == read_results(tmp_path / "local")


def test_spark_refuses_an_output_that_holds_results(batch_csv: Path, on_spark: Path) -> None:
    with pytest.raises(BatchOutputError):
        run_spark(str(batch_csv), str(on_spark), "commercial", "local[2]")
