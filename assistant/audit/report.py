"""Audit report: readiness, missing elements, risk and overrides per provider and family.

The aggregation functions are pure (rows in, summaries out); ``build_report`` is the one
place that reads the store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.audit.clones import CloneShare, clone_shares, top_findings
from assistant.errors import Errors, NothingToAudit
from assistant.findings import rule_name
from assistant.store.clone_repository import CloneRepository
from assistant.store.models import Audit, Override, WorklistItem
from assistant.store.worklist import WorklistRepository, month_bounds

BANDS = ("low", "medium", "high")
TOP_MISSING = 3
TREND_MONTHS = 6


@dataclass(frozen=True)
class AuditRow:
    """One checked item as the audit sees it (no note text)."""

    item_id: int
    note_id: str
    provider: str
    family: str
    payer: str
    date_of_service: str
    verdict: str
    risk_probability: float | None
    risk_band: str | None
    missing: tuple[str, ...]  # rules as coders see them: "ESI-002 Side not documented"
    overrides: int = 0


@dataclass(frozen=True)
class GroupSummary:
    """Aggregates for one provider (and family, when grouped by both)."""

    provider: str
    family: str
    n: int
    ready: int
    not_recognised: int  # notes whose procedure ChartReady could not identify (checked by hand)
    top_missing: list[tuple[str, int]]
    bands: dict[str, int]
    mean_risk: float | None
    overrides: int

    @property
    def readiness_rate(self) -> float:
        """Share of items whose verdict is ``ready``."""
        return self.ready / self.n if self.n else 0.0


@dataclass(frozen=True)
class TrendPoint:
    """Readiness of every checked item of one provider in one month."""

    month: str
    provider: str
    n: int
    readiness_rate: float


@dataclass
class AuditReport:
    """Everything the report page, the CSV export and the notebook show."""

    audit_id: int
    month: str
    per_provider: int
    seed: int
    created_by: str
    rows: list[AuditRow]
    by_provider: list[GroupSummary]
    by_provider_family: list[GroupSummary]
    trend: list[TrendPoint]
    overrides: list[dict[str, Any]] = field(default_factory=list)
    drawn_at: str = ""  # when the sample was drawn, UTC "YYYY-MM-DD HH:MM" (printed header)
    # Sampled items deleted since under the retention policy: listed as purged; the figures
    # cover the sampled notes still stored (``rows``).
    purged: list[int] = field(default_factory=list)
    # Copied documentation over every note of the month (not only the sample), per provider
    # and part of the note; and how many of the month's notes are not compared yet.
    clone_shares: list[CloneShare] = field(default_factory=list)
    clones_pending: int = 0

    @property
    def clone_findings(self) -> list[CloneShare]:
        """The copied-documentation shares worth a sentence, the largest first."""
        return top_findings(self.clone_shares)

    @property
    def readiness_rate(self) -> float:
        """Overall share of sampled items that are ready."""
        return sum(r.verdict == "ready" for r in self.rows) / len(self.rows) if self.rows else 0.0


def rule_names(item: WorklistItem) -> dict[str, str]:
    """The item's findings named as on the worklist ("ESI-002 Side not documented"), by id."""
    findings = (item.result or {}).get("findings", [])
    return {f["rule_id"]: rule_name(f["rule_id"], str(f.get("message", ""))) for f in findings}


def row_from_item(item: WorklistItem, overrides: int = 0) -> AuditRow:
    """The audit's view of one checked item."""
    findings = (item.result or {}).get("findings", [])
    names = rule_names(item)
    missing = tuple(names[f["rule_id"]] for f in findings if f.get("status") == "missing")
    return AuditRow(
        item_id=item.id,
        note_id=item.note_id,
        provider=item.provider,
        family=item.family or "none",
        payer=item.payer,
        date_of_service=item.date_of_service.isoformat(),
        verdict=item.verdict or "unchecked",
        risk_probability=item.risk_probability,
        risk_band=item.risk_band,
        missing=missing,
        overrides=overrides,
    )


