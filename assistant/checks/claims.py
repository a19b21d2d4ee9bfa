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

from assistant.checks.doses import Measure
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
    units: int = Field(default=1, ge=1, le=9999, description="drug lines bill up to 4 digits")
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
    """The claim lines for the note's date of service (all optional context for checks).

    ``place_of_service`` is the CMS place-of-service code (11 office, 22 or 19 hospital
    outpatient department, 24 ambulatory surgical center); ``prior_authorization`` the
    authorization or unique tracking number (UTN) the claim carries.
    """

    payer: str | None = None
    date_of_service: dt.date | None = None
    place_of_service: str | None = Field(default=None, pattern=r"^\d{2}$")
    prior_authorization: str | None = Field(default=None, min_length=1)
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
    role: Literal["primary", "addon", "per_level", "imaging", "single"] = "single"
    primary: list[str] = Field(default_factory=list)
    includes_guidance: bool = False
    level_counting: Literal["level", "joint", "session", "none"] = "none"
    levels_per_primary: int = Field(
        default=1, ge=1, description="levels the primary code covers (64628: two vertebral bodies)"
    )
    ultrasound_variant: CptCode | None = Field(
        default=None, description="the code for the same service with ultrasound guidance"
    )
    description: str


class ClaimCase(Claim):
    """One example claim for a coding rule, with the history and note it is checked with.

    ``note`` replaces the examples' shared note for this case; ``history`` lists earlier
    sessions. ``lines`` may be empty for a history-only case (no claim is then sent).
    """

    lines: list[ClaimLine] = Field(default_factory=list)
    note: str | None = None
    history: list[HistoryEntry] = Field(default_factory=list)

    def to_claim(self) -> Claim | None:
        """The claim this case sends (``None`` for a history-only case)."""
        if not self.lines:
            return None
        return Claim.model_validate(self.model_dump(exclude={"note", "history"}))

    def to_history(self) -> ProcedureHistory | None:
        """The history this case sends (``None`` when it lists no earlier session)."""
        return ProcedureHistory(procedures=self.history) if self.history else None


class ClaimExamples(_Input):
    """A coding rule's golden cases, run through ``check_note`` like checklist examples.

    The ``good`` case must not raise the rule and the ``bad`` case must
    (``tests/checks/test_checks_examples.py``); ``payer`` names the profile to check with.
    """

    note: str = Field(min_length=1)
    good: ClaimCase
    bad: ClaimCase
    payer: str = "medicare"

    def case(self, kind: Literal["good", "bad"]) -> tuple[str, ClaimCase]:
        """The note and the case of one kind."""
        case = self.good if kind == "good" else self.bad
        return case.note or self.note, case


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
    examples: ClaimExamples

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


BilateralIndicatorValue = Literal[0, 1, 2, 3, 9]
# CMS Medicare Physician Fee Schedule, "Bilateral surgery" (modifier 50) indicator, in words.
BILATERAL_MEANING: dict[int, str] = {
    0: "150% bilateral adjustment does not apply; modifier 50 is not used",
    1: "150% bilateral adjustment applies; report one line with modifier 50",
    2: "the code already describes a bilateral procedure; modifier 50 is not used",
    3: "each side is paid at 100%; modifier 50 or RT/LT lines",
    9: "the bilateral concept does not apply",
}


class BilateralIndicator(_Input):
    """A code's MPFS bilateral surgery indicator and how sure that value is."""

    indicator: BilateralIndicatorValue
    basis: Basis


def check_dx_entry(value: str) -> str:
    """A diagnosis-list entry: a whole ICD-10-CM code, or ``X-`` for every code under ``X``."""
    code = value[:-1] if value.endswith("-") else value
    if not _ICD10.match(code):
        raise ValueError(f"{value!r} is not an ICD-10-CM code or a code followed by '-'")
    return value


class DxList(_Input):
    """The diagnosis codes a policy names for one family, with its source and how sure.

    An entry is a billable code, or ``X-`` for every code under ``X`` (``X`` itself, a
    non-billable parent, is not on the list).
    """

    codes: list[Annotated[str, AfterValidator(check_dx_entry)]] = Field(min_length=1)
    basis: Basis
    source: str

    def covers(self, code: str) -> bool:
        """Whether the list names ``code`` (exactly, or as a child of an ``X-`` entry)."""
        return any(
            code.startswith(entry[:-1]) and code != entry[:-1]
            if entry.endswith("-")
            else code == entry
            for entry in self.codes
        )


