"""Monthly mini-audit: stratified sample with a recorded seed, report, charts, CSV."""

from assistant.audit.report import (
    AuditReport,
    AuditRow,
    GroupSummary,
    TrendPoint,
    build_report,
    run_audit,
    summarise,
)
from assistant.audit.sampling import new_seed, stratified_sample

__all__ = [
    "AuditReport",
    "AuditRow",
    "GroupSummary",
    "TrendPoint",
    "build_report",
    "new_seed",
    "run_audit",
    "stratified_sample",
    "summarise",
]