def summarise(rows: Sequence[AuditRow], by_family: bool) -> list[GroupSummary]:
    """Group summaries by provider (and family when ``by_family``), sorted by key."""
    groups: dict[tuple[str, str], list[AuditRow]] = defaultdict(list)
    for row in rows:
        groups[(row.provider, row.family if by_family else "all")].append(row)
    out = []
    for (provider, family), members in sorted(groups.items()):
        risks = [r.risk_probability for r in members if r.risk_probability is not None]
        missing = Counter(name for r in members for name in r.missing)
        bands = Counter(r.risk_band for r in members if r.risk_band)
        out.append(
            GroupSummary(
                provider=provider,
                family=family,
                n=len(members),
                ready=sum(r.verdict == "ready" for r in members),
                not_recognised=sum(r.verdict == "not_recognised" for r in members),
                top_missing=sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISSING],
                bands={band: bands.get(band, 0) for band in BANDS},
                mean_risk=sum(risks) / len(risks) if risks else None,
                overrides=sum(r.overrides for r in members),
            )
        )
    return out


def previous_months(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first (``YYYY-MM``)."""
    start, _ = month_bounds(month)
    index = start.year * 12 + start.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def trend(rows_by_month: dict[str, Iterable[AuditRow]]) -> list[TrendPoint]:
    """Readiness per provider per month (months with no items for a provider are skipped)."""
    points = []
    for month in sorted(rows_by_month):
        for summary in summarise(list(rows_by_month[month]), by_family=False):
            points.append(TrendPoint(month, summary.provider, summary.n, summary.readiness_rate))
    return points


def _override_dict(override: Override, items: dict[int, WorklistItem]) -> dict[str, Any]:
    """One override of a sampled item, its rule named as on the worklist."""
    item = items.get(override.item_id)
    names = rule_names(item) if item is not None else {}
    return {
        "item_id": override.item_id,
        "note_id": item.note_id if item is not None else "",
        "rule_id": override.rule_id,
        "rule": names.get(override.rule_id, override.rule_id),
        "reason": override.reason,
        "user": override.user_name,
        "at": override.created_at.isoformat(timespec="minutes"),
    }


def build_report(repo: WorklistRepository, audit: Audit) -> AuditReport:
    """The report of a recorded audit: its sample, group summaries and the 6-month trend.

    The trend covers every checked item of each month (not only sampled ones), so it shows
    where the practice is heading rather than sampling noise; so do the copied-documentation
    shares, read from the clone flags stored when the notes were imported. Sampled items
    purged since (``audit.purged_item_ids``) are not looked up again (their ids may have
    been reused).
    """
    purged = set(audit.purged_item_ids or [])
    items = repo.items([item_id for item_id in audit.item_ids if item_id not in purged])
    overrides = repo.overrides_for([item.id for item in items])
    per_item = Counter(o.item_id for o in overrides)
    rows = [row_from_item(item, per_item.get(item.id, 0)) for item in items]
    months = previous_months(audit.month, TREND_MONTHS)
    by_month = {m: [row_from_item(i) for i in repo.checked_in_month(m)] for m in months}
    by_id = {item.id: item for item in items}
    compared, not_compared = CloneRepository(repo.session).scanned_in_month(audit.month)
    return AuditReport(
        audit_id=audit.id,
        month=audit.month,
        per_provider=audit.per_provider,
        seed=audit.seed,
        created_by=audit.created_by,
        rows=rows,
        by_provider=summarise(rows, by_family=False),
        by_provider_family=summarise(rows, by_family=True),
        trend=trend({m: r for m, r in by_month.items() if r}),
        overrides=[_override_dict(o, by_id) for o in overrides],
        drawn_at=audit.created_at.strftime("%Y-%m-%d %H:%M"),
        purged=sorted(purged),
        clone_shares=clone_shares(compared),
        clones_pending=not_compared,
    )


def run_audit(
    repo: WorklistRepository, month: str, per_provider: int, seed: int, user: str
) -> Audit:
    """Draw the stratified sample of ``month``'s checked items and record it with its seed.

    A month with no checked items raises :class:`NothingToAudit` instead of recording an
    empty audit whose 0 % readiness would read as a finding.
    """
    from assistant.audit.sampling import stratified_sample

    population = [(item.id, item.provider) for item in repo.checked_in_month(month)]
    if not population:
        raise NothingToAudit(Errors.E801, month=month)
    sample = stratified_sample(population, per_provider, seed)
    return repo.add_audit(month, per_provider, seed, sample, user)
