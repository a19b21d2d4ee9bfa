"""Read an X12 835 with pyx12: envelope check, 5010 validation, segments with their loops.

pyx12 walks every segment against the 005010X221A1 implementation guide map and records
what breaks it (unexpected or missing segments, bad element values, wrong SE counts) in an
error tree. This module turns the first of those into one :class:`X12FormatError`
naming the segment, the loop and the line, with its own wording: pyx12's messages quote data
values (a patient control number, a name), which must not reach logs or the terminal. The
place is also kept on the exception (:class:`FormatLocation`), so callers never read it
back out of the message.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyx12.error_handler  # type: ignore[import-untyped]
import pyx12.error_visitor  # type: ignore[import-untyped]
import pyx12.errors  # type: ignore[import-untyped]
import pyx12.params  # type: ignore[import-untyped]
import pyx12.x12context  # type: ignore[import-untyped]

from assistant.errors import Errors, Message, RemittanceFormatError

EXPECTED_VERSION = "005010X221A1"
EXPECTED = "X12 835 health care claim payment/advice, version 005010X221A1"
ISA_LENGTH = 106
# pyx12 logs its findings with the offending values (a patient control number, a name):
# raise its loggers' threshold above CRITICAL so no record is even created.
_PYX12_LOG = logging.getLogger("pyx12")
_PYX12_LOG.setLevel(logging.CRITICAL + 1)
_PYX12_LOG.addHandler(logging.NullHandler())
_PYX12_LOG.propagate = False

# X12 999 IK304 (segment) and IK403 (element) syntax error codes, as pyx12 reports them.
SEGMENT_PROBLEMS = {
    "1": "segment not recognised here by the 5010 guide",
    "2": "unexpected segment",
    "3": "required segment or loop missing",
    "4": "loop occurs more often than the guide allows",
    "5": "segment repeats more often than the guide allows",
    "6": "segment not in the transaction set",
    "7": "segment out of sequence",
    "8": "segment has data element errors",
    "I4": "segment the guide marks as not used",
    "I6": "implementation-dependent segment missing",
    "I7": "loop occurs fewer times than the guide requires",
    "I8": "segment occurs fewer times than the guide requires",
    "I9": "implementation-dependent 'not used' segment present",
}
ELEMENT_PROBLEMS = {
    "1": "required element missing",
    "2": "conditionally required element missing",
    "3": "too many elements",
    "4": "element too short",
    "5": "element too long",
    "6": "invalid character in element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I10": "element the guide marks as not used",
    "I11": "too few repetitions",
    "I12": "value does not match the guide's pattern",
    "I13": "implementation-dependent 'not used' element present",
    "I6": "code value the guide does not use",
    "I9": "implementation-dependent element missing",
}
# The envelope segment each version check reads, and the loop it opens.
ENVELOPE_LOOPS = {"ISA": "ISA_LOOP", "GS": "GS_LOOP", "ST": "ST_LOOP"}
ENVELOPE_PROBLEMS = {
    "isa": ("ISA", "ISA_LOOP", "interchange envelope error"),
    "gs": ("GS", "GS_LOOP", "functional group envelope error"),
    "st": ("SE", "ST_LOOP", "transaction set error (segment count or control number)"),
}


# Why a file was refused, in the words a person is told (``api.routes.denials``).
ProblemKind = Literal["not_text", "too_large", "not_x12", "wrong_version", "malformed"]


@dataclass(frozen=True)
class FormatLocation:
    """Where a refused file breaks the 5010 guide, and why (codes and counts, never values).

    ``line`` is set for a malformed file (``Errors.E901``), ``element`` for a wrong version
    (``Errors.E902``); ``detail`` is the problem, or what the envelope says instead.
    """

    kind: ProblemKind
    segment: str
    loop: str
    detail: str
    line: int | None = None
    element: str | None = None


def _rebuilt(
    cls: type[X12FormatError], code: str, message: str, location: FormatLocation
) -> X12FormatError:
    """An error as it was raised, with its location (unpickling)."""
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.code = code
    exc.location = location
    return exc


class X12FormatError(RemittanceFormatError):
    """A refused 835 (``Errors.E901``, ``Errors.E902``) that knows where: ``exc.location``.

    Raised through :func:`malformed` and :func:`wrong_version`, which fill the coded message
    and the location from the same values.
    """

    def __init__(self, error: Message, location: FormatLocation, /, **values: object) -> None:
        super().__init__(error, **values)
        self.location = location

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (type(self), self.code, str(self), self.location))


def malformed(
    source: str,
    segment: str,
    loop: str,
    line: int,
    problem: str,
    kind: ProblemKind = "malformed",
) -> X12FormatError:
    """``Errors.E901``: the file breaks the guide at ``segment`` in ``loop``, ``line``."""
    location = FormatLocation(kind, segment, loop, problem, line=line)
    return X12FormatError(
        Errors.E901, location, source=source, segment=segment, loop=loop, line=line, problem=problem
    )


def wrong_version(source: str, segment: str, element: str, found: str) -> X12FormatError:
    """``Errors.E902``: envelope ``segment`` (``element``) says ``found``, not an 835 5010."""
    loop = ENVELOPE_LOOPS.get(segment, f"{segment}_LOOP")
    location = FormatLocation("wrong_version", segment, loop, found, element=element)
    return X12FormatError(
        Errors.E902,
        location,
        source=source,
        segment=f"{segment} ({element})",
        found=found,
        expected=EXPECTED,
    )


@dataclass(frozen=True)
class Segment:
    """One segment as read: id, the guide loop it sits in, its line, element components."""

    id: str
    loop: str
    line: int
    elements: tuple[tuple[str, ...], ...]

    def value(self, position: int, component: int = 1) -> str:
        """Element ``position`` (1-based), component ``component``; ``""`` when absent."""
        if position > len(self.elements):
            return ""
        parts = self.elements[position - 1]
        return parts[component - 1] if component <= len(parts) else ""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located without quoting data."""

    segment: str
    loop: str
    line: int
    problem: str


