"""How the web pages are rendered: templates, navigation, CSRF token, evidence and findings."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.web.clones import matches_brief, part_label, when_label
from api.web.failures import explain_failure
from assistant.facts import family_label
from assistant.findings import SEVERITIES, Finding, rule_name
from assistant.notes import MAX_NOTE_CHARS
from assistant.risk.schema import RiskScore
from assistant.store import SignedIn

# Located from this file: under pytest, ``tests/api`` can shadow the name ``api`` as a
# namespace package, so ``importlib.resources.files("api")`` is not reliable there.
API_DIR = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=API_DIR / "templates")
# Every page names a procedure family the same way: ``{{ item.family|family_label }}``.
templates.env.filters["family_label"] = family_label
# A failed worklist item's stored error, in words: ``{% set f = item.error|failure %}``.
templates.env.filters["failure"] = explain_failure
# Clone flags in words: ``{{ matches|clone_brief }}``, ``{{ name|clone_part }}``.
templates.env.filters["clone_brief"] = matches_brief
templates.env.filters["clone_part"] = part_label
templates.env.filters["clone_when"] = when_label
SEVERITY_LABELS = {"block": "Blocks billing", "warn": "Needs attention", "info": "For information"}
ROLE_LABELS = {
    "provider": "Provider",
    "coder": "Coder",
    "quality_lead": "Quality lead",
    "admin": "Administrator",
}
# Which roles see which navigation entries (and may open the pages behind them).
NAV = (
    ("/", "Pre-sign check", ("provider", "coder", "quality_lead", "admin")),
    ("/worklist", "Worklist", ("coder", "quality_lead", "admin")),
    ("/audits", "Audits", ("quality_lead", "admin")),
    ("/authorizations", "Authorizations", ("coder", "admin")),
    ("/preauth", "Prior authorization", ("provider", "coder", "quality_lead", "admin")),
    ("/denials", "Denials", ("quality_lead", "admin")),
    ("/rules", "Rules", ("provider", "coder", "quality_lead", "admin")),
)


@dataclass(frozen=True)
class Segment:
    """A run of note text; ``field``/``assertion`` set when it is highlighted evidence."""

    text: str
    field: str | None = None
    assertion: str | None = None
    value: str | None = None


def shown_assertion(field: str, assertion: str) -> str:
    """The assertion a highlight shows: a documentation element's is ``affirmed`` or ``negated``.

    The reader gives element evidence only for spans that document the element, with the
    raw ConText reading of the span. Its element policy already weighed that reading
    (consent counts when ConText reads "risks and benefits were discussed ... consent
    obtained" as hypothetical; prior therapy counts when historical), so showing it as
    "planned or uncertain" would contradict the verdict. Negation stays: "No sedation" is
    documentation of sedation, and the strike-through tells the provider which way.
    Procedures and planned procedures keep their reading.
    """
    if field.startswith("elements.") and assertion != "negated":
        return "affirmed"
    return assertion


def highlight_segments(text: str, evidence: list[dict[str, Any]]) -> list[Segment]:
    """Split ``text`` into plain and evidence segments by character offsets.

    Overlapping spans keep the one that starts first (the longer on a tie), so every
    character is shown exactly once and offsets stay those of the original text. Each
    span's assertion is the one shown (:func:`shown_assertion`).
    """
    spans = sorted(
        (e for e in evidence if 0 <= int(e.get("start", -1)) < int(e.get("end", -1)) <= len(text)),
        key=lambda e: (int(e["start"]), -int(e["end"])),
    )
    segments: list[Segment] = []
    cursor = 0
    for span in spans:
        start, end = int(span["start"]), int(span["end"])
        if start < cursor:
            continue
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        field = str(span.get("field", ""))
        segments.append(
            Segment(
                text[start:end],
                field=field,
                assertion=shown_assertion(field, str(span.get("assertion", "affirmed"))),
                value=str(span.get("value", "")),
            )
        )
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def group_findings(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Findings grouped by severity, most severe first (empty groups left out).

    Each finding gains ``query_text``: its provider query ready to copy.
    """
    shown = [{**f, "query_text": query_text(f)} for f in findings]
    groups = [(sev, [f for f in shown if f.get("severity") == sev]) for sev in SEVERITIES]
    return [(sev, members) for sev, members in groups if members]


def query_text(finding: dict[str, Any]) -> str:
    """A finding's compliant provider query as plain text to copy into a message."""
    query = finding.get("query") or {}
    options = "\n".join(f"[ ] {option}" for option in query.get("options", []))
    return f"{query.get('question', '')}\n{options}".strip()


def ehr_query(findings: list[dict[str, Any]]) -> str:
    """All of a note's provider queries as one numbered message to paste into the EHR.

    Findings that ask the same question (one per procedure, say) appear once.
    """
    texts = list(dict.fromkeys(text for text in map(query_text, findings) if text))
    if len(texts) == 1:
        return texts[0]
    return "\n\n".join(f"{number}. {text}" for number, text in enumerate(texts, start=1))


@dataclass(frozen=True)
class PlainFactor:
    """One risk factor in a provider's words: what it is and how many points it adds."""

    label: str
    points: int  # percentage points of denial risk this factor adds to the score shown
    rules: list[str]  # "ESI-002 Laterality not documented", the findings behind it


def _plain_label(name: str, label: str) -> str:
    """A feature's label without model vocabulary ("warn findings: missing" → words)."""
    head, _, rest = name.partition(".")
    if head == "findings":
        severity, _, status = rest.partition(".")
        kind = SEVERITY_LABELS.get(severity, severity).lower()
        what = f", {status.replace('_', ' ')}" if status else ""
        return f"Documentation gaps ({kind}{what})"
    if head == "verdict":
        return f"The note's verdict: {rest.replace('_', ' ')}"
    if head == "family":
        return f"Procedure type ({family_label(rest)}): denied more often than average"
    if head == "payer":
        return f"Payer ({rest.replace('_', ' ')})"
    if name == "claim.charge":
        return "The claim's charge (larger charges are denied more often)"
    if name == "claim.present":
        return "A claim is attached"
    return label[:1].upper() + label[1:]


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def top_factors(
    risk: RiskScore | None, findings: Sequence[Finding], count: int = 3
) -> list[PlainFactor]:
    """The factors that raise the risk most, each as the points it adds to the score shown.

    A factor's points are the risk shown minus the risk without that factor (its log-odds
    contribution removed), rounded: "side not documented: +12 points".
    """
    if risk is None:
        return []
    raising = sorted(
        (f for f in risk.factors if f.name != "baseline" and f.contribution > 0),
        key=lambda f: -f.contribution,
    )[:count]
    messages = {f.rule_id: f.message for f in findings}
    return [
        PlainFactor(
            label=_plain_label(f.name, f.label),
            points=round(100 * (risk.probability - _sigmoid(risk.logit - f.contribution))),
            rules=[rule_name(rule, messages.get(rule, "")) for rule in f.finding_ids],
        )
        for f in raising
    ]


_WHERE = re.compile(r"^\w+:\s*")  # "claim: " / "note: ", the input's name
_PATH = re.compile(r"\[[^\]]*\]\s*(?:Value error,\s*)?")  # "[lines -> 0 -> cpt] Value error, "


def plain_input_error(exc: Exception) -> str:
    """An input error for a person: what is wrong, without codes or field paths.

    The API and logs keep the coded, path-precise message; a form has one box per field.
    """
    message = _PATH.sub("", _WHERE.sub("", str(exc), count=1))
    return message[:1].upper() + message[1:]


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    user: SignedIn | None,
    csrf: str,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the signed-in user, the navigation and the form CSRF token."""
    nav = [(href, label) for href, label, roles in NAV if user is not None and user.role in roles]
    page = {
        "user": user,
        "role_label": ROLE_LABELS.get(user.role, user.role) if user else None,
        "nav": nav,
        "csrf_token": csrf,
        "severity_labels": SEVERITY_LABELS,
        "max_note_chars": MAX_NOTE_CHARS,
        **context,
    }
    response = templates.TemplateResponse(
        request=request, name=name, context=page, status_code=status_code
    )
    # Pages can show note text and findings: never keep them in shared caches.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
