"""A run's Poisson counts from its block of uniforms (redline.engine.draws), on plain typed data.

A run draws some 900 Poisson counts (the deaths of each blow, a campaign's attacks in a step), each a call and a
short loop: so they are made here, by plain functions of the block in hand (`numbers`, taken from its end) and of
how the block gives more (`take`, Block.take), that a compiler can keep unboxed. Where redline is installed with
its compiled extension (mypyc, see README's "Speed"), this module runs as C, and everywhere else as the same Python
source, with the same results to the last bit (the same IEEE arithmetic and the same libm calls, in the same
order). Draws calls them with its block of uniforms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

# Up to this mean a Poisson count is drawn by inversion, which walks about `mean` terms of the distribution; above
# it by transformed rejection (PTRS, W. Hoermann 1993, as numpy draws them), which takes about two uniforms a count.
# Final: compiled, the number is written into the code that reads it, not looked up each time.
INVERTED_UP_TO: Final = 10.0


def one(numbers: list[float], take: Callable[[int], list[float]]) -> float:
    """The next number of a block (its last; as Block.one takes it), or of a new block if it is spent."""
    if numbers:
        return numbers.pop()
    return take(1)[0]


def inverted(u: float, mean: float) -> int:
    """The Poisson count of mean `mean` (above 0, at most INVERTED_UP_TO) that the uniform `u` gives by inversion:
    the smallest k whose cumulative probability reaches `u`. The walk stops if the terms run out (a uniform within
    rounding of 1), at a count already far in the tail."""
    term = math.exp(-mean)
    total = term
    k = 0
    while u > total and term > 0.0:
        k += 1
        term *= mean / k
        total += term
    return k


def rejected(numbers: list[float], take: Callable[[int], list[float]], mean: float) -> int:
    """A Poisson count of a large mean by transformed rejection with squeeze (PTRS)."""
    root, log_mean = math.sqrt(mean), math.log(mean)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = one(numbers, take) - 0.5
        v = one(numbers, take)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + mean + 0.43) if us > 0.0 else -1
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us) or v <= 0.0:
            continue
        log_pmf = -mean + k * log_mean - math.lgamma(k + 1)  # of the count k, up to the rejection's constant
        if math.log(v) + log_inv_alpha - math.log(a / (us * us) + b) <= log_pmf:
            return k
