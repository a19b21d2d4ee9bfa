"""Slot plan for the sixth error-analysis batch (`val6/`): the test part's eight styles again.

`val/` to `val5/` are spent (read and written against). This batch measures the
eighth round of reader rules (the session's final state) on notes nobody has read, with the same slot features as
`val3/` (aimed at levels, family and sides) and a new seed. Seeded, committed as
PLAN-val6.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261210
PER_STYLE = 3

if __name__ == "__main__":
    write_plan("val6", SEED, PER_STYLE, "sixth")
