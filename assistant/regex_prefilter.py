r"""One Hyperscan pass that tells which of many regexes can match a note.

Python's ``re`` scans a note once per rule, and most of that time (80 % over the corpus)
goes to rules that find nothing. Hyperscan compiles every rule into one automaton and
reports in a single pass which rules match somewhere; only those run in Python, which
still produces every span, so results are unchanged.

The prefilter is *sound*: it may answer "maybe" when Python finds nothing, never "no" when
Python finds something.

- Each pattern is re-emitted from CPython's own parse of it (so Python-only syntax such as
  ``{,3}`` cannot be misread) as a pattern whose matches are a superset: lookarounds are
  dropped, possessive and atomic constructs become plain ones, backreferences match
  anything. Patterns with ``IGNORECASE``/``ASCII`` or inline flag groups, and patterns
  Hyperscan still rejects, are always "maybe".
- Hyperscan runs in byte mode, so the note is scanned as an ASCII *shadow*: every
  character Python's ``\d``/``\w``/``\s`` classify differently than Hyperscan's ASCII
  classes would (non-ASCII characters, and ``\v`` and ``\x1c``-``\x1f``) is replaced by an
  ASCII stand-in of the same classes. Lengths are kept, so bounded repeats count as in
  Python.
- A stand-in can still be excluded by a negated class (``[^Z]``) where the original
  character is not, so a pattern naming a stand-in in a negated class, or carrying
  non-ASCII literals, is only prefiltered on notes that needed none of those stand-ins.

The compiled database is cached on disk (``CHARTREADY_CACHE_DIR``, default
``~/.cache/chartready``) keyed by the emitted patterns, because compiling a few hundred
rules takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# CPython's own regex parser (private; any surprise in its output means "always maybe").
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import hyperscan

from assistant.patterns import REPEATS

logger = logging.getLogger(__name__)

PREFILTER_VERSION = "1"
_BASE_FLAGS = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
_SUPPORTED_RE_FLAGS = re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE

# Stand-ins of the ASCII shadow: one per combination of Python's classes.
DIGIT_STAND_IN = "0"  # \d and \w (Unicode decimal digits)
WORD_STAND_IN = "Z"  # \w, not \d
SPACE_STAND_IN = "\x0c"  # \s (form feed: a space for Python and Hyperscan alike)
OTHER_STAND_IN = "\x01"  # none of \d, \w, \s
STAND_INS = (DIGIT_STAND_IN, WORD_STAND_IN, SPACE_STAND_IN, OTHER_STAND_IN)
_PYTHON_ONLY_SPACES = "\x0b\x1c\x1d\x1e\x1f"  # ASCII spaces for Python's \s only
_ASCII_FIX = str.maketrans(dict.fromkeys(_PYTHON_ONLY_SPACES, SPACE_STAND_IN))
_NEEDS_ASCII_FIX = re.compile(f"[{re.escape(_PYTHON_ONLY_SPACES)}]")


class Unsupported(Exception):
    """The pattern cannot be emitted for Hyperscan; it is always "maybe"."""


def stand_in(char: str) -> str:
    """The ASCII character standing in for ``char`` in the shadow (itself if it needs none)."""
    if char.isascii() and char not in _PYTHON_ONLY_SPACES:
        return char
    if char.isdecimal():
        return DIGIT_STAND_IN
    if char.isalnum():
        return WORD_STAND_IN
    if char.isspace():
        return SPACE_STAND_IN
    return OTHER_STAND_IN


class _StandIns(dict[int, str]):
    """``str.translate`` table that computes (and remembers) each character's stand-in."""

    def __missing__(self, code: int) -> str:
        value = stand_in(chr(code))
        self[code] = value
        return value


_STAND_IN_TABLE = _StandIns()


