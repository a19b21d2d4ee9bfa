"""E/M readiness: level support from MDM or time, modifier 25/G2211, opioid checklist.

Public interface (pure over note text and NoteFacts; independent of ``assistant.checks``):

- :func:`assess_if_applicable` / :func:`assess_em` -> :class:`EMAssessment` (supported
  level, by MDM and by time, the three MDM elements with evidence, total minutes,
  modifier-25 separateness).
- :func:`em_findings` -> shared :class:`~assistant.findings.Finding` records for the
  pipeline to merge with the checklist findings.
"""

from assistant.em.assess import assess_em, assess_if_applicable
from assistant.em.findings import em_findings
from assistant.em.schema import ClaimLine, EMAssessment, EMEvidence

__all__ = [
    "ClaimLine",
    "EMAssessment",
    "EMEvidence",
    "assess_em",
    "assess_if_applicable",
    "em_findings",
]
