"""The checklists' and coding rules' part of the rule reference (``assistant.rule_docs``).

Pure over a :class:`~assistant.checks.registry.ChecklistRegistry`: each rule's id, symbol,
title, severity, where it applies, what it checks (read back from its ``requires``
expression or claim check), its public source, the fix, and its examples.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.checks.claims import CodingRule
from assistant.checks.coding import CHECKS
from assistant.checks.predicates import NAMED
from assistant.checks.registry import ChecklistRegistry
from assistant.checks.schema import (
    AllOf,
    AnyOf,
    AppliesWhen,
    Checklist,
    DetectRef,
    ElementRef,
    Expr,
    NotOf,
    ProcedureRef,
    Scope,
)
from assistant.rule_docs import RuleDoc, SectionDoc, one_line


def _summary(function: Callable[..., object]) -> str:
    doc = (function.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def describe_expr(expr: Expr) -> str:
    """A ``requires`` expression in words ("procedure guidance is one of fluoroscopy, ct")."""
    if isinstance(expr, AllOf | AnyOf):
        joiner = " and " if isinstance(expr, AllOf) else " or "
        children = expr.all if isinstance(expr, AllOf) else expr.any
        return "(" + joiner.join(describe_expr(child) for child in children) + ")"
    if isinstance(expr, NotOf):
        return f"not {describe_expr(expr.not_)}"
    if isinstance(expr, ElementRef):
        return f"element {expr.element} documented"
    if isinstance(expr, DetectRef):
        return f"detector {expr.detect} matches"
    if isinstance(expr, ProcedureRef):
        test = expr.procedure
        values = ", ".join(str(value) for value in test.values)
        wording = {
            "present": "is stated",
            "in": f"is one of {values}",
            "not_in": f"is none of {values}",
            "max_count": f"has at most {test.count}",
        }[test.op]
        return f"procedure {test.field} {wording}"
    args = ", ".join(f"{key}={value}" for key, value in expr.args.items())
    return f"{expr.predicate}({args}): {_summary(NAMED[expr.predicate])}"


def _describe_when(when: AppliesWhen) -> str:
    parts = [
        f"{name.replace('_', ' ')}: {', '.join(str(v) for v in values)}"
        for name, values in when.model_dump(exclude_none=True).items()
    ]
    return "; ".join(parts)


def _describe_scope(scope: Scope) -> str:
    families = scope.families if scope.families == "any" else ", ".join(scope.families)
    parts = [f"{scope.mode} procedures ({families})"]
    if scope.detectors:
        parts.append(f"when detected: {', '.join(scope.detectors)}")
    if scope.unless_detected:
        parts.append(f"not when detected: {', '.join(scope.unless_detected)}")
    if scope.note_kinds:
        parts.append(f"note kinds: {', '.join(scope.note_kinds)}")
    return "; ".join(parts)


def _checklist_section(checklist: Checklist) -> SectionDoc:
    rules = []
    for element in checklist.elements:
        examples = [("present", element.examples.present), ("missing", element.examples.missing)]
        if element.examples.frame is not None:
            examples.append(("note frame", element.examples.frame))
        if element.examples.payer != "medicare":
            examples.append(("payer", element.examples.payer))
        rules.append(
            RuleDoc(
                id=element.id,
                symbol=element.symbol,
                title=element.title,
                severity=element.severity,
                status=element.status,
                applies=_describe_when(element.applies_when) or "every note in scope",
                checks=describe_expr(element.requires),
                source=element.source,
                fix=element.fix,
                examples=tuple(examples),
            )
        )
    return SectionDoc(
        id=checklist.id,
        title=f"{checklist.title} (v{checklist.version})",
        scope=_describe_scope(checklist.scope),
        frame=checklist.example_frame,
        rules=tuple(rules),
    )


def _claim_examples(rule: CodingRule) -> tuple[tuple[str, str], ...]:
    """A coding rule's note and its good and bad claims, one line each."""
    out = [("note", rule.examples.note)]
    for kind in ("good", "bad"):
        note, case = rule.examples.case(kind)
        lines = ", ".join(
            "-".join([line.cpt, *line.modifiers])
            + (f" x{line.units}" if line.units > 1 else "")
            + (f" ({' '.join(line.icd10)})" if line.icd10 else "")
            for line in case.lines
        )
        extra = [f"POS {case.place_of_service}"] if case.place_of_service else []
        extra += [f"{len(case.history)} earlier session(s)"] if case.history else []
        if note != rule.examples.note:
            extra.append(f"note: {one_line(note)}")
        out.append((f"{kind} claim", "; ".join([lines or "no claim", *extra])))
    if rule.examples.payer != "medicare":
        out.append(("payer", rule.examples.payer))
    return tuple(out)


def _coding_section(registry: ChecklistRegistry) -> SectionDoc:
    rules = tuple(
        RuleDoc(
            id=rule.id,
            symbol=rule.symbol,
            title=rule.title,
            severity=rule.severity,
            status=rule.status,
            applies="claim lines (with the note and history)",
            checks=f"{rule.check}: {_summary(CHECKS[rule.check])}",
            source=rule.source,
            fix=rule.fix,
            examples=_claim_examples(rule),
        )
        for rule in registry.coding.rules
    )
    title = f"Claim and coding rules (v{registry.coding.version})"
    return SectionDoc("coding", title, "claims", None, rules)


def checklist_sections(registry: ChecklistRegistry) -> list[SectionDoc]:
    """Every checklist, then the coding table, as the page lists them."""
    return [*(_checklist_section(c) for c in registry.all()), _coding_section(registry)]