def ascii_shadow(text: str) -> tuple[bytes, frozenset[str]]:
    """The text as ASCII bytes of the same length, and the stand-ins it needed."""
    if text.isascii():
        if _NEEDS_ASCII_FIX.search(text) is None:
            return text.encode("ascii"), frozenset()
        return text.translate(_ASCII_FIX).encode("ascii"), frozenset(SPACE_STAND_IN)
    shadow = text.translate(_STAND_IN_TABLE)
    used = frozenset(
        _STAND_IN_TABLE[ord(char)]
        for char in set(text)
        if not char.isascii() or char in _PYTHON_ONLY_SPACES
    )
    return shadow.encode("ascii"), used


@dataclass(frozen=True)
class Emitted:
    """A pattern re-emitted for Hyperscan, and the stand-ins it cannot be trusted with."""

    expression: str
    flags: int
    unsafe: frozenset[str]


def _hex(code: int) -> str:
    return f"\\x{code:02x}"


@dataclass
class _Emitter:
    """Walks a parsed pattern and writes a Hyperscan superset of it."""

    unsafe: set[str] = field(default_factory=set)

    def literal(self, code: int) -> str:
        if code > 0x7F:
            self.unsafe.update(STAND_INS)  # only exact on ASCII notes
            return "".join(_hex(b) for b in chr(code).encode("utf-8"))
        return _hex(code)

    def class_item(self, op: Any, value: Any, negated: bool) -> str:
        if op is sre.LITERAL:
            if value > 0x7F:
                self.unsafe.update(STAND_INS)
                return ""  # never matches an ASCII note; dropped from the class
            if negated and chr(value) in STAND_INS:
                self.unsafe.add(chr(value))
            return _hex(value)
        if op is sre.RANGE:
            low, high = value
            if high > 0x7F:
                self.unsafe.update(STAND_INS)
                high = 0x7F
                if low > high:
                    return ""
            if negated:
                self.unsafe.update(s for s in STAND_INS if low <= ord(s) <= high)
            return f"{_hex(low)}-{_hex(high)}"
        if op is sre.CATEGORY:
            return _CATEGORIES[value]
        raise Unsupported(f"class item {op}")

    def char_class(self, items: Sequence[tuple[Any, Any]]) -> str:
        negated = bool(items) and items[0][0] is sre.NEGATE
        body = "".join(self.class_item(op, value, negated) for op, value in items[negated:])
        if not body:
            return "[\\x00-\\x7f]" if negated else "[^\\x00-\\x7f]"
        return f"[{'^' if negated else ''}{body}]"

    def sequence(self, items: Iterable[tuple[Any, Any]]) -> str:
        return "".join(self.item(op, value) for op, value in items)

    def item(self, op: Any, value: Any) -> str:
        if op is sre.LITERAL:
            return self.literal(value)
        if op is sre.NOT_LITERAL:
            if value > 0x7F:
                self.unsafe.update(STAND_INS)
                return "[\\x00-\\x7f]"
            if chr(value) in STAND_INS:
                self.unsafe.add(chr(value))
            return f"[^{_hex(value)}]"
        if op is sre.ANY:
            return "."  # newline handling follows the pattern's DOTALL flag
        if op is sre.IN:
            return self.char_class(value)
        if op is sre.AT:
            return _ANCHORS[value]
        if op is sre.BRANCH:
            return "(?:" + "|".join(self.sequence(branch) for branch in value[1]) + ")"
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, body = value
            if add_flags or del_flags:
                raise Unsupported("inline flag group")
            return "(?:" + self.sequence(body) + ")"
        if op in REPEATS:
            low, high, body = value
            upper = "" if high == sre.MAXREPEAT else str(high)
            return f"(?:{self.sequence(body)}){{{low},{upper}}}"
        if op is sre.ASSERT or op is sre.ASSERT_NOT:
            return ""  # dropping an assertion only widens the matches
        if op is getattr(sre, "ATOMIC_GROUP", None):
            return "(?:" + self.sequence(value) + ")"
        if op is sre.GROUPREF:
            return "[\\x00-\\x7f]*"  # a backreference matches some text
        if op is sre.GROUPREF_EXISTS:
            _group, yes, no = value
            return "(?:" + self.sequence(yes) + "|" + (self.sequence(no) if no else "") + ")"
        raise Unsupported(f"operator {op}")


