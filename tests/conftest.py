"""Shared fixtures: the reader is built once per test session (it is expensive)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from assistant.facts import NoteFacts

# Apps built by tests read in a thread of the test process (the session's reader); the tests
# of reader processes (tests/api/test_api_reader_pool.py, the uvicorn server) ask for them.
os.environ["CHARTREADY_READER_PROCESSES"] = "0"

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


@pytest.fixture(scope="session")
def doc_before(nlp: Language) -> Callable[[str, str], Doc]:
    """A function running the reader on a text up to (not including) a named component."""

    def run(component: str, text: str) -> Doc:
        doc = nlp.make_doc(text)
        for name, step in nlp.pipeline:
            if name == component:
                return doc
            doc = step(doc)
        raise ValueError(f"no component {component!r} in the reader")

    return run
