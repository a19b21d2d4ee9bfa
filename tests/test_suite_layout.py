"""The test suite collects as one: no two test modules share a file name.

Test folders are not packages, so pytest imports each module by its base name; a second
``test_cli.py`` in another folder stops the whole run at collection.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_module_names_are_unique() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
