"""The error catalogue: each code defined once, used, filled with its own template's values."""

from __future__ import annotations

import ast
import pickle
import re
import string
from pathlib import Path

import pytest

from assistant.errors import ChartReadyError, Errors, Message, NoteInputError, RuleFileError

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "assistant" / "errors.py"
CODE = re.compile(r"^[EW]\d{3}$")


def _sources() -> list[tuple[Path, ast.Module]]:
    """Every module of the application except the catalogue itself."""
    paths = [*(ROOT / "assistant").rglob("*.py"), *(ROOT / "api").rglob("*.py")]
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in paths if p != CATALOGUE]


def _catalogue() -> dict[str, Message]:
    return {name: value for name, value in vars(Errors).items() if isinstance(value, Message)}


def _uses() -> list[tuple[str, str, set[str]]]:
    """``(where, code, keyword names)`` of every ``X(Errors.Exxx, ...)``/``Errors.Exxx.format``."""
    uses = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func, args = node.func, node.args
            if isinstance(func, ast.Attribute) and func.attr == "format":
                target = func.value
            elif args:
                target = args[0]
            else:
                continue
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "Errors"
            ):
                names = {k.arg for k in node.keywords if k.arg is not None}
                uses.append((f"{path.relative_to(ROOT)}:{node.lineno}", target.attr, names))
    return uses


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_is_defined_once_under_its_own_name() -> None:
    tree = ast.parse(CATALOGUE.read_text(encoding="utf-8"))
    (errors,) = (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Errors")
    assigned = (t for n in errors.body if isinstance(n, ast.Assign) for t in n.targets)
    names = [t.id for t in assigned if isinstance(t, ast.Name)]
    assert len(names) == len(set(names)), "a code is assigned twice"
    assert names == sorted(names)
    catalogue = _catalogue()
    assert list(catalogue) == names
    for name, message in catalogue.items():
        assert CODE.match(name)
        assert message.code == name


def test_every_code_is_used_with_its_templates_values() -> None:
    uses = _uses()
    catalogue = _catalogue()
    assert {code for _, code, _ in uses} == set(catalogue)
    for where, code, names in uses:
        assert names == _fields(catalogue[code].template), where


def test_no_code_is_written_outside_the_catalogue() -> None:
    literal = re.compile(r"(?<!Errors\.)\b[EW]\d{3}\b")
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and literal.search(node.value)
    ]
    assert not found


def test_message_and_code_are_apart() -> None:
    exc = NoteInputError(Errors.E002, source="n.txt", problem="the note is empty")
    assert str(exc) == "n.txt: the note is empty"
    assert exc.code == "E002"


@pytest.mark.parametrize(
    "exc",
    [
        NoteInputError(Errors.E002, source="n.txt", problem="the note is empty"),
        RuleFileError(Errors.E001, file="a.yaml", errors="[id] reused"),
    ],
)
def test_errors_cross_processes_unchanged(exc: ChartReadyError) -> None:
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc)
    assert (copy.code, str(copy)) == (exc.code, str(exc))
