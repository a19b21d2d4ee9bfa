"""Evaluate a checklist ``requires`` expression against NoteFacts (no ``eval``, ever).

The expression is a small tree (``all``/``any``/``not``, ``element``, ``detect``,
``procedure`` field tests, named predicates). Evaluation returns whether it holds and
the spans that support that answer, so findings carry offsets into the note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.checks.detectors import Detections, Span
from assistant.checks.measures import (
    UNIT_DAYS,
    duration_days,
    first_percent,
    pain_score,
    positive_si_tests,
    relief_percents,
    sides,
)
from assistant.checks.schema import (
    AllOf,
    AnyOf,
    DetectRef,
    ElementRef,
    Expr,
    Intent,
    NamedRef,
    NotOf,
    ProcedureRef,
    ProcedureTest,
)
from assistant.checks.sections import CHECKLIST_SECTIONS
from assistant.facts import ELEMENT_NAMES, NoteFacts, Procedure

Args = dict[str, str | int | float | bool]
# One figure speaks for two blocks: "two diagnostic blocks each gave 90 %", "MBB x2: 85 %".
_PAIR_WORDS = re.compile(
    r"\b(?:both|two|2|dual)\s+(?:[\w-]+\s+){0,4}?(?:blocks?|MBBs?|injections?)\b"
    r"|\b(?:each|both)\s+(?:gave|provided|produced|yielded|resulted|with|had)\b"
    r"|\b(?:x\s*2|twice)\b",
    re.I,
)


@dataclass
class CheckContext:
    """Everything a predicate may look at for one note (and one procedure, if any)."""

    text: str
    facts: NoteFacts
    detections: Detections
    thresholds: dict[str, float] = field(default_factory=dict)
    procedure: Procedure | None = None
    procedure_index: int | None = None
    noncovered: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """Whether an expression holds, and the spans that show it."""

    ok: bool
    spans: tuple[Span, ...] = ()


def reader_spans(facts: NoteFacts, prefix: str, rules_only: bool = False) -> list[Span]:
    """Affirmed reader evidence whose field starts with ``prefix``.

    ``rules_only`` leaves out the learned layer's sentence-wide spans (for a predicate that
    reads a value from the span's own words).
    """
    return [
        Span(ev.start, ev.end, ev.text, "reader", ev.field)
        for ev in facts.evidence
        if ev.field.startswith(prefix)
        and ev.assertion == "affirmed"
        and not (rules_only and (ev.rule or "").startswith("learned:"))
    ]


def _element(ctx: CheckContext, name: str) -> Outcome:
    spans: list[Span] = []
    ok = False
    if name in ELEMENT_NAMES and bool(getattr(ctx.facts.elements, name)):
        ok = True
        spans.extend(reader_spans(ctx.facts, f"elements.{name}"))
    detected = ctx.detections.for_element(name)
    if detected:
        ok = True
        spans.extend(detected)
    return Outcome(ok, tuple(spans))


def _procedure_value(proc: Procedure, name: str) -> object:
    return getattr(proc, name)


def _procedure(ctx: CheckContext, test: ProcedureTest) -> Outcome:
    proc = ctx.procedure
    if proc is None:
        return Outcome(False)
    value = _procedure_value(proc, test.field)
    spans: tuple[Span, ...] = ()
    if ctx.procedure_index is not None:
        spans = tuple(reader_spans(ctx.facts, f"procedures[{ctx.procedure_index}].{test.field}"))
    if test.op == "present":
        ok = bool(value) if isinstance(value, list) else value is not None
    elif test.op == "in":
        ok = value in test.values
    elif test.op == "not_in":
        ok = value is None or value not in test.values
    else:
        ok = isinstance(value, list) and len(value) <= (test.count or 0)
    return Outcome(ok, spans)


def _threshold(ctx: CheckContext, args: Args, default: float) -> float:
    key = args.get("threshold_key")
    if isinstance(key, str) and key in ctx.thresholds:
        return ctx.thresholds[key]
    value = args.get("threshold", default)
    return float(value) if not isinstance(value, str) else default


def prior_relief_at_least(ctx: CheckContext, args: Args) -> Outcome:
    """Prior block(s) with relief >= threshold; ``count`` = 2 needs two blocks documented.

    Only relief tied to a block counts (:func:`relief_percents`' ``names_block``). One
    qualifying figure stands for two blocks only when its sentence says so ("two blocks
    each gave 90 %") and no block is reported below the threshold.
    """
    threshold = _threshold(ctx, args, 80.0)
    raw_count = args.get("count", 1)
    count = int(raw_count) if isinstance(raw_count, int | float) else 1
    figures = [figure for figure in relief_percents(ctx.text) if figure.names_block]
    good = [figure for figure in figures if figure.percent >= threshold]
    spans = tuple(
        Span(figure.start, figure.end, ctx.text[figure.start : figure.end], "detector", "relief")
        for figure in good
    )
    if len(good) >= count:
        return Outcome(True, spans)
    if count == 2 and len(good) == len(figures) == 1:
        left, right = good[0].sentence
        return Outcome(bool(_PAIR_WORDS.search(ctx.text[left:right])), spans)
    return Outcome(False, spans)


def si_tests_at_least(ctx: CheckContext, args: Args) -> Outcome:
    """At least ``threshold`` (default 3) SI provocative tests are documented as positive."""
    count, where = positive_si_tests(ctx.text)
    spans = tuple(Span(a, b, ctx.text[a:b], "detector", "si_test") for a, b in where)
    return Outcome(count >= _threshold(ctx, args, 3.0), spans)


def is_note_kind(ctx: CheckContext, args: Args) -> Outcome:
    """The note is of the kind named in ``kind``."""
    return Outcome(ctx.facts.note_kind == args.get("kind"))


def _hits(ctx: CheckContext, args: Args, key: str = "detector") -> list[Span]:
    return ctx.detections.hits(str(args[key]))


def _at_least(
    ctx: CheckContext, args: Args, read: Callable[[str], float | None], needed: float
) -> Outcome:
    """Hits of ``args.detector`` whose value (``read`` from the hit) reaches ``needed``."""
    hits = _hits(ctx, args)
    good = [hit for hit in hits if (v := read(hit.value or hit.text)) is not None and v >= needed]
    return Outcome(bool(good), tuple(good or hits))


def duration_at_least(ctx: CheckContext, args: Args) -> Outcome:
    """A duration stated in a hit of ``detector`` (or read as ``element``) reaches the threshold.

    The threshold (payer ``threshold_key``, else ``threshold``) is in ``unit`` (days,
    weeks or months), as the policy states it. With ``element``, the reader's own rule
    evidence of that element ("about fourteen months", "since 2019") counts too: one
    reading of the note, not a second vocabulary of durations.
    """
    unit = str(args.get("unit", "days")).rstrip("s")
    needed = _threshold(ctx, args, 0.0) * UNIT_DAYS[unit]
    outcome = _at_least(ctx, args, duration_days, needed)
    element = args.get("element")
    if outcome.ok or not isinstance(element, str):
        return outcome
    read = [
        span
        for span in reader_spans(ctx.facts, f"elements.{element}", rules_only=True)
        if (days := duration_days(span.text)) is not None and days >= needed
    ]
    return Outcome(True, tuple(read)) if read else outcome


def percent_at_least(ctx: CheckContext, args: Args) -> Outcome:
    """The first percent in a hit of ``detector`` reaches the threshold (default 50)."""
    return _at_least(ctx, args, first_percent, _threshold(ctx, args, 50.0))


def pre_post_same_scale(ctx: CheckContext, args: Args) -> Outcome:
    """A score taken after the block has a score on the same scale taken before it.

    Both are tied to the block by their detectors (``pre_detector``, ``post_detector``):
    any two scores anywhere in the note do not count.
    """
    pre = [(pain_score(hit.value or hit.text), hit) for hit in _hits(ctx, args, "pre_detector")]
    post = [(pain_score(hit.value or hit.text), hit) for hit in _hits(ctx, args, "post_detector")]
    scales = {score[0] for score, _ in pre if score is not None}
    after = [hit for score, hit in post if score is not None and score[0] in scales]
    if not after:
        return Outcome(False, tuple(hit for _, hit in post))
    before = [hit for score, hit in pre if score is not None and score[0] in scales]
    return Outcome(True, (*before, *after))


def side_matches(ctx: CheckContext, args: Args) -> Outcome:
    """The side(s) named in hits of ``detector`` (diagnosis lines) cover the treated side.

    Holds when the procedure has no side or the lines name none (other rules ask for those).
    """
    treated = ctx.procedure.laterality if ctx.procedure else None
    hits = _hits(ctx, args)
    named = {side for hit in hits for side in sides(hit.text)}
    if treated is None or not named:
        return Outcome(True)
    needed = {"left", "right"} if treated == "bilateral" else {treated}
    return Outcome(needed <= named, tuple(hits))


def payer_covers(ctx: CheckContext, args: Args) -> Outcome:
    """The payer profile does not list ``cpt`` as non-covered."""
    return Outcome(str(args["cpt"]) not in ctx.noncovered)


def procedure_recognised(ctx: CheckContext, args: Args) -> Outcome:
    """The reader named at least one performed procedure."""
    del args
    return Outcome(bool(ctx.facts.procedures))


NAMED: dict[str, Callable[[CheckContext, Args], Outcome]] = {
    "procedure_recognised": procedure_recognised,
    "prior_relief_at_least": prior_relief_at_least,
    "note_kind": is_note_kind,
    "duration_at_least": duration_at_least,
    "percent_at_least": percent_at_least,
    "si_tests_at_least": si_tests_at_least,
    "pre_post_same_scale": pre_post_same_scale,
    "side_matches": side_matches,
    "payer_covers": payer_covers,
}


def evaluate(expr: Expr, ctx: CheckContext) -> Outcome:
    """Evaluate one expression tree; supporting spans are gathered from satisfied leaves."""
    if isinstance(expr, AllOf):
        parts = [evaluate(child, ctx) for child in expr.all]
        return Outcome(all(p.ok for p in parts), tuple(s for p in parts if p.ok for s in p.spans))
    if isinstance(expr, AnyOf):
        parts = [evaluate(child, ctx) for child in expr.any]
        return Outcome(any(p.ok for p in parts), tuple(s for p in parts if p.ok for s in p.spans))
    if isinstance(expr, NotOf):
        inner = evaluate(expr.not_, ctx)
        return Outcome(not inner.ok, inner.spans)
    if isinstance(expr, ElementRef):
        return _element(ctx, expr.element)
    if isinstance(expr, DetectRef):
        hits = ctx.detections.hits(expr.detect)
        return Outcome(bool(hits), tuple(hits))
    if isinstance(expr, ProcedureRef):
        return _procedure(ctx, expr.procedure)
    return NAMED[expr.predicate](ctx, expr.args)


def detect_intent(detections: Detections) -> Intent | None:
    """Diagnostic vs therapeutic intent as the note states it (``None`` when silent).

    The first statement wins, one in the procedure's own section first: "A diagnostic SI
    injection in March gave 80 % relief" in the history does not make today's "PROCEDURE:
    Therapeutic injection of the left SI joint" diagnostic.
    """
    stated: list[tuple[int, Intent]] = [
        *((hit.start, "diagnostic") for hit in detections.hits("diagnostic_intent")),
        *((hit.start, "therapeutic") for hit in detections.hits("therapeutic_intent")),
    ]
    layout = detections.layout
    if layout is not None:
        in_procedure = [
            (start, intent)
            for start, intent in stated
            if (section := layout.section_at(start)) is not None
            and section.category is not None
            and CHECKLIST_SECTIONS.get(section.category) == "procedure"
        ]
        stated = in_procedure or stated
    return min(stated)[1] if stated else None


def referenced_names(expr: Expr) -> tuple[set[str], set[str]]:
    """Detector ids and named predicates an expression uses (checked when loading)."""
    detectors: set[str] = set()
    named: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, AllOf):
            stack.extend(node.all)
        elif isinstance(node, AnyOf):
            stack.extend(node.any)
        elif isinstance(node, NotOf):
            stack.append(node.not_)
        elif isinstance(node, DetectRef):
            detectors.add(node.detect)
        elif isinstance(node, NamedRef):
            named.add(node.predicate)
            detectors.update(str(v) for k, v in node.args.items() if k.endswith("detector"))
    return detectors, named
