"""The procedure a prior authorization asks for: family, levels, side, payer, date."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import Errors, PreauthInputError
from assistant.facts import Family, Laterality, Procedure, family_label
from assistant.reader.levels import canonical_levels


class PlannedProcedure(BaseModel):
    """What is to be authorized; ``date`` anchors the rolling 12-month and repeat windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: Family
    levels: list[str] = Field(default_factory=list)
    side: Laterality | None = None
    payer: str
    date: dt.date | None = None

    @property
    def label(self) -> str:
        """The procedure in words ("Facet radiofrequency ablation, right, L4-L5, L5-S1")."""
        parts = [family_label(self.family), self.side or "", ", ".join(self.levels)]
        return ", ".join(part for part in parts if part)

    def as_procedure(self) -> Procedure:
        """The planned procedure as the checklist rules see a procedure."""
        return Procedure(family=self.family, levels=list(self.levels), laterality=self.side)


def parse_levels(raw: str | None) -> list[str]:
    """``"L4-L5,L5-S1"`` -> ``["L4-L5", "L5-S1"]``; anything else is Errors.E106."""
    if not raw or not raw.strip():
        return []
    out = []
    for part in raw.split(","):
        levels = canonical_levels(part)  # "L4-5" -> L4-L5, "L5" -> L5, nonsense -> []
        if len(levels) != 1:
            raise PreauthInputError(Errors.E106, levels=raw)
        out.extend(levels)
    return out