class DrugInfo(_Input):
    """A drug HCPCS code: what one billing unit is, and whether it comes in single-dose containers.

    Single-dose drugs take JW (the amount discarded, on its own line) or JZ (none discarded)
    on Medicare Part B claims. ``unit`` is the dosage of the HCPCS long descriptor: an amount
    in mg, mcg or units, or ``one dose``. ``names`` are the words a note uses for the drug
    (generic and brand, lower case); a code with names and an amount as its unit has its
    units compared with the dose the note documents. Codes with the same names are one drug
    in several unit sizes (J1030 and J1040): their lines are compared together. ``source``
    names where the unit and the container were read (the HCPCS long descriptor, a label);
    without it they come from the long descriptors, as the coding file's comment says.
    """

    description: str
    unit: str = Field(pattern=r"^(\d+(\.\d+)? (mg|mcg|units?)|one dose)$")
    single_dose: bool
    names: list[str] = Field(default_factory=list)
    basis: Basis
    source: str | None = Field(default=None, min_length=1)

    @field_validator("names")
    @classmethod
    def _names(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip() or value != value.lower():
                raise ValueError(f"{value!r}: write a drug name in lower case")
        return values

    @model_validator(mode="after")
    def _names_need_an_amount(self) -> DrugInfo:
        if self.names and self.billing_unit is None:
            raise ValueError("names: the unit must be an amount (mg, mcg or units) to compare")
        return self

    @property
    def billing_unit(self) -> tuple[float, Measure] | None:
        """One billing unit as an amount in mg or units (mcg in mg); ``None`` for one dose."""
        if self.unit == "one dose":
            return None
        amount, measure = self.unit.split()
        if measure == "mcg":
            return float(amount) / 1000, "mg"
        return float(amount), "mg" if measure == "mg" else "units"


class CodingTable(_Input):
    """The coding file: codes, diagnosis lists, frequency buckets, NCCI edits and rules.

    ``seventh_character`` names the ICD-10-CM categories whose every code ends in a 7th
    character (fractures: A initial encounter, D subsequent, S sequela); ``dx_sides`` maps a
    code (or the start of one) to the body side it names.
    """

    version: int = Field(ge=1)
    codes: dict[str, CodeInfo]
    covered_dx: dict[Family, DxList] = Field(default_factory=dict)
    invalid_dx: dict[str, str] = Field(default_factory=dict)
    seventh_character: list[str] = Field(default_factory=list)
    dx_sides: dict[str, Literal["right", "left", "bilateral"]] = Field(default_factory=dict)
    frequency: list[FrequencyLimit] = Field(default_factory=list)
    ptp_pairs: list[PtpPair] = Field(default_factory=list)
    mue: dict[str, MueLimit] = Field(default_factory=dict)
    bilateral: dict[str, BilateralIndicator] = Field(default_factory=dict)
    drugs: dict[str, DrugInfo] = Field(default_factory=dict)
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors only")
    rules: list[CodingRule]

    @field_validator("mue", "bilateral", "drugs")
    @classmethod
    def _capital_codes(cls, values: dict[str, Any]) -> dict[str, Any]:
        for code in values:
            if check_cpt(code) != code:
                raise ValueError(f"{code!r}: write the code in capitals, without spaces")
        return values

    @model_validator(mode="after")
    def _one_drug_one_set_of_names(self) -> CodingTable:
        """Codes that share a drug name share all of them (and the measure of their unit)."""
        for code, drug in self.drugs.items():
            for other, same in self.drugs.items():
                if code >= other or not set(drug.names) & set(same.names):
                    continue
                if set(drug.names) != set(same.names):
                    raise ValueError(f"drugs: {code} and {other} share some names, not all")
                one, two = drug.billing_unit, same.billing_unit
                if one and two and one[1] != two[1]:
                    raise ValueError(f"drugs: {code} and {other} units differ in measure")
        return self

    @model_validator(mode="after")
    def _every_procedure_has_a_bilateral_indicator(self) -> CodingTable:
        """Modifier 50 is judged on every procedure code, never allowed by default."""
        missing = [
            code
            for code, info in self.codes.items()
            if info.families and code not in self.bilateral
        ]
        if missing:
            raise ValueError(f"bilateral: no indicator for {', '.join(missing)}")
        return self

    def dx_problem(self, code: str) -> str | None:
        """Why ``code`` is not billable as coded (``None`` when nothing is known against it).

        A deleted or parent code named in ``invalid_dx``; a code a list names only as
        ``code-`` (it has children); a fracture code without its 7th character.
        """
        if code in self.invalid_dx:
            return self.invalid_dx[code]
        if any(f"{code}-" in dx_list.codes for dx_list in self.covered_dx.values()):
            return (
                "non-billable parent, not coded to the highest specificity; "
                f"use a code under {code}"
            )
        if (
            any(code.startswith(p) for p in self.seventh_character)
            and len(code.replace(".", "")) < 7
        ):
            return (
                "incomplete: this category needs a 7th character (A initial encounter, D "
                "subsequent, S sequela; X fills empty places), not coded to the highest specificity"
            )
        return None

    def addons_of(self, code: str) -> list[str]:
        """The add-on codes that report further levels of primary ``code`` (64483: 64484)."""
        return [
            add for add, info in self.codes.items() if info.role == "addon" and code in info.primary
        ]

    def dx_side(self, code: str) -> str | None:
        """The side an ICD-10-CM code names (longest matching entry of ``dx_sides``)."""
        best = max(
            (start for start in self.dx_sides if code.startswith(start)), key=len, default=None
        )
        return self.dx_sides[best] if best is not None else None

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
