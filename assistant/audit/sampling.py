"""Stratified random sampling for the monthly mini-audit, reproducible from its seed."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable


def new_seed() -> int:
    """A fresh random seed that fits a 32-bit signed integer column."""
    return secrets.randbelow(2**31 - 1)


def stratified_sample(
    population: Iterable[tuple[int, str]], per_provider: int, seed: int
) -> list[int]:
    """Up to ``per_provider`` item ids per provider, drawn at random; sorted ids.

    ``population`` is ``(item_id, provider)`` pairs. Each provider's stratum is sorted and
    drawn with its own ``random.Random(f"{seed}:{provider}")``, so the sample depends only on
    the seed and the population (not on row order, hash seeds or other providers): the
    same audit can be re-drawn later and adding a provider does not change the others.
    """
    if per_provider < 1:
        raise ValueError("the sample size per provider must be at least 1")
    strata: dict[str, list[int]] = defaultdict(list)
    for item_id, provider in population:
        strata[provider].append(item_id)
    chosen: list[int] = []
    for provider in sorted(strata):
        ids = sorted(strata[provider])
        rng = random.Random(f"{seed}:{provider}")
        chosen.extend(ids if len(ids) <= per_provider else rng.sample(ids, per_provider))
    return sorted(chosen)
