"""Slot plan for the eleventh error-analysis batch (`val11/`): two notes in each of the eight styles.

`val/` to `val10/` are spent (read and written against). This batch measures the reader
after the fourteenth round on notes nobody has read, with `val3/`'s slot features (aimed at
levels, family and sides) and a new seed; four writers of two styles each. Seeded,
committed as PLAN-val11.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261214
PER_STYLE = 2

if __name__ == "__main__":
    write_plan("val11", SEED, PER_STYLE, "eleventh")
