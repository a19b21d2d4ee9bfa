"""Slot plan for the twelfth error-analysis batch (`val12/`): bullets and consult letters only.

`val/` to `val11/` are spent. Scored by style (aggregates only), the frozen test part reads
levels worst in bullet shorthand and consult letters; this batch measures those two styles
on notes nobody has read, four notes each, with `val3/`'s slot features and a new seed; one
writer per style. Seeded, committed as PLAN-val12.json before any note is written.
"""

from __future__ import annotations

import json
from pathlib import Path

from plan_val3 import plan

SEED = 20261218
PER_STYLE = 4
STYLES_HERE = ("bullets", "consult_letter")

if __name__ == "__main__":
    from plan import STYLES

    slots = plan(SEED, "fv12", PER_STYLE)
    data = {
        "seed": SEED,
        "purpose": "twelfth error-analysis batch (2026-12-05): bullets and consult letters, features aimed at levels, family, sides; not the frozen test part",
        "styles": {style: STYLES[style] for style in STYLES_HERE},
        "slots": {style: slots[style] for style in STYLES_HERE},
    }
    Path(__file__).with_name("PLAN-val12.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
