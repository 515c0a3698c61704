"""Weighted sampling without replacement for 四不两直 spot checks, reproducible from a seed.

Pure and independent of the database so that anyone holding a stored draw (its candidates,
weights and seed) can re-run it and get the same sample."""

import random
from collections.abc import Hashable, Sequence


def weighted_sample(candidates: Sequence[tuple[Hashable, int]], k: int, *, seed: int) -> list[Hashable]:
    """Draws up to `k` distinct keys from (key, weight) pairs. Each pick chooses among the keys
    not yet drawn with probability proportional to their weight (integer arithmetic, no float
    rounding). Keys with weight <= 0 are never drawn. The candidates are sorted by key first, so the
    result depends only on the set of (key, weight) pairs and the seed, not on their order."""
    rng = random.Random(seed)
    pool = sorted(((key, int(weight)) for key, weight in candidates if int(weight) > 0), key=lambda kw: kw[0])
    total = sum(weight for _, weight in pool)
    sample: list[Hashable] = []
    while pool and len(sample) < k:
        target = rng.randrange(total)
        for index, (key, weight) in enumerate(pool):
            if target < weight:
                sample.append(key)
                total -= weight
                del pool[index]
                break
            target -= weight
    return sample
