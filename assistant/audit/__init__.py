"""Monthly mini-audit: stratified sample with a recorded seed, report, charts, CSV."""

from assistant.audit.clones import CloneShare, clone_shares
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
    "CloneShare",
    "GroupSummary",
    "TrendPoint",
    "build_report",
    "clone_shares",
    "new_seed",
    "run_audit",
    "stratified_sample",
    "summarise",
]
