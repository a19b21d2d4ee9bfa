"""Slot plan for the sixth error-analysis batch (`val6/`): the test part's eight styles again.

`val/` to `val5/` are spent (read and written against). This batch measures the
eighth round of reader rules (the session's final state) on notes nobody has read, with the same slot features as
`val3/` (aimed at levels, family and sides) and a new seed. Seeded, committed as
PLAN-val6.json before any note is written.
"""

from __future__ import annotations

import json
from pathlib import Path

from plan import STYLES
from plan_val3 import plan

SEED = 20261210
PER_STYLE = 3

if __name__ == "__main__":
    data = {
        "seed": SEED,
        "purpose": "sixth error-analysis batch (2026-12-04): the test part's styles, features aimed at levels, family, sides; not the frozen test part",
        "styles": STYLES,
        "slots": plan(SEED, "fv6", PER_STYLE),
    }
    Path(__file__).with_name("PLAN-val6.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
