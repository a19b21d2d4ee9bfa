"""Slot plan for the third error-analysis batch (`val3/`): the test part's eight styles.

`val/` and `val2/` are spent. This batch measures, before any rule is written against it,
how the reader does on unseen notes of the frozen test part's styles, with slot features
aimed at the fields furthest from their floors (levels, family, laterality, guidance).
Seeded, committed as PLAN-val3.json before any note is written.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from plan import FEATURES, PROCEDURE_FAMILIES, STYLES, _draw

SEED = 20261206
PER_STYLE = 4
LEVEL_FEATURES = [
    *FEATURES[3:9],  # title vs body, contrast spread, vertebral bodies, sides by level ...
    "levels written unusually ('L four-five', 'L4 and 5', 'C5/6 and 6/7', 'L3 to L5', 'L4-S1')",
    "levels mentioned that were NOT treated (prior surgery, imaging findings, a planned level)",
    *FEATURES[9:11],  # midline interlaminar, symptoms on one side
]


def plan(
    seed: int = SEED, prefix: str = "fv3", per_style: int = PER_STYLE
) -> dict[str, list[dict[str, object]]]:
    """Slots per style: kind (mostly procedure), families performed and planned, a feature."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {}
    for style in STYLES:
        slots: list[dict[str, object]] = []
        for _ in range(per_style):
            visit = style in {"followup_plan", "consult_letter"} and rng.random() < 0.5
            kind = ("office_visit" if style == "followup_plan" else "consult") if visit else "procedure"
            performed = [] if visit else [_draw(rng, PROCEDURE_FAMILIES)]
            if not visit and rng.random() < 0.2:
                performed.append(_draw(rng, PROCEDURE_FAMILIES))
            planned = [_draw(rng, PROCEDURE_FAMILIES)] if rng.random() < (0.8 if visit else 0.3) else []
            slots.append(
                {
                    "note_id": f"{prefix}-{style}-{len(slots) + 1:02d}",
                    "note_kind": kind,
                    "performed": sorted(set(performed)),
                    "planned": sorted(set(planned)),
                    "feature": rng.choice(LEVEL_FEATURES + [f for f in FEATURES if f][:3]),
                }
            )
        out[style] = slots
    return out


def write_plan(batch: str, seed: int, per_style: int, ordinal: str) -> None:
    """Write ``PLAN-<batch>.json``: the batch's seeded slots (``fv<n>-<style>-<nn>``)."""
    data = {
        "seed": seed,
        "purpose": f"{ordinal} error-analysis batch (2026-12-04): the test part's styles, features aimed at levels, family, sides; not the frozen test part",
        "styles": STYLES,
        "slots": plan(seed, "f" + batch.replace("val", "v"), per_style),
    }
    path = Path(__file__).with_name(f"PLAN-{batch}.json")
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_plan("val3", SEED, PER_STYLE, "third")
