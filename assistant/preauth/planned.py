"""The procedure a prior authorization asks for: family, levels, side, payer, date.

Also the two ways every pre-auth record is read and named: spinal levels as typed
(:func:`spinal_levels`, :func:`parse_levels`) and a procedure in words
(:func:`procedure_words`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import Errors, PreauthInputError
from assistant.facts import Family, Laterality, Procedure, family_label
from assistant.reader.levels import canonical_levels


def procedure_words(family: str, side: str | None, levels: Sequence[str]) -> str:
    """A procedure in words ("Facet radiofrequency ablation, right, L4-L5, L5-S1")."""
    parts = [family_label(family), side or "", ", ".join(levels)]
    return ", ".join(part for part in parts if part)


def spinal_levels(values: Iterable[str]) -> list[str]:
    """Each value as one canonical spinal level (``L4-5`` -> ``L4-L5``), repeats dropped.

    Raises:
        ValueError: naming the first value that is not exactly one level.
    """
    out: list[str] = []
    for value in values:
        levels = canonical_levels(value)  # "L4-5" -> L4-L5, "L5" -> L5, nonsense -> []
        if len(levels) != 1:
            raise ValueError(f"{value!r} is not a spinal level such as L4-L5 or L5")
        out.extend(levels)
    return list(dict.fromkeys(out))


def parse_levels(raw: str | None) -> list[str]:
    """``"L4-L5,L5-S1"`` -> ``["L4-L5", "L5-S1"]``; anything else is Errors.E106."""
    if not raw or not raw.strip():
        return []
    try:
        return spinal_levels(raw.split(","))
    except ValueError:
        raise PreauthInputError(Errors.E106, levels=raw) from None


class PlannedProcedure(BaseModel):
    """What is to be authorized; ``date`` anchors the rolling 12-month and repeat windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: Family
    levels: list[str] = Field(default_factory=list)
    side: Laterality | None = None
    payer: str
    date: dt.date | None = None

    @property
    def procedure_words(self) -> str:
        """The procedure in words ("Facet radiofrequency ablation, right, L4-L5, L5-S1")."""
        return procedure_words(self.family, self.side, self.levels)

    def as_procedure(self) -> Procedure:
        """The planned procedure as the checklist rules see a procedure."""
        return Procedure(family=self.family, levels=list(self.levels), laterality=self.side)