_CATEGORIES = {
    sre.CATEGORY_DIGIT: "\\d",
    sre.CATEGORY_NOT_DIGIT: "\\D",
    sre.CATEGORY_SPACE: "\\s",
    sre.CATEGORY_NOT_SPACE: "\\S",
    sre.CATEGORY_WORD: "\\w",
    sre.CATEGORY_NOT_WORD: "\\W",
}
_ANCHORS = {
    sre.AT_BEGINNING: "^",
    sre.AT_BEGINNING_STRING: "\\A",
    sre.AT_END: "$",
    sre.AT_END_STRING: "\\z",
    sre.AT_BOUNDARY: "\\b",
    sre.AT_NON_BOUNDARY: "\\B",
}


def emit(pattern: re.Pattern[str]) -> Emitted:
    """A Hyperscan expression matching wherever ``pattern`` can (and maybe elsewhere).

    Raises:
        Unsupported: flags or constructs the emitter does not handle.
    """
    if pattern.flags & ~_SUPPORTED_RE_FLAGS:
        raise Unsupported("IGNORECASE/ASCII/LOCALE patterns are not prefiltered")
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError) as exc:
        raise Unsupported(str(exc)) from None
    emitter = _Emitter()
    expression = emitter.sequence(parsed)
    flags = _BASE_FLAGS
    if pattern.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    if pattern.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    return Emitted(expression, flags, frozenset(emitter.unsafe))


@dataclass(frozen=True)
class _Compiled:
    """A Hyperscan database and, per pattern index, whether it runs in prefilter mode."""

    database: hyperscan.Database | None
    prefilter: dict[int, bool]  # indexes absent here are always "maybe"


class RegexPrefilter:
    """Which of a list of patterns may match a text, in one Hyperscan pass."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.size = len(patterns)
        emitted: dict[int, Emitted] = {}
        for index, pattern in enumerate(patterns):
            try:
                emitted[index] = emit(pattern)
            except Unsupported:
                continue
        compiled = _load_or_compile(emitted)
        self._database = compiled.database
        self._always = frozenset(range(self.size)) - set(compiled.prefilter)
        self._unsafe = {index: emitted[index].unsafe for index in compiled.prefilter}
        self._local = threading.local()

    @property
    def covered(self) -> int:
        """How many patterns the automaton answers for (the rest are always "maybe")."""
        return self.size - len(self._always)

    def _scratch(self) -> hyperscan.Scratch:
        scratch: hyperscan.Scratch | None = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = hyperscan.Scratch(self._database)
            self._local.scratch = scratch
        return scratch

    def candidates(self, text: str) -> frozenset[int]:
        """Indexes of the patterns that may match ``text`` (never misses one that does)."""
        if self._database is None:
            return frozenset(range(self.size))
        shadow, used = ascii_shadow(text)
        found: set[int] = set()

        def on_match(index: int, _start: int, _end: int, _flags: int, _context: object) -> None:
            found.add(index)

        self._database.scan(shadow, match_event_handler=on_match, scratch=self._scratch())
        maybe = found | self._always
        if used:
            maybe |= {index for index, unsafe in self._unsafe.items() if unsafe & used}
        return frozenset(maybe)


def _hs_flags(emitted: Emitted, prefilter: bool) -> int:
    return emitted.flags | (hyperscan.HS_FLAG_PREFILTER if prefilter else 0)


def _mode(emitted: Emitted) -> bool | None:
    """False if Hyperscan compiles the expression exactly, True in prefilter mode only."""
    for prefilter in (False, True):
        try:
            hyperscan.Database().compile(
                expressions=[emitted.expression.encode("ascii")],
                ids=[0],
                flags=[_hs_flags(emitted, prefilter)],
            )
        except hyperscan.error:
            continue
        return prefilter
    return None


def cache_dir() -> Path:
    """Where compiled databases are kept (``CHARTREADY_CACHE_DIR`` or ``~/.cache/chartready``)."""
    configured = os.environ.get("CHARTREADY_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "chartready"


def _cache_path(emitted: dict[int, Emitted]) -> Path:
    payload = json.dumps(
        [PREFILTER_VERSION, sorted((i, e.expression, e.flags) for i, e in emitted.items())]
    )
    key = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    return cache_dir() / f"prefilter-{key}.hsdb"


def _read_cache(path: Path) -> _Compiled | None:
    """The cached database: a JSON header line (the modes), then Hyperscan's bytes."""
    try:
        header, _newline, body = path.read_bytes().partition(b"\n")
        modes = {int(index): bool(mode) for index, mode in json.loads(header).items()}
        database = hyperscan.loadb(body, hyperscan.HS_MODE_BLOCK) if modes else None
    except (OSError, ValueError, AttributeError, hyperscan.error):
        return None
    return _Compiled(database, modes)


