"""Group FAMILY/LEVEL/LATERALITY/... spans into performed and planned procedures."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.facts import Evidence, Family, Procedure
from assistant.reader.spans import Target


def assemble_procedures(
    text: str, targets: Sequence[Target]
) -> tuple[list[Procedure], list[Family], list[Evidence]]:
    """Performed procedures, planned families and their evidence."""
    del text, targets
    return [], [], []
