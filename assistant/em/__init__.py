"""E/M readiness: level support from MDM or time, modifier 25/G2211, opioid checklist.

Public interface (pure over note text and NoteFacts; independent of ``assistant.checks``):

- :func:`assess_em` -> :class:`EMAssessment` (supported level, by MDM and by time, the
  three MDM elements with evidence, total minutes, modifier-25 separateness).
- :func:`em_findings` -> list of :class:`EMFinding` for the findings engine to merge.
"""

from assistant.em.assess import assess_em
from assistant.em.findings import em_findings
from assistant.em.schema import EMAssessment, EMEvidence, EMFinding, FindingEvidence

__all__ = ["EMAssessment", "EMEvidence", "EMFinding", "FindingEvidence", "assess_em", "em_findings"]