def envelope(text: str) -> dict[str, str]:
    """ISA12, GS01, GS08 and ST01 read straight from the text (before any validation)."""
    if len(text) < ISA_LENGTH or not text.startswith("ISA"):
        return {}
    element, terminator = text[3], text[ISA_LENGTH - 1]
    found: dict[str, str] = {}
    for raw in text.split(terminator):
        fields = raw.strip().split(element)
        tag = fields[0]
        if tag == "ISA" and len(fields) > 12:
            found.setdefault("ISA12", fields[12])
        elif tag == "GS" and len(fields) > 8:
            found.setdefault("GS01", fields[1])
            found.setdefault("GS08", fields[8])
        elif tag == "ST" and len(fields) > 1:
            found.setdefault("ST01", fields[1])
            break
    return found


def check_version(text: str, source: str) -> None:
    """Refuse anything but an 835 of 005010X221A1, naming the segment that says otherwise."""
    if not text.startswith("ISA"):
        problem = "the file does not begin with an ISA interchange header"
        raise malformed(source, "ISA", "ISA_LOOP", 1, problem, kind="not_x12")
    head = envelope(text)
    checks = (
        ("ISA12", "00501", "ISA", "interchange version"),
        ("GS01", "HP", "GS", "functional identifier code"),
        ("GS08", EXPECTED_VERSION, "GS", "version"),
        ("ST01", "835", "ST", "transaction set"),
    )
    for key, wanted, segment, what in checks:
        value = head.get(key)
        if value is None:
            continue
        if value != wanted:
            raise wrong_version(source, segment, key, f"{what} {value!r}")


def _loop_of(path: str) -> str:
    """``.../2100/2110/CAS`` -> ``2110``: the loop a map path's segment belongs to."""
    parts = [part for part in path.split("/") if part]
    return parts[-2] if len(parts) >= 2 else "ISA_LOOP"


def _elements(seg: Any) -> tuple[tuple[str, ...], ...]:
    seg_id = seg.get_seg_id()
    out = []
    for position in range(1, len(seg) + 1):
        item = seg.get(f"{seg_id}{position:02d}")
        if item is None:
            out.append(("",))
        elif item.is_composite():
            out.append(tuple(item[i].get_value() for i in range(len(item))))
        else:
            out.append((item.get_value(),))
    return tuple(out)


