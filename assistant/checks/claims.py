"""Claim lines and procedure history: input models and the coding table schema.

A claim is optional input to a check; malformed claims raise :class:`ClaimInputError` with a
path-precise message (``lines -> 0 -> units: ...``). The coding table
(``checklists/coding/coding.v1.yaml``) says what each CPT/HCPCS code means for the checks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assistant.checks.schema import Intent, validate_concern
from assistant.errors import ClaimInputError, Errors, validation_paths
from assistant.facts import Approach, Family, Region
from assistant.findings import Basis, Query, Severity, SourceRef, Status

_CPT = re.compile(r"^(\d{4}[0-9AFMTU]|[A-Z]\d{4})$")
_ICD10 = re.compile(r"^[A-TV-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
RegionGroup = Literal["cervicothoracic", "lumbosacral", "other"]
# NCCI-associated modifiers that bypass a PTP edit with modifier indicator 1 when the
# record documents a different session, structure, practitioner or unusual service.
BYPASS_MODIFIERS = ("59", "XE", "XP", "XS", "XU")


def check_cpt(value: str) -> str:
    """Normalise a CPT/HCPCS code, or raise ``ValueError`` saying what a code looks like."""
    value = value.strip().upper()
    if not _CPT.match(value):
        raise ValueError(
            f"{value!r} is not a CPT code: 5 digits (or 4 digits and F or T), "
            "or a HCPCS letter + 4 digits"
        )
    return value


CptCode = Annotated[str, AfterValidator(check_cpt)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClaimLine(_Input):
    """One claim line: a code, its modifiers, units, linked diagnoses and charge."""

    cpt: str
    modifiers: list[str] = Field(default_factory=list)
    units: int = Field(default=1, ge=1, le=99)
    icd10: list[str] = Field(default_factory=list)
    charge: float | None = Field(default=None, ge=0)

    @field_validator("cpt")
    @classmethod
    def _cpt(cls, value: str) -> str:
        return check_cpt(value)

    @field_validator("modifiers")
    @classmethod
    def _modifiers(cls, values: list[str]) -> list[str]:
        out = [value.strip().upper() for value in values]
        for value in out:
            if not _MODIFIER.match(value):
                raise ValueError(f"{value!r} is not a 2-character modifier")
        return out

    @field_validator("icd10")
    @classmethod
    def _icd10(cls, values: list[str]) -> list[str]:
        out = [value.strip().upper() for value in values]
        for value in out:
            if not _ICD10.match(value):
                raise ValueError(f"{value!r} is not an ICD-10-CM code (e.g. M54.16)")
        return out


class Claim(_Input):
    """The claim lines for the note's date of service (all optional context for checks)."""

    payer: str | None = None
    date_of_service: dt.date | None = None
    lines: list[ClaimLine] = Field(min_length=1)


class HistoryEntry(_Input):
    """One earlier procedure session for the same patient (any provider)."""

    date_of_service: dt.date
    family: Family | None = None
    cpt: str | None = None
    region: Region | None = None
    intent: Intent | None = None
    relief_percent: float | None = Field(default=None, ge=0, le=100)
    relief_duration_days: float | None = Field(
        default=None, ge=0, description="how long that relief lasted (6 hours = 0.25)"
    )
    pain_scale: str | None = Field(
        default=None, description="the scale of pain_before/pain_after (NRS, VAS, ...)"
    )
    pain_before: float | None = Field(default=None, ge=0)
    pain_after: float | None = Field(default=None, ge=0)
    modifiers: list[str] = Field(default_factory=list)

    @property
    def relief(self) -> float | None:
        """Percent relief: as recorded, else from the pain scores before and after."""
        if self.relief_percent is not None:
            return self.relief_percent
        if self.pain_before and self.pain_after is not None:
            return max(0.0, 100.0 * (self.pain_before - self.pain_after) / self.pain_before)
        return None


class ProcedureHistory(_Input):
    """Earlier procedure sessions, used for rolling-12-month limits and the RFA ladder."""

    procedures: list[HistoryEntry] = Field(default_factory=list)


class CodeInfo(_Input):
    """What a code means for the checks (family, region group, level role, guidance)."""

    families: list[Family] = Field(default_factory=list)
    approaches: list[Approach] = Field(default_factory=list)
    region_group: RegionGroup | None = None
    role: Literal["primary", "addon", "imaging", "single"] = "single"
    primary: list[str] = Field(default_factory=list)
    includes_guidance: bool = False
    level_counting: Literal["level", "joint", "session", "none"] = "none"
    bilateral_allowed: bool = True
    description: str


