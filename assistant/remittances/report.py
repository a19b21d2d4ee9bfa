"""The monthly denial report: rates, top reasons, and what ChartReady flagged before billing.

For one month of dates of service: the denial rate (denied or partially paid lines over the
lines that stand, i.e. not reversals nor the originals a reversal takes back) and the
first-pass payment rate (original claims paid in full, or left to the patient, on their first
adjudication), by payer, provider and procedure family; the top denial reasons with dollars;
and for each denied line whether the stored check had a block/warn finding on it and
whether a coder overrode that finding (by whom, why). Aggregation is pure; only
:func:`build_report` reads the store.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from jinja2 import Environment

from assistant.errors import Errors, NoRemittances
from assistant.remittances.categories import load_table
from assistant.store.models import Override, WorklistItem
from assistant.store.remittance_repository import LineRow, RemittanceRepository
from assistant.store.remittance_tables import RemittanceClaim, RemittanceLine
from assistant.store.worklist import WorklistRepository, month_bounds

DENIED = frozenset({"denied", "partially_paid"})
CLEAN = frozenset({"paid", "patient_responsibility"})
TOP_REASONS = 10
TREND_MONTHS = 6
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class ReportLine:
    """One remitted line as the report sees it (no patient names)."""

    claim_id: int
    line_number: int
    note_id: str
    payer: str
    provider: str
    family: str
    date_of_service: str
    procedure: str
    modifiers: tuple[str, ...]
    kind: str
    superseded: bool
    outcome: str
    category: str | None
    reason: str | None
    billed_cents: int
    paid_cents: int
    denied_cents: int
    match: str
    flagged: bool | None
    flagged_rules: tuple[str, ...] = ()
    overrides: tuple[dict[str, str], ...] = ()

    @property
    def stands(self) -> bool:
        """Counts toward the denial rate: not a reversal, not an original taken back."""
        return self.kind != "reversal" and not self.superseded

    @property
    def overridden(self) -> bool | None:
        """A flagging finding was overridden by a coder; ``None`` when nothing was flagged."""
        return bool(self.overrides) if self.flagged else None


@dataclass(frozen=True)
class Rates:
    """Denial and first-pass rates for one group (payer, provider, family or all)."""

    key: str
    lines: int
    denied_lines: int
    denied_cents: int
    claims: int
    first_pass_paid: int

    @property
    def denial_rate(self) -> float:
        """Denied or partially paid lines over standing lines."""
        return self.denied_lines / self.lines if self.lines else 0.0

    @property
    def first_pass_rate(self) -> float:
        """Original claims paid clean on first adjudication over original claims."""
        return self.first_pass_paid / self.claims if self.claims else 0.0


@dataclass(frozen=True)
class ReasonTotal:
    """One denial reason (``CO-50``) with its category, line count and dollars."""

    reason: str
    category: str
    label: str
    lines: int
    denied_cents: int


@dataclass(frozen=True)
class Prevention:
    """Of the denied lines: flagged before billing (caught), not flagged (missed), unknown."""

    denied: int
    flagged: int
    flagged_overridden: int
    not_flagged: int
    unmatched: int


@dataclass
class DenialReport:
    """Everything the CLI formats (JSON, CSV, HTML)."""

    month: str
    overall: Rates
    by_payer: list[Rates]
    by_provider: list[Rates]
    by_family: list[Rates]
    top_reasons: list[ReasonTotal]
    prevention: Prevention
    denied_lines: list[ReportLine]
    trend: list[Rates] = field(default_factory=list)
    table_version: int = 1


def rates(key: str, lines: Sequence[ReportLine]) -> Rates:
    """Rates over ``lines``; claims are judged on all their lines in the group."""
    standing = [line for line in lines if line.stands]
    claims: dict[int, list[ReportLine]] = defaultdict(list)
    for line in lines:
        if line.kind == "original":
            claims[line.claim_id].append(line)
    return Rates(
        key=key,
        lines=len(standing),
        denied_lines=sum(line.outcome in DENIED for line in standing),
        denied_cents=sum(line.denied_cents for line in standing if line.outcome in DENIED),
        claims=len(claims),
        first_pass_paid=sum(all(ln.outcome in CLEAN for ln in group) for group in claims.values()),
    )


def grouped(lines: Sequence[ReportLine], key: Callable[[ReportLine], str]) -> list[Rates]:
    """Rates per value of ``key``, sorted by the value."""
    groups: dict[str, list[ReportLine]] = defaultdict(list)
    for line in lines:
        groups[key(line)].append(line)
    return [rates(name, members) for name, members in sorted(groups.items())]


def top_reasons(lines: Sequence[ReportLine], limit: int = TOP_REASONS) -> list[ReasonTotal]:
    """Denial reasons by dollars denied, then by lines (standing denied lines only)."""
    table = load_table()
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        if line.stands and line.outcome in DENIED:
            key = (line.reason or "none", line.category or "other")
            totals[key][0] += 1
            totals[key][1] += line.denied_cents
    rows = [
        ReasonTotal(reason, category, table.categories.get(category, category), n, dollars)  # type: ignore[call-overload]
        for (reason, category), (n, dollars) in totals.items()
    ]
    return sorted(rows, key=lambda r: (-r.denied_cents, -r.lines, r.reason))[:limit]


def prevention(denied: Sequence[ReportLine]) -> Prevention:
    """How many denied lines the check had flagged (and how many of those were overridden)."""
    return Prevention(
        denied=len(denied),
        flagged=sum(line.flagged is True for line in denied),
        flagged_overridden=sum(line.overridden is True for line in denied),
        not_flagged=sum(line.flagged is False for line in denied),
        unmatched=sum(line.flagged is None for line in denied),
    )


def summarise(month: str, lines: Sequence[ReportLine]) -> DenialReport:
    """The report of one month's lines (pure)."""
    denied = [line for line in lines if line.stands and line.outcome in DENIED]
    return DenialReport(
        month=month,
        overall=rates("all", lines),
        by_payer=grouped(lines, lambda line: line.payer),
        by_provider=grouped(lines, lambda line: line.provider),
        by_family=grouped(lines, lambda line: line.family),
        top_reasons=top_reasons(lines),
        prevention=prevention(denied),
        denied_lines=denied,
        table_version=load_table().version,
    )