class _Collector(pyx12.error_visitor.error_visitor):  # type: ignore[misc]
    """Walk pyx12's error tree into located :class:`Problem` s (codes, never values)."""

    def __init__(self, loops: dict[int, str]) -> None:
        self.loops = loops
        self.problems: list[Problem] = []

    def _envelope(self, kind: str, node: Any, line: int | None) -> None:
        segment, loop, problem = ENVELOPE_PROBLEMS[kind]
        for _code, *_ in node.errors:
            self.problems.append(Problem(segment, loop, line or 0, problem))

    def visit_isa_post(self, err_isa: Any) -> None:
        self._envelope("isa", err_isa, err_isa.cur_line_isa)

    def visit_gs_post(self, err_gs: Any) -> None:
        self._envelope("gs", err_gs, err_gs.cur_line_gs)

    def visit_st_post(self, err_st: Any) -> None:
        self._envelope("st", err_st, err_st.cur_line_se or err_st.cur_line_st)

    def visit_seg(self, err_seg: Any) -> None:
        line = int(err_seg.cur_line or 0)
        loop = self.loops.get(line, "unknown")
        for code, *_ in err_seg.errors:
            text = SEGMENT_PROBLEMS.get(str(code), f"segment error {code}")
            if str(code) in {"3", "I6", "I7", "I8"} and err_seg.name:
                text = f"{text} ({err_seg.name})"
            self.problems.append(Problem(str(err_seg.seg_id), loop, line, text))

    def visit_ele(self, err_ele: Any) -> None:
        seg = err_ele.parent
        line = int(seg.cur_line or 0)
        ref = f"{seg.seg_id}{int(err_ele.ele_pos):02d}"
        if err_ele.subele_pos is not None:
            ref += f"-{int(err_ele.subele_pos)}"
        for code, *_ in err_ele.errors:
            text = ELEMENT_PROBLEMS.get(str(code), f"element error {code}")
            self.problems.append(
                Problem(str(seg.seg_id), self.loops.get(line, "unknown"), line, f"{ref}: {text}")
            )


def _raise_first(problems: Sequence[Problem], source: str) -> None:
    if not problems:
        return
    first = min(problems, key=lambda p: p.line)
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    raise malformed(source, first.segment, first.loop, first.line, first.problem + suffix)


def _trailers(segments: Sequence[Segment]) -> list[Problem]:
    """Envelopes opened but never closed: the file was cut short."""
    pairs = (("ISA", "IEA", "ISA_LOOP"), ("GS", "GE", "GS_LOOP"), ("ST", "SE", "ST_LOOP"))
    last = segments[-1].line if segments else 0
    problems = []
    for opener, closer, loop in pairs:
        opened = sum(s.id == opener for s in segments)
        closed = sum(s.id == closer for s in segments)
        if opened != closed or opened == 0:
            problems.append(
                Problem(closer, loop, last, f"{closer} trailer missing: the file is truncated")
            )
    return problems


def read_segments(text: str, source: str) -> list[Segment]:
    """Every segment of a valid 835 5010 file with its loop; raise on the first problem."""
    check_version(text, source)
    errh = pyx12.error_handler.err_handler()
    segments: list[Segment] = []
    try:
        params = pyx12.params.params()
        with pyx12.x12context.X12ContextReader(params, errh, io.StringIO(text)) as reader:
            for node in reader.iter_segments():
                seg = node.seg_data
                if seg is None:
                    continue
                path = node.x12_map_node.get_path() if node.x12_map_node is not None else ""
                segments.append(
                    Segment(
                        id=str(seg.get_seg_id()),
                        loop=_loop_of(path),
                        line=int(node.cur_line_number or 0),
                        elements=_elements(seg),
                    )
                )
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, IndexError, ValueError) as exc:
        # pyx12 raises IndexError on a lower-case segment id and ValueError on a
        # non-numeric control number: malformed input, not a crash
        where = segments[-1] if segments else Segment("ISA", "ISA_LOOP", 1, ())
        problem = f"the X12 reader stopped ({type(exc).__name__})"
        raise malformed(source, where.id, where.loop, where.line, problem) from None
    collector = _Collector({s.line: s.loop for s in segments})
    errh.accept(collector)
    _raise_first(collector.problems or _trailers(segments), source)
    return segments
