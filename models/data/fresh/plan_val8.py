"""Slot plan for the eighth error-analysis batch (`val8/`): one note in each of the eight styles.

`val/` to `val7/` are spent (read and written against). This batch measures the reader
after the tenth round on notes nobody has read, with `val3/`'s slot features (aimed at
levels, family and sides) and a new seed; one writer, so one note per style. Seeded,
committed as PLAN-val8.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261205
PER_STYLE = 1

if __name__ == "__main__":
    write_plan("val8", SEED, PER_STYLE, "eighth")
