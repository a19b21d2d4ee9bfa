"""Validate a folder of fresh gold: note-facts/v1 objects, note files and evidence quotes.

Usage: python validate.py FOLDER  (FOLDER holds notes/<id>.txt, gold.jsonl, optional
quotes.jsonl). Exits 1 and lists every problem (by note id and field, never note text).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FAMILIES = {
    "esi", "facet_mbb", "facet_joint_injection", "facet_rfa", "si_joint_injection", "si_rfa",
    "trigger_point", "joint_injection", "genicular", "peripheral_nerve_block",
    "sympathetic_block", "neurolysis_other", "vertebral_augmentation", "scs_trial",
    "scs_implant", "intrathecal_pump", "epidural_adhesiolysis", "epidural_blood_patch",
    "discography", "chemodenervation", "other",
}
ELEMENTS = [
    "informed_consent", "pain_duration", "conservative_therapy",
    "conservative_therapy_duration", "conservative_therapy_failed", "functional_impairment",
    "pain_score", "imaging_findings", "prior_block_relief", "complications", "images_saved",
    "medication_dose", "sedation_or_anesthesia", "post_procedure_assessment",
    "exam_documented", "diagnosis_stated", "opioid_risk_monitoring", "total_time",
]
CHOICES = {
    "approach": {None, "interlaminar", "transforaminal", "caudal"},
    "region": {None, "cervical", "thoracic", "lumbar", "sacral", "other"},
    "laterality": {None, "left", "right", "bilateral"},
    "guidance": {None, "fluoroscopy", "ct", "ultrasound", "none"},
    "contrast": {None, True, False},
}
LEVEL = re.compile(r"^(?:[CTLS]\d{1,2}(?:-[CTLS]\d{1,2})?)$")
KINDS = {"procedure", "office_visit", "consult", "other"}


def check_gold(obj: dict, problems: list[str]) -> None:
    nid = obj.get("note_id", "?")
    expected = {"schema", "note_id", "note_kind", "procedures", "planned_procedures", "elements"}
    if set(obj) != expected:
        problems.append(f"{nid}: keys {sorted(set(obj) ^ expected)} differ from note-facts/v1")
    if obj.get("schema") != "note-facts/v1":
        problems.append(f"{nid}: schema must be note-facts/v1")
    if obj.get("note_kind") not in KINDS:
        problems.append(f"{nid}: note_kind {obj.get('note_kind')!r}")
    for i, proc in enumerate(obj.get("procedures", [])):
        keys = {"family", "approach", "region", "levels", "laterality", "guidance", "contrast"}
        if set(proc) != keys:
            problems.append(f"{nid}: procedures[{i}] keys {sorted(set(proc) ^ keys)}")
        if proc.get("family") not in FAMILIES:
            problems.append(f"{nid}: procedures[{i}].family {proc.get('family')!r}")
        for field, allowed in CHOICES.items():
            if proc.get(field) not in allowed:
                problems.append(f"{nid}: procedures[{i}].{field} {proc.get(field)!r}")
        if proc.get("family") != "esi" and proc.get("approach") is not None:
            problems.append(f"{nid}: procedures[{i}].approach only for esi")
        for level in proc.get("levels", []):
            if not LEVEL.match(level):
                problems.append(f"{nid}: procedures[{i}].levels {level!r} not canonical")
    for family in obj.get("planned_procedures", []):
        if family not in FAMILIES:
            problems.append(f"{nid}: planned family {family!r}")
    elements = obj.get("elements", {})
    if list(elements) != ELEMENTS:
        problems.append(f"{nid}: elements must be the 18 names in FORMAT order")
    if any(not isinstance(v, bool) for v in elements.values()):
        problems.append(f"{nid}: element values must be true/false")


def main(folder: Path) -> int:
    problems: list[str] = []
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line.strip()]
    ids = [g.get("note_id") for g in gold]
    if len(ids) != len(set(ids)):
        problems.append("duplicate note ids in gold.jsonl")
    for obj in gold:
        check_gold(obj, problems)
        path = folder / "notes" / f"{obj.get('note_id')}.txt"
        if not path.exists():
            problems.append(f"{obj.get('note_id')}: no note file")
    quotes_path = folder / "quotes.jsonl"
    if quotes_path.exists():
        by_id = {g["note_id"]: g for g in gold}
        for line in quotes_path.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            nid = entry["note_id"]
            if nid not in by_id:
                problems.append(f"{nid}: quotes for a note not in gold.jsonl")
                continue
            text = (folder / "notes" / f"{nid}.txt").read_text(encoding="utf-8")
            for field, quotes in entry.get("quotes", {}).items():
                for quote in quotes:
                    if quote not in text:
                        problems.append(f"{nid}: a quote for {field} is not an exact substring")
            for name, value in by_id[nid]["elements"].items():
                if value and not entry.get("quotes", {}).get(f"elements.{name}"):
                    problems.append(f"{nid}: elements.{name} is true but has no quote")
    for problem in problems:
        print(problem)
    print(f"{len(gold)} notes, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
