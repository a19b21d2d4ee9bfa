"""CSV export of an audit: sampled notes, provider and family summaries, copied documentation.

Three tables: one row per sampled note; one per provider and family; and one per provider
and part of the note with the month's copied-documentation share (every note of the month,
as the report's "Copied documentation" section).
"""

from __future__ import annotations

import csv
import io

from assistant.audit.report import AuditReport

SAMPLE_COLUMNS = (
    "audit_id",
    "month",
    "seed",
    "item_id",
    "note_id",
    "provider",
    "family",
    "payer",
    "date_of_service",
    "verdict",
    "risk_probability",
    "risk_band",
    "missing_elements",
    "overrides",
)
# A sampled note deleted since under the retention policy: only its item id and verdict.
PURGED_ROW = ("", "", "", "", "", "purged", "", "", "", "")
SUMMARY_COLUMNS = (
    "provider",
    "family",
    "n",
    "readiness_rate",
    "not_recognised",
    "top_missing",
    "low",
    "medium",
    "high",
    "mean_risk",
    "overrides",
)
CLONE_COLUMNS = ("audit_id", "month", "provider", "part", "notes", "repeated", "share")


def sample_csv(report: AuditReport) -> str:
    """The sampled notes as CSV (no note text); purged ones last, with verdict ``purged``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SAMPLE_COLUMNS)
    for row in report.rows:
        probability = "" if row.risk_probability is None else f"{row.risk_probability:.4f}"
        writer.writerow(
            [
                report.audit_id,
                report.month,
                report.seed,
                row.item_id,
                row.note_id,
                row.provider,
                row.family,
                row.payer,
                row.date_of_service,
                row.verdict,
                probability,
                row.risk_band or "",
                ";".join(row.missing),
                row.overrides,
            ]
        )
    for item_id in report.purged:
        writer.writerow([report.audit_id, report.month, report.seed, item_id, *PURGED_ROW])
    return buffer.getvalue()


def summary_csv(report: AuditReport) -> str:
    """Per provider and family aggregates as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for s in report.by_provider_family:
        writer.writerow(
            [
                s.provider,
                s.family,
                s.n,
                f"{s.readiness_rate:.3f}",
                s.not_recognised,
                ";".join(f"{name}:{count}" for name, count in s.top_missing),
                s.bands["low"],
                s.bands["medium"],
                s.bands["high"],
                "" if s.mean_risk is None else f"{s.mean_risk:.4f}",
                s.overrides,
            ]
        )
    return buffer.getvalue()


def clones_csv(report: AuditReport) -> str:
    """Per provider and part of the note: notes with it, those repeating an earlier note.

    ``part`` is ``note`` for whole notes (near-copies) or a section category (identical
    sections); ``share`` is ``repeated / notes``. No note text, no note ids.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CLONE_COLUMNS)
    for share in report.clone_shares:
        writer.writerow(
            [
                report.audit_id,
                report.month,
                share.provider,
                share.part,
                share.notes,
                share.repeated,
                f"{share.share:.3f}",
            ]
        )
    return buffer.getvalue()
