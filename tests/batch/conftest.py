"""Batch fixtures: a small corpus slice with bad rows, and one Spark session per test run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch_inputs import BAD_ROWS, NOTES, corpus_rows, write_csv


@pytest.fixture(scope="session")
def batch_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Corpus notes with the bad rows spread among them."""
    rows = corpus_rows(NOTES)
    for i, bad in enumerate(BAD_ROWS):
        rows.insert(2 * i + 1, bad)
    return write_csv(tmp_path_factory.mktemp("batch") / "notes.csv", rows)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[2] Spark session for every test that needs it."""
    from assistant.batch.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
