"""Imports point one way: faces → pipeline → components → shared vocabulary, never back up.

Read with ``ast`` (lazy imports inside functions count too), so a component that reaches
for the layer above fails here rather than in a circular import at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Package -> prefixes it must never import.
_COMPONENTS = ("assistant.reader", "assistant.checks", "assistant.em", "assistant.risk")
FORBIDDEN = {
    **{
        component.replace(".", "/"): (
            *(other for other in _COMPONENTS if other != component),
            "assistant.pipeline",
            "assistant.preauth",
        )
        for component in _COMPONENTS
    },
    # Prior authorization sits on the pipeline: it reads and checks, nothing below calls it.
    "assistant/preauth": ("api", "assistant.cli", "assistant.store"),
    "assistant/store": ("assistant.pipeline", "api", "assistant.remittances"),
    "assistant/remittances": ("assistant.pipeline", "api"),
    "assistant/audit": ("assistant.pipeline", "api"),
    "assistant": ("api",),
}
# Faces beside the API: the CLI starts the server (``chartready serve``).
FACES = ("assistant/cli",)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_points_up(package: str) -> None:
    banned = FORBIDDEN[package]
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if not any(path.is_relative_to(ROOT / face) for face in FACES)
        for name in sorted(_imports(path))
        if any(name == prefix or name.startswith(prefix + ".") for prefix in banned)
    ]
    assert found == []


def test_the_forbidden_map_names_real_packages() -> None:
    assert all((ROOT / package).is_dir() for package in FORBIDDEN)


def test_only_faces_import_prior_authorization() -> None:
    """``assistant.preauth`` builds on the pipeline; only the CLI (and API) may call it.

    The rule reference, a page both faces serve, lists the authorization rules too.
    """
    allowed = (
        ROOT / "assistant" / "preauth",
        ROOT / "assistant" / "cli",
        ROOT / "assistant" / "rule_reference.py",
    )
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "assistant").rglob("*.py"))
        if not any(path.is_relative_to(folder) for folder in allowed)
        for name in sorted(_imports(path))
        if name == "assistant.preauth" or name.startswith("assistant.preauth.")
    ]
    assert found == []
