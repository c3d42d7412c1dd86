"""Random draws the simulator makes: a weighted choice, a Poisson count, a time of day."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping
from typing import Final

_NORMAL_FROM: Final = 30.0  # above this mean a Poisson count is drawn from its normal approximation


def choose(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key of `weights`, with probability in proportion to its weight."""
    draw = rng.random() * sum(weights.values())
    for key, weight in weights.items():
        draw -= weight
        if draw < 0:
            return key
    return list(weights)[-1]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count of the given mean."""
    if mean >= _NORMAL_FROM:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def time_between(rng: random.Random, first: dt.time, last: dt.time) -> dt.time:
    """A whole second between `first` and `last` (same day)."""
    start = first.hour * 3600 + first.minute * 60 + first.second
    end = last.hour * 3600 + last.minute * 60 + last.second
    second = rng.randint(start, end)
    return dt.time(second // 3600, second // 60 % 60, second % 60)