class CodingRule(_Input):
    """Metadata of one claim check; the mechanism is the function named by ``check``."""

    id: str = Field(pattern=r"^CLM-\d{3}$")
    old_ids: list[str] = Field(default_factory=list)
    check: str
    symbol: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    severity: Severity
    status: Status
    concerns: list[str] = Field(min_length=1)
    source: SourceRef
    fix: str
    query: Query
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("concerns")
    @classmethod
    def _concerns(cls, values: list[str]) -> list[str]:
        return [validate_concern(value) for value in values]


class FrequencyLimit(_Input):
    """A rolling-12-month session cap for one bucket (family set and intent)."""

    bucket: str
    families: list[Family]
    intent: Intent | None = None
    threshold_key: str


class PtpPair(_Input):
    """An NCCI procedure-to-procedure edit: a column-2 code is not paid with a column-1 code.

    ``column1_includes_guidance`` stands for every code of the table whose descriptor
    includes image guidance (so the imaging edits need not list them again). Modifier
    indicator 1 lets 59/XE/XP/XS/XU on the column-2 code bypass the edit; 0 never does.
    """

    column1: list[CptCode] = Field(default_factory=list)
    column1_includes_guidance: bool = False
    column2: list[CptCode] = Field(min_length=1)
    modifier_indicator: Literal[0, 1]
    why: str
    basis: Basis

    @model_validator(mode="after")
    def _has_column1(self) -> PtpPair:
        if not self.column1 and not self.column1_includes_guidance:
            raise ValueError("give column1 codes or column1_includes_guidance: true")
        return self


class MueLimit(_Input):
    """A Medically Unlikely Edit: most units of one code per patient per date of service.

    ``adjudication`` is the MUE adjudication indicator (1 per claim line, 2 or 3 per date
    of service); ``None`` when not confirmed, which the check treats as per date of service.
    """

    units: int = Field(ge=1, le=99)
    adjudication: Literal[1, 2, 3] | None = None
    basis: Basis


class CodingTable(_Input):
    """The coding file: codes, diagnosis lists, frequency buckets, NCCI edits and rules."""

    version: int = Field(ge=1)
    codes: dict[str, CodeInfo]
    covered_dx: dict[str, list[str]] = Field(default_factory=dict)
    invalid_dx: dict[str, str] = Field(default_factory=dict)
    frequency: list[FrequencyLimit] = Field(default_factory=list)
    ptp_pairs: list[PtpPair] = Field(default_factory=list)
    mue: dict[str, MueLimit] = Field(default_factory=dict)
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors only")
    rules: list[CodingRule]

    @field_validator("mue")
    @classmethod
    def _mue_codes(cls, values: dict[str, MueLimit]) -> dict[str, MueLimit]:
        for code in values:
            if check_cpt(code) != code:
                raise ValueError(f"{code!r}: write the code in capitals, without spaces")
        return values

    def ptp_edits(self) -> list[tuple[str, str, PtpPair]]:
        """Every (column-1, column-2, edit) the pairs spell out, in file order."""
        guided = [code for code, info in self.codes.items() if info.includes_guidance]
        return [
            (first, second, pair)
            for pair in self.ptp_pairs
            for first in [*pair.column1, *(guided if pair.column1_includes_guidance else [])]
            for second in pair.column2
            if first != second
        ]


def _parse(model: type[_Input], data: object, source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ClaimInputError(Errors.E010, source=source, problem=validation_paths(exc)) from None


def parse_claim(data: object, source: str = "claim") -> Claim:
    """Validate a decoded claim object, raising a path-precise :class:`ClaimInputError`."""
    result: Claim = _parse(Claim, data, source)
    return result


def parse_history(data: object, source: str = "history") -> ProcedureHistory:
    """Validate a history object; a bare list is taken as the ``procedures`` list."""
    if isinstance(data, list):
        data = {"procedures": data}
    result: ProcedureHistory = _parse(ProcedureHistory, data, source)
    return result


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problem = f"cannot read ({exc.strerror or exc})"
    except json.JSONDecodeError as exc:
        problem = f"not JSON (line {exc.lineno}, column {exc.colno})"
    raise ClaimInputError(Errors.E010, source=path, problem=problem)


def load_claim(path: Path) -> Claim:
    """Read and validate a claim JSON file."""
    return parse_claim(_load_json(path), str(path))


def load_history(path: Path) -> ProcedureHistory:
    """Read and validate a procedure-history JSON file."""
    return parse_history(_load_json(path), str(path))
