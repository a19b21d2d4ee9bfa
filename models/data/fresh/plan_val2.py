"""Slot plan for the second error-analysis batch (`val2/`): procedure notes in new styles.

The first batch (`val/`) is spent; this one probes levels, sides and guidance in styles the
reader has never met. Seeded, committed as PLAN-val2.json before any note is written.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from plan import FEATURES, PROCEDURE_FAMILIES, _draw

SEED = 20261205
STYLES = {
    "radiology_report": "interventional-radiology style report: EXAM/PROCEDURE, INDICATION, TECHNIQUE, FINDINGS, IMPRESSION; fluoroscopic or CT language; levels often only in TECHNIQUE or IMPRESSION",
    "brief_op": "very short busy-clinic procedure note, 3 to 10 lines, heavy abbreviation, no headings or only one",
    "numbered_steps": "procedure report whose technique is a numbered list of steps, often several procedures or levels in one session, each step naming its own level and side",
    "voice_dictation": "speech-recognition dictation left uncorrected: levels and sides spoken ('L four five', 'L5 S1', 'el five', 'right-sided at four five'), homophones, run-on sentences, odd punctuation",
}
PER_STYLE = 6
LEVEL_FEATURES = [
    "levels spoken or spelled unusually (e.g. 'L four-five', 'L4 and 5', 'C5/6 and 6/7', 'L3 to L5')",
    "levels only named after the procedure, in a later sentence or a list",
    "bilateral at some levels and one side at another",
    "root levels (L5, S1) for a transforaminal injection, or nerve levels for medial branches",
    "levels mentioned that were NOT treated (prior surgery, imaging findings, spread of contrast)",
]


def plan(seed: int = SEED) -> dict[str, list[dict[str, object]]]:
    """Slots per style: kind (mostly procedure), families performed and planned, a feature."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {}
    for style in STYLES:
        slots: list[dict[str, object]] = []
        for _ in range(PER_STYLE):
            kind = "procedure" if rng.random() < 0.85 else "office_visit"
            performed: list[str] = []
            planned: list[str] = []
            if kind == "procedure":
                performed.append(_draw(rng, PROCEDURE_FAMILIES))
                if rng.random() < 0.2:
                    performed.append(_draw(rng, PROCEDURE_FAMILIES))
            if rng.random() < 0.35:
                planned.append(_draw(rng, PROCEDURE_FAMILIES))
            slots.append(
                {
                    "note_id": f"fv2-{style}-{len(slots) + 1:02d}",
                    "note_kind": kind,
                    "performed": sorted(set(performed)),
                    "planned": sorted(set(planned)),
                    "feature": rng.choice(LEVEL_FEATURES + [f for f in FEATURES if f][:6]),
                }
            )
        out[style] = slots
    return out


if __name__ == "__main__":
    data = {
        "seed": SEED,
        "purpose": "second error-analysis batch (2026-12-04): levels/sides in new styles; not the frozen test part",
        "styles": STYLES,
        "slots": plan(),
    }
    Path(__file__).with_name("PLAN-val2.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
