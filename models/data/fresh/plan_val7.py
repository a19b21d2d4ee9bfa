"""Slot plan for the seventh error-analysis batch (`val7/`): the test part's eight styles again.

`val/` to `val6/` are spent (read and written against). This batch measures the
reader after the val6 round on notes nobody has read, with the same slot features as
`val3/` (aimed at levels, family and sides) and a new seed. Seeded, committed as
PLAN-val7.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261211
PER_STYLE = 3

if __name__ == "__main__":
    write_plan("val7", SEED, PER_STYLE, "seventh")
