r"""Literal strings a regex cannot match without: a cheap gate before the expensive search.

Python's ``re`` tries a pattern that opens with ``\b`` or a group at every position of the
note, so 130 target rules cost 130 full scans although a typical note matches fewer than
one rule in ten. Most rules need one of a few words ("epidural", "fluorosc", "consent"):
:func:`required_literals` reads them off the parsed pattern, and a rule whose words are
all absent from the note cannot match it and need not run.

The result is *necessary*, never sufficient: every match of the pattern contains at least
one string of each returned set. An empty result means no useful gate (the rule always
runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# ``re._parser`` is CPython's own regex parser (``sre_parse`` before 3.11, deprecated
# under that name); it is private, so any surprise in its output means "no gate".
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_GATE_LENGTH = 3
MAX_CHARSET_EXPANSION = 4
Literals = frozenset[str]

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


def required_literals(pattern: str, flags: int = 0) -> tuple[Literals, ...]:
    """Sets of strings such that every match of ``pattern`` contains a string of each set.

    An empty tuple means no useful gate. Patterns compiled with ``re.IGNORECASE`` get no
    gate (match a lower-cased copy with a lower-cased pattern instead, as the reader does).
    """
    if flags & re.IGNORECASE:
        return ()
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError):
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    try:
        found = _requirements(list(parsed))
    except _NoGate:
        return ()
    useful = {s for s in found if min(len(x) for x in s) >= MIN_GATE_LENGTH}
    # Most selective first: longest shortest string, then fewest strings.
    return tuple(sorted(useful, key=lambda s: (-min(len(x) for x in s), len(s), sorted(s))))


def text_may_match(text: str, gate: tuple[Literals, ...]) -> bool:
    """False only if ``text`` lacks every string of some set of the gate (no match possible)."""
    return all(any(literal in text for literal in literals) for literals in gate)


class _NoGate(Exception):
    """Raised inside the walk for constructs whose literals cannot be trusted."""


def _better(a: Literals | None, b: Literals | None) -> Literals | None:
    """The more selective of two requirement sets: longest shortest string, then fewest."""
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(len(s) for s in a), -len(a))
    key_b = (min(len(s) for s in b), -len(b))
    return a if key_a >= key_b else b


def _charset(items: Sequence[tuple[Any, Any]]) -> Literals | None:
    """The characters of a small ``[...]`` class made only of literal characters."""
    chars: set[str] = set()
    for op, value in items:
        if op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE and value[1] - value[0] < MAX_CHARSET_EXPANSION:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return None
    return frozenset(chars) if 0 < len(chars) <= MAX_CHARSET_EXPANSION else None


def _item(op: Any, value: Any) -> Literals | None:
    """Requirement of one parsed item (None: it requires no literal)."""
    if op is sre.LITERAL:
        return frozenset({chr(value)})
    if op is sre.IN:
        return _charset(value)
    if op is sre.BRANCH:
        union: set[str] = set()
        for alternative in value[1]:
            required = _sequence(list(alternative))
            if required is None:
                return None
            union.update(required)
        return frozenset(union)
    if op in _REPEATS:
        return None  # may occur zero times (a required repeat is a body: see _body)
    if op in _ZERO_WIDTH or op in (sre.ANY, sre.NOT_LITERAL, sre.CATEGORY):
        return None
    if op is sre.GROUPREF or op is sre.GROUPREF_EXISTS:
        return None
    raise _NoGate


def _is_single(op: Any, required: Literals | None) -> bool:
    """One character from a literal or a small class: it can extend a run of literals."""
    return required is not None and (op is sre.LITERAL or op is sre.IN)


def _extends_run(op: Any, required: Literals | None, run: set[str]) -> bool:
    return _is_single(op, required) and required is not None and len(run) * len(required) <= 64


def _body(op: Any, value: Any) -> list[tuple[Any, Any]] | None:
    """The items of a group, or of a repeat that must occur at least once (else None)."""
    if op is sre.SUBPATTERN:
        if value[1] & re.IGNORECASE:  # (?i:...) inside a case-sensitive pattern
            raise _NoGate
        return list(value[3])
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return list(value)
    if op in _REPEATS and value[0] >= 1:
        return list(value[2])
    return None


def _requirements(items: Iterable[tuple[Any, Any]]) -> set[Literals]:
    """Every requirement of a concatenation (each must hold).

    Runs of literal characters (small character classes expand into variants) form
    strings; an alternation requires one of its alternatives' best requirements; a group,
    or a repeat that must occur, brings every requirement of its own body.
    """
    found: set[Literals] = set()
    run: set[str] = {""}
    for op, value in items:
        body = _body(op, value)
        required = None if body is not None else _item(op, value)
        if _extends_run(op, required, run):
            assert required is not None
            run = {prefix + char for prefix in run for char in required}
            continue
        if (closed := _run(run)) is not None:
            found.add(closed)
        run = set(required) if _is_single(op, required) and required else {""}
        if body is not None:
            found |= _requirements(body)
        elif required is not None and not _is_single(op, required):
            found.add(required)
    if (closed := _run(run)) is not None:
        found.add(closed)
    return found


def _sequence(items: Iterable[tuple[Any, Any]]) -> Literals | None:
    """The single best requirement of a concatenation (None if it requires nothing)."""
    best: Literals | None = None
    for required in _requirements(items):
        best = _better(best, required)
    return best


def _run(run: set[str]) -> Literals | None:
    return frozenset(run) if run and "" not in run else None
