"""Slot plan for the fifth error-analysis batch (`val5/`): the test part's eight styles again.

`val/` to `val4/` are spent (read and written against). This batch measures the
seventh round of reader rules on notes nobody has read, with the same slot features as
`val3/` (aimed at levels, family and sides) and a new seed. Seeded, committed as
PLAN-val5.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261209
PER_STYLE = 3

if __name__ == "__main__":
    write_plan("val5", SEED, PER_STYLE, "fifth")
