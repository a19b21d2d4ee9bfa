"""Shared fixtures: the reader is built once per test session (it is expensive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from assistant.facts import NoteFacts

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def nlp() -> Language:
    from assistant.reader.pipeline import get_reader

    return get_reader()


@pytest.fixture(scope="session")
def read() -> Callable[[str], NoteFacts]:
    from assistant.reader.read import read_note

    return lambda text: read_note(text, "test")
