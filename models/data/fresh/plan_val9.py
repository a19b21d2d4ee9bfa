"""Slot plan for the ninth error-analysis batch (`val9/`): two notes in each of the eight styles.

`val/` to `val8/` are spent (read and written against). This batch measures the reader
after the twelfth round on notes nobody has read, with `val3/`'s slot features (aimed at
levels, family and sides) and a new seed; two writers of four styles each. Seeded,
committed as PLAN-val9.json before any note is written.
"""

from __future__ import annotations

from plan_val3 import write_plan

SEED = 20261206
PER_STYLE = 2

if __name__ == "__main__":
    write_plan("val9", SEED, PER_STYLE, "ninth")
