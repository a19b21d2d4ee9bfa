"""Bilateral services (issue 16, item 8): RT/LT line pairs and modifier 50 by MPFS indicator.

A bilateral level billed as an RT line and an LT line (as an ASC, or a payer that wants
separate lines, reports it) is one level, not two, in the units-vs-levels check (CLM-002).
Modifier 50 is accepted only on codes whose CMS bilateral surgery indicator allows it
(CLM-005), read per code from ``bilateral`` in the coding table.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import parse_claim
from assistant.checks.registry import default_checklist_dir, load_registry_from
from assistant.errors import RuleFileError
from assistant.facts import NoteFacts
from assistant.pipeline import check_note

UNITS, BILATERAL = "CLM-002", "CLM-005"
FACETS = (
    "PROCEDURE: Bilateral L4-L5 and L5-S1 facet joint injections under fluoroscopic guidance.\n"
    "Diagnosis: lumbar facet arthropathy."
)
ONE_FACET = (
    "PROCEDURE: Bilateral L4-L5 facet joint injection under fluoroscopic guidance.\n"
    "Diagnosis: lumbar facet arthropathy."
)
TFESI = (
    "PROCEDURE: Bilateral L4-L5 and L5-S1 transforaminal epidural steroid injection under "
    "fluoroscopic guidance.\nDiagnosis: lumbar radiculopathy."
)
CELIAC = "PROCEDURE: Bilateral celiac plexus block under fluoroscopic guidance."
KYPHOPLASTY = "PROCEDURE: Bilateral transpedicular L1 kyphoplasty under fluoroscopic guidance."
SI = "PROCEDURE: Bilateral sacroiliac joint injections under fluoroscopic guidance."


def _line(cpt: str, *modifiers: str, units: int = 1, dx: str = "M47.816") -> dict[str, Any]:
    return {"cpt": cpt, "modifiers": list(modifiers), "units": units, "icd10": [dx]}


TWO_LEVELS_RT_LT = [
    _line("64493", "RT"),
    _line("64493", "LT"),
    _line("64494", "RT"),
    _line("64494", "LT"),
]


def _raised(note: str, lines: list[dict[str, Any]], read: Callable[[str], NoteFacts]) -> set[str]:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-02", "lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    return {finding.rule_id for finding in result.findings}


@pytest.mark.parametrize(
    ("note", "lines", "over"),
    [
        # two bilateral levels on RT/LT lines: 2 levels, not 4
        (
            FACETS,
            TWO_LEVELS_RT_LT,
            False,
        ),
        (
            TFESI,
            [
                _line("64483", "RT", dx="M54.16"),
                _line("64483", "LT", dx="M54.16"),
                _line("64484", "RT", dx="M54.16"),
                _line("64484", "LT", dx="M54.16"),
            ],
            False,
        ),
        # the same two levels with modifier 50
        (FACETS, [_line("64493", "50"), _line("64494", "50")], False),
        # one bilateral level on RT/LT lines is one level
        (ONE_FACET, [_line("64493", "RT"), _line("64493", "LT")], False),
        # but an add-on pair for a second level the note does not document is still too many
        (
            ONE_FACET,
            TWO_LEVELS_RT_LT,
            True,
        ),
        # a side billed twice over is not a bilateral pair
        (ONE_FACET, [_line("64493", "RT"), _line("64494", "RT")], True),
    ],
)
def test_rt_lt_line_pair_counts_as_one_bilateral_level(
    note: str, lines: list[dict[str, Any]], over: bool, read: Callable[[str], NoteFacts]
) -> None:
    assert (UNITS in _raised(note, lines, read)) is over


@pytest.mark.parametrize(
    ("note", "line", "flagged"),
    [
        (FACETS, _line("64493", "50"), False),  # indicator 1
        (SI, _line("27096", "50", dx="M46.1"), False),  # indicator 1
        (CELIAC, _line("64530", "50", dx="R10.13"), True),  # indicator 0: midline plexus
        (KYPHOPLASTY, _line("22514", "50", dx="M80.08XA"), True),  # indicator 0: per vertebra
        (SI, _line("G0260", "50", dx="M46.1"), True),  # facility code, sides on RT/LT lines
    ],
)
def test_modifier_50_follows_the_bilateral_surgery_indicator(
    note: str, line: dict[str, Any], flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    assert (BILATERAL in _raised(note, [line], read)) is flagged


def test_the_finding_names_the_indicator(read: Callable[[str], NoteFacts]) -> None:
    claim = parse_claim({"lines": [_line("64530", "50", dx="R10.13")]})
    result = check_note(CELIAC, payer="medicare", claim=claim, facts=read(CELIAC))
    finding = next(f for f in result.findings if f.rule_id == BILATERAL)
    assert "bilateral surgery indicator 0" in finding.message


PAIN_CODES = [
    "64479",  # 64479-64484 are four codes: 64481 and 64482 do not exist
    "64480",
    "64483",
    "64484",
    *(str(code) for code in range(64490, 64496)),
    *(str(code) for code in range(64633, 64637)),
    "20610",
    "20611",
    "27096",
    "G0260",
    *(str(code) for code in range(62320, 62328)),
    "63650",
    *(str(code) for code in range(22510, 22516)),
    "64530",
    "64520",
    "64510",
    "64450",
    "64405",
    "20552",
    "20553",
]


def test_every_pain_code_has_a_marked_bilateral_indicator() -> None:
    table = load_registry().coding
    assert sorted(set(PAIN_CODES) - set(table.bilateral)) == []
    for code in PAIN_CODES:
        indicator = table.bilateral[code]
        assert indicator.indicator in (0, 1, 2, 3, 9), code
        assert indicator.basis in ("verified", "secondary", "general_knowledge"), code
    # every procedure code of the table is judged, none defaults to allowed
    procedures = {code for code, info in table.codes.items() if info.families}
    assert sorted(procedures - set(table.bilateral)) == []


def test_a_procedure_code_without_an_indicator_is_a_load_error(tmp_path: Path) -> None:
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    path = root / "coding" / "coding.v1.yaml"
    text = path.read_text(encoding="utf-8")
    line = '  "63650": {indicator: 0, basis: general_knowledge}  # each array is a unit\n'
    assert line in text
    path.write_text(text.replace(line, ""), encoding="utf-8")
    with pytest.raises(RuleFileError, match="bilateral: no indicator for 63650"):
        load_registry_from(root)
