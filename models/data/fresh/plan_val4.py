"""Slot plan for the fourth error-analysis batch (`val4/`): the test part's eight styles again.

`val/`, `val2/` and `val3/` are spent (read and written against). This batch measures the
sixth round of reader rules on notes nobody has read, with the same slot features as
`val3/` (aimed at levels, family and sides) and a new seed. Seeded, committed as
PLAN-val4.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261208
PER_STYLE = 3

if __name__ == "__main__":
    write_plan("val4", SEED, PER_STYLE, "fourth")
