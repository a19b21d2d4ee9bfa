"""Slot plan for the fresh synthetic notes: which kind of note each writer writes.

Run once (seeded) before any note is written; the plan is committed as PLAN.json so the
set's make-up is reproducible. Each slot names a note kind, the procedure families it
performs or plans, and special features from the reader issue's failure classes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

STYLES = {
    "narrative": "dictated narrative, no section headings at all, first person, run-on paragraphs",
    "capitals": "whole note (or nearly all of it) in CAPITAL LETTERS, as some transcription systems emit",
    "bullets": "bullet shorthand: terse '-' or '*' lines, fragments, heavy abbreviations",
    "templated": "templated EHR note: field labels, [x]/[ ] checkboxes, drop-down phrases, smart-phrase boilerplate",
    "asc_op": "terse ambulatory-surgery-center operative note: short labelled fields, minimal prose",
    "consult_letter": "consult letter to a referring physician ('Dear Dr ...'), evaluation in prose",
    "followup_plan": "established-patient follow-up visit that reviews prior procedures and plans the next one",
    "typos": "quickly typed note with typos, missing punctuation, lower case, nonstandard abbreviations",
}

PROCEDURE_FAMILIES = [
    ("esi", 20), ("facet_mbb", 8), ("facet_rfa", 8), ("facet_joint_injection", 5),
    ("si_joint_injection", 7), ("si_rfa", 3), ("trigger_point", 6), ("joint_injection", 8),
    ("genicular", 4), ("peripheral_nerve_block", 6), ("sympathetic_block", 6),
    ("neurolysis_other", 2), ("vertebral_augmentation", 4), ("scs_trial", 3),
    ("scs_implant", 2), ("intrathecal_pump", 2), ("epidural_adhesiolysis", 3),
    ("epidural_blood_patch", 2), ("discography", 2), ("chemodenervation", 3),
]

FEATURES = [
    "nerve-root block named by its root (e.g. 'right L5 selective nerve root block')",
    "medial-branch or dorsal-ramus neurotomy wording instead of 'RFA'",
    "two families in one note (e.g. catheter adhesiolysis plus an epidural injection, or ESI plus trigger points)",
    "title names levels that the body contradicts (the body is right)",
    "contrast spread described to levels that were not injected (only the needle levels count)",
    "vertebral-body levels (kyphoplasty, sympathetic block at a vertebral body)",
    "a side that differs by level (two procedure entries)",
    "thoracic paravertebral or intercostal run of levels",
    "joints or levels listed in a later sentence than the procedure name",
    "midline interlaminar injection with no side stated (laterality null)",
    "symptoms on one side but no side stated for the procedure itself (laterality null)",
    "landmark / palpation technique with no imaging (guidance none)",
    "ultrasound guidance",
    "no contrast used, stated explicitly (contrast false)",
    "standard abbreviation for the procedure (TFESI, ILESI, CESI, SNRB, MBB, RFA, RFTC, SIJ, SGB, LSB, GON, ONB, PVA, SCS, IDDS, PNS ...)",
    "elements documented in unusual wording (duration, failed therapy, function, imaging)",
    "post-procedure assessment and complications worded unusually",
    "placeholder blanks (***, ___) in some fields (they document nothing)",
    "", "", "", "",
]

KINDS_BY_STYLE = {
    "followup_plan": [("office_visit", 26), ("procedure", 3), ("consult", 3)],
    "consult_letter": [("consult", 24), ("office_visit", 4), ("procedure", 4)],
}
DEFAULT_KINDS = [("procedure", 24), ("office_visit", 4), ("consult", 3), ("other", 1)]
PER_STYLE = 32


def _draw(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights=weights, k=1)[0]


def plan(seed: int = 20261203) -> dict[str, list[dict[str, object]]]:
    """Slots per style: kind, performed families, planned families, one feature."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {}
    for style in STYLES:
        kinds = KINDS_BY_STYLE.get(style, DEFAULT_KINDS)
        slots: list[dict[str, object]] = []
        for _ in range(PER_STYLE):
            kind = _draw(rng, kinds)
            performed: list[str] = []
            planned: list[str] = []
            if kind == "procedure":
                performed.append(_draw(rng, PROCEDURE_FAMILIES))
                if rng.random() < 0.12:
                    performed.append(_draw(rng, PROCEDURE_FAMILIES))
                if rng.random() < 0.3:
                    planned.append(_draw(rng, PROCEDURE_FAMILIES))
            elif kind in {"office_visit", "consult"}:
                if rng.random() < 0.75:
                    planned.append(_draw(rng, PROCEDURE_FAMILIES))
                if rng.random() < 0.15:
                    performed.append(rng.choice(["trigger_point", "joint_injection"]))
            slots.append(
                {
                    "note_id": f"fs-{style}-{len(slots) + 1:02d}",
                    "note_kind": kind,
                    "performed": sorted(set(performed)),
                    "planned": sorted(set(planned)),
                    "feature": rng.choice(FEATURES),
                }
            )
        out[style] = slots
    return out


if __name__ == "__main__":
    data = {"seed": 20261203, "styles": STYLES, "slots": plan()}
    path = Path(__file__).with_name("PLAN.json")
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