def _compile(emitted: dict[int, Emitted], modes: dict[int, bool]) -> hyperscan.Database:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[emitted[i].expression.encode("ascii") for i in modes],
        ids=list(modes),
        elements=len(modes),
        flags=[_hs_flags(emitted[i], prefilter) for i, prefilter in modes.items()],
    )
    return database


def _compile_all(emitted: dict[int, Emitted]) -> _Compiled:
    """Every expression exactly in one go; if Hyperscan refuses one, find it one by one."""
    if not emitted:
        return _Compiled(None, {})
    modes = dict.fromkeys(emitted, False)
    try:
        return _Compiled(_compile(emitted, modes), modes)
    except hyperscan.error:
        modes = {i: mode for i, e in emitted.items() if (mode := _mode(e)) is not None}
    return _Compiled(_compile(emitted, modes) if modes else None, modes)


def _load_or_compile(emitted: dict[int, Emitted]) -> _Compiled:
    path = _cache_path(emitted)
    if (cached := _read_cache(path)) is not None:
        return cached
    compiled = _compile_all(emitted)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        body = hyperscan.dumpb(compiled.database) if compiled.database is not None else b""
        partial.write_bytes(json.dumps(compiled.prefilter).encode("utf-8") + b"\n" + body)
        partial.replace(path)
    except OSError as exc:  # a read-only home only costs the next start a compile
        logger.warning("prefilter cache not written: %s", type(exc).__name__)
    return compiled


class LoweredPrefilter:
    """A prefilter for rules of which some scan the lower-cased note and the rest the note.

    Rule engines match lower-cased patterns against a lower-cased copy of the note (faster
    than ``re.IGNORECASE``) and case-sensitive patterns against the note itself; the two
    groups are scanned as two texts.
    """

    def __init__(self, patterns: Sequence[re.Pattern[str]], on_lowered: Sequence[bool]) -> None:
        if len(patterns) != len(on_lowered):
            raise ValueError("one on_lowered flag per pattern")
        self._lowered_ids = [i for i, flag in enumerate(on_lowered) if flag]
        self._cased_ids = [i for i, flag in enumerate(on_lowered) if not flag]
        self._lowered = RegexPrefilter([patterns[i] for i in self._lowered_ids])
        self._cased = RegexPrefilter([patterns[i] for i in self._cased_ids])

    def candidates(self, text: str, lowered: str) -> set[int]:
        """Indexes of the patterns that may match (lower-cased ones in ``lowered``)."""
        found = {self._lowered_ids[i] for i in self._lowered.candidates(lowered)}
        found.update(self._cased_ids[i] for i in self._cased.candidates(text))
        return found