def _override_dict(override: Override) -> dict[str, str]:
    return {
        "rule_id": override.rule_id,
        "user": override.user_name,
        "reason": override.reason,
        "at": override.created_at.isoformat(timespec="minutes"),
    }


def report_lines(
    rows: Sequence[LineRow], overrides: Sequence[Override], superseded: set[tuple[str, str]]
) -> list[ReportLine]:
    """Join lines, claims, matched items and overrides into report rows."""
    by_item: dict[int, list[Override]] = defaultdict(list)
    for override in overrides:
        by_item[override.item_id].append(override)
    return [_report_line(line, claim, item, by_item, superseded) for line, claim, item in rows]


def superseded_keys(claims: Iterable[RemittanceClaim]) -> set[tuple[str, str]]:
    """``(patient control number, payer claim number)`` of every claim a reversal takes back."""
    return {
        (claim.patient_control_number, claim.payer_claim_number or "")
        for claim in claims
        if claim.kind == "reversal"
    }


def is_superseded(claim: RemittanceClaim, superseded: set[tuple[str, str]]) -> bool:
    """An original claim that a reversal in ``superseded`` takes back."""
    key = (claim.patient_control_number, claim.payer_claim_number or "")
    return claim.kind == "original" and key in superseded


def _report_line(
    line: RemittanceLine,
    claim: RemittanceClaim,
    item: WorklistItem | None,
    by_item: dict[int, list[Override]],
    superseded: set[tuple[str, str]],
) -> ReportLine:
    rules = tuple(line.flagged_rules or ())
    found = [o for o in by_item.get(item.id, []) if o.rule_id in rules] if item else []
    dos = line.date_of_service or claim.statement_date
    return ReportLine(
        claim_id=claim.id,
        line_number=line.line_number,
        note_id=claim.patient_control_number,
        payer=claim.payer_name,
        provider=item.provider if item else (claim.rendering_npi or UNMATCHED),
        family=(item.family or "none") if item else UNMATCHED,
        date_of_service=dos.isoformat() if dos else "",
        procedure=line.procedure,
        modifiers=tuple(line.modifiers or ()),
        kind=claim.kind,
        superseded=is_superseded(claim, superseded),
        outcome=line.outcome,
        category=line.category,
        reason=line.reason,
        billed_cents=line.billed_cents,
        paid_cents=line.paid_cents,
        denied_cents=line.denied_cents,
        match=claim.match,
        flagged=line.flagged,
        flagged_rules=rules,
        overrides=tuple(_override_dict(o) for o in found),
    )


