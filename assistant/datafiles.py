"""Rule and data files: one loader into a validated pydantic model, one regex type.

Checklists, detectors, the coding table, payer profiles, reader target rules, E/M cues and
findings, the risk features and simulator, and the learned component's config are all read
by :func:`load_yaml`: a file that cannot be read, is not YAML or does not fit its schema is
one :class:`~assistant.errors.RuleFileError` (``Errors.E001``) naming the file and each place in it,
``[elements -> 3 -> severty] Extra inputs are not permitted`` or ``[line 4, column 9]``.

Every regex those files hold is a :data:`LinearRegex`: it must compile and avoid the shapes
that make Python's backtracking matcher super-linear on long notes (see :func:`check_linear`).
"""

from __future__ import annotations

import re
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError

from assistant.errors import Errors, RuleFileError, validation_paths

M = TypeVar("M", bound=BaseModel)

# An unbounded quantifier: *, + or {n,} (lazy and possessive forms start the same way).
_OPEN = r"(?:[*+]|\{\d*,\})"
_UNBOUNDED_ANY = re.compile(rf"(?<!\\)\.{_OPEN}")
# An innermost group that holds a quantifier and is itself unboundedly quantified.
_NESTED = re.compile(rf"\((?:[^()\\]|\\.)*[*+}}](?:[^()\\]|\\.)*\){_OPEN}")


def check_linear(pattern: str) -> str:
    r"""Return ``pattern`` if it compiles and has no unbounded ``.*`` or nested quantifier.

    Both are the usual sources of catastrophic backtracking; rules use bounded gaps such as
    ``[^.]{0,40}`` and bounded repeats such as ``(?:\w+\s+){0,2}`` instead.
    """
    if _UNBOUNDED_ANY.search(pattern):
        raise ValueError("unbounded '.*'/'.+' is not allowed; use a bounded gap like [^.]{0,40}")
    if _NESTED.search(pattern):
        raise ValueError(
            "a group containing a quantifier may only repeat a bounded number of times"
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    return pattern


LinearRegex = Annotated[str, AfterValidator(check_linear)]

_VOCABULARY_SLOT = re.compile(r"\{\{(\w+)\}\}")


def expand_vocabulary(regex: str, vocabulary: dict[str, str]) -> str:
    """``regex`` with each ``{{name}}`` replaced by the file's vocabulary entry of that name.

    Rule files name a regex fragment many rules share (number words, a title line's label,
    a drug class) once, under ``vocabulary``; an unknown name is an error.
    """

    def entry(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in vocabulary:
            raise ValueError(f"unknown vocabulary entry {{{{{name}}}}}")
        return vocabulary[name]

    return _VOCABULARY_SLOT.sub(entry, regex)


def with_vocabulary(data: object, items: str, fields: tuple[str, ...]) -> object:
    """Raw rule-file data with ``{{name}}`` expanded in each item's regex ``fields``.

    ``items`` is the list of rules (or detectors); a field holds one regex or a list of them.
    """
    if not isinstance(data, dict) or not isinstance(data.get(items), list):
        return data
    vocabulary = data.get("vocabulary") or {}

    def expand(value: object) -> object:
        if isinstance(value, str):
            return expand_vocabulary(value, vocabulary)
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    expanded = [
        {**item, **{f: expand(item[f]) for f in fields if f in item}}
        if isinstance(item, dict)
        else item
        for item in data[items]
    ]
    return {**data, items: expanded}


def load_yaml(file: str | Traversable, model: type[M], text: str | None = None) -> M:
    """Validate YAML ``text`` (default: the content of ``file``) as ``model``.

    ``file`` is a path, a packaged resource (``importlib.resources.files(...) / name``) or,
    with ``text``, just the name that errors show.

    Raises:
        RuleFileError: the file cannot be read, is not YAML, or does not fit ``model``.
    """
    if text is None:
        text = _read(Path(file) if isinstance(file, str) else file)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleFileError(Errors.E001, file=file, errors=_yaml_problem(exc)) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(Errors.E001, file=file, errors=validation_paths(exc)) from None


def _read(file: Traversable) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        problem = f"cannot read ({exc.strerror or exc})"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start})"
    raise RuleFileError(Errors.E001, file=file, errors=problem)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """``[line 4, column 9] invalid YAML: mapping values are not allowed here``."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return (
            f"[line {mark.line + 1}, column {mark.column + 1}] invalid YAML: {exc.problem or exc}"
        )
    return f"invalid YAML: {exc}"
