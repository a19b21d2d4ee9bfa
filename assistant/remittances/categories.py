"""Denial categories: the CARC/RARC table (versioned YAML, pydantic-validated) and lookups.

The table says which bucket a billing team files an adjustment under (coding and modifiers,
bundling, medical necessity, frequency, authorization, documentation, eligibility, timely
filing, duplicate, patient responsibility); the data file cites the X12 code lists it
paraphrases. Everything here is pure except :func:`load_table`, which reads the file once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from assistant.datafiles import load_yaml
from assistant.remittances.model import Adjustment

TABLE_FILE = "denial_categories.v1.yaml"
Category = Literal[
    "coding_modifiers",
    "bundling_ncci",
    "medical_necessity",
    "frequency_limits",
    "authorization",
    "documentation",
    "eligibility",
    "timely_filing",
    "duplicate",
    "patient_responsibility",
    "contractual",
    "other",
]
OTHER: Category = "other"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    name: str = Field(min_length=1)
    url: HttpUrl
    note: str = ""


class CodeEntry(_Strict):
    category: Category
    description: str = Field(min_length=1)


class CategoryTable(_Strict):
    """The whole data file."""

    version: int = Field(ge=1)
    source: Source
    categories: dict[Category, str]
    not_denials: list[Category]
    group_categories: dict[str, Category] = Field(default_factory=dict)
    refined_by_rarc: list[str] = Field(default_factory=list)
    carc: dict[str, CodeEntry]
    rarc: dict[str, CodeEntry]

    @model_validator(mode="after")
    def _every_category_named(self) -> CategoryTable:
        missing = set(Category.__args__) - set(self.categories)  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"categories without a label: {sorted(missing)}")
        unknown = [code for code in self.refined_by_rarc if code not in self.carc]
        if unknown:
            raise ValueError(f"refined_by_rarc lists CARCs the table lacks: {unknown}")
        return self


@cache
def load_table() -> CategoryTable:
    """The packaged table (read and validated once per process)."""
    return load_yaml(resources.files("assistant.remittances") / TABLE_FILE, CategoryTable)


def carc_category(table: CategoryTable, group: str, reason: str) -> Category:
    """One adjustment's category from its group and CARC alone."""
    if group in table.group_categories:
        return table.group_categories[group]
    entry = table.carc.get(reason)
    return entry.category if entry else OTHER


def rarc_category(table: CategoryTable, remarks: Iterable[str]) -> Category | None:
    """The category of the first remark code the table knows; ``None`` when none is known."""
    for code in remarks:
        entry = table.rarc.get(code)
        if entry is not None:
            return entry.category
    return None


def classify(table: CategoryTable, adjustment: Adjustment, remarks: Sequence[str]) -> Category:
    """An adjustment's category, letting a known RARC refine a generic CARC (CO-16 + M127)."""
    category = carc_category(table, adjustment.group, adjustment.reason)
    if adjustment.group in table.group_categories:
        return category
    if adjustment.reason in table.refined_by_rarc:
        return rarc_category(table, remarks) or category
    return category


def is_denial(table: CategoryTable, category: Category) -> bool:
    """True for categories that mean the payer did not pay as billed."""
    return category not in table.not_denials


def label(table: CategoryTable, category: str) -> str:
    """The human label of a category (the code itself when unknown)."""
    return table.categories.get(category, category)  # type: ignore[call-overload, no-any-return]