def _month_lines(
    repo: RemittanceRepository, worklist: WorklistRepository, month: str
) -> list[ReportLine]:
    rows = repo.lines_in_month(month)
    item_ids = sorted({item.id for _, _, item in rows if item is not None})
    superseded = superseded_keys(claim for _, claim, _ in rows)
    return report_lines(rows, worklist.overrides_for(item_ids), superseded)


def previous_months(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    start, _ = month_bounds(month)
    index = start.year * 12 + start.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def build_report(
    repo: RemittanceRepository, worklist: WorklistRepository, month: str
) -> DenialReport:
    """The report of ``month`` with its six-month trend; :class:`NoRemittances` when empty."""
    lines = _month_lines(repo, worklist, month)
    if not lines:
        raise NoRemittances(Errors.E903, month=month)
    report = summarise(month, lines)
    for earlier in previous_months(month, TREND_MONTHS):
        month_lines = lines if earlier == month else _month_lines(repo, worklist, earlier)
        if month_lines:
            report.trend.append(rates(earlier, month_lines))
    return report


# ---- formats -------------------------------------------------------------------------------

CSV_COLUMNS = (
    "month",
    "note_id",
    "date_of_service",
    "payer",
    "provider",
    "family",
    "procedure",
    "modifiers",
    "outcome",
    "reason",
    "category",
    "billed",
    "paid",
    "denied",
    "match",
    "flagged_before_billing",
    "flagged_rules",
    "overridden",
    "overridden_by",
    "override_reasons",
)


def dollars(cents: int) -> str:
    """``12345`` -> ``123.45``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def to_csv(report: DenialReport) -> str:
    """One row per denied line: what was denied, why, and whether ChartReady had flagged it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.denied_lines:
        writer.writerow(
            [
                report.month,
                line.note_id,
                line.date_of_service,
                line.payer,
                line.provider,
                line.family,
                line.procedure,
                ";".join(line.modifiers),
                line.outcome,
                line.reason or "",
                line.category or "",
                dollars(line.billed_cents),
                dollars(line.paid_cents),
                dollars(line.denied_cents),
                line.match,
                _yes_no(line.flagged),
                ";".join(line.flagged_rules),
                _yes_no(line.overridden),
                ";".join(o["user"] for o in line.overrides),
                " | ".join(o["reason"] for o in line.overrides),
            ]
        )
    return buffer.getvalue()


def _rates_dict(r: Rates) -> dict[str, Any]:
    return {
        **asdict(r),
        "denial_rate": round(r.denial_rate, 4),
        "first_pass_rate": round(r.first_pass_rate, 4),
    }


def to_dict(report: DenialReport) -> dict[str, Any]:
    """The report as JSON-ready data (cents as integers, rates as fractions)."""
    return {
        "month": report.month,
        "category_table_version": report.table_version,
        "overall": _rates_dict(report.overall),
        "by_payer": [_rates_dict(r) for r in report.by_payer],
        "by_provider": [_rates_dict(r) for r in report.by_provider],
        "by_family": [_rates_dict(r) for r in report.by_family],
        "top_reasons": [asdict(r) for r in report.top_reasons],
        "prevention": asdict(report.prevention),
        "trend": [_rates_dict(r) for r in report.trend],
        "denied_lines": [
            {**asdict(line), "overridden": line.overridden} for line in report.denied_lines
        ],
    }


def to_json(report: DenialReport) -> str:
    """The report as indented JSON."""
    return json.dumps(to_dict(report), indent=2) + "\n"


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Denials {{ r.month }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:0 0 1.5rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
td.n{text-align:right}
</style></head><body>
<h1>Denials, dates of service {{ r.month }}</h1>
<p>Denial rate {{ pct(r.overall.denial_rate) }} ({{ r.overall.denied_lines }} of
{{ r.overall.lines }} lines, ${{ dollars(r.overall.denied_cents) }} denied);
first-pass payment rate {{ pct(r.overall.first_pass_rate) }}
({{ r.overall.first_pass_paid }} of {{ r.overall.claims }} claims).</p>
<p>Of {{ r.prevention.denied }} denied lines, ChartReady had flagged
{{ r.prevention.flagged }} before billing ({{ r.prevention.flagged_overridden }} of them
overridden), did not flag {{ r.prevention.not_flagged }}, and
{{ r.prevention.unmatched }} were not matched to a checked chart.</p>
{% for title, groups in (("Payer", r.by_payer), ("Provider", r.by_provider),
                         ("Family", r.by_family), ("Month", r.trend)) %}
<h2>By {{ title | lower }}</h2>
<table><thead><tr><th>{{ title }}</th><th>lines</th><th>denial rate</th>
<th>denied $</th><th>claims</th><th>first-pass rate</th></tr></thead><tbody>
{% for g in groups %}<tr><td>{{ g.key }}</td><td class="n">{{ g.lines }}</td>
<td class="n">{{ pct(g.denial_rate) }}</td><td class="n">{{ dollars(g.denied_cents) }}</td>
<td class="n">{{ g.claims }}</td><td class="n">{{ pct(g.first_pass_rate) }}</td></tr>
{% endfor %}</tbody></table>
{% endfor %}
<h2>Top denial reasons</h2>
<table><thead><tr><th>reason</th><th>category</th><th>lines</th><th>denied $</th></tr></thead>
<tbody>{% for t in r.top_reasons %}<tr><td>{{ t.reason }}</td><td>{{ t.label }}</td>
<td class="n">{{ t.lines }}</td><td class="n">{{ dollars(t.denied_cents) }}</td></tr>
{% endfor %}</tbody></table>
<h2>Denied lines</h2>
<table><thead><tr><th>note</th><th>date</th><th>payer</th><th>provider</th><th>code</th>
<th>outcome</th><th>reason</th><th>denied $</th><th>flagged before billing</th>
<th>overridden (by, why)</th></tr></thead><tbody>
{% for l in r.denied_lines %}<tr><td>{{ l.note_id }}</td><td>{{ l.date_of_service }}</td>
<td>{{ l.payer }}</td><td>{{ l.provider }}</td>
<td>{{ l.procedure }}{% for m in l.modifiers %}-{{ m }}{% endfor %}</td>
<td>{{ l.outcome }}</td><td>{{ l.reason or "" }} {{ l.category or "" }}</td>
<td class="n">{{ dollars(l.denied_cents) }}</td>
<td>{{ yes_no(l.flagged) }} {{ l.flagged_rules | join(", ") }}</td>
<td>{% for o in l.overrides %}{{ o.user }}: {{ o.reason }}<br>{% endfor %}</td></tr>
{% endfor %}</tbody></table>
<p><small>Categories: CARC/RARC table v{{ r.table_version }} (codes from X12,
https://x12.org/codes).</small></p>
</body></html>
"""


def to_html(report: DenialReport) -> str:
    """A self-contained HTML page of the report (autoescaped)."""
    env = Environment(autoescape=True)
    template = env.from_string(_HTML)
    return template.render(
        r=report, dollars=dollars, pct=lambda x: f"{100 * x:.1f}%", yes_no=_yes_no
    )
