"""A run's random numbers, taken from the model's generator in blocks.

numpy's cost is in each call rather than in each number: one scalar draw costs about as much as a block of a few
hundred, and a run makes some 700 draws. The model and its actors take their uniforms and normals from blocks
drawn from the model's generator, and their Poisson counts by inverting the distribution with one uniform each.
Every number still comes from the model's generator, in an order fixed by the run's own events, so a seed gives
the same run wherever it runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

BLOCK = 1024  # numbers drawn from the generator at a time: a flagship run uses one or two blocks of each kind
# Up to this mean a Poisson count is drawn by inversion, which walks about `mean` terms of the distribution; above
# it by transformed rejection (PTRS, W. Hoermann 1993, as numpy draws them), which takes about two uniforms a count.
INVERTED_UP_TO = 10.0


class Block:
    """Numbers of one kind (`draw(n)` makes n of them from the generator), drawn BLOCK at a time and taken from the
    end of the block (list.pop, the cheapest end); a new block is drawn when the one in hand is short."""

    __slots__ = ("draw", "numbers")

    def __init__(self, draw: Callable[[int], np.ndarray]) -> None:
        self.draw = draw
        self.numbers: list[float] = []

    def one(self) -> float:
        try:
            return self.numbers.pop()
        except IndexError:
            return self.take(1)[0]

    def take(self, n: int) -> list[float]:
        numbers = self.numbers
        if len(numbers) < n:
            numbers.extend(self.draw(BLOCK + n).tolist())
        out = numbers[-n:]
        del numbers[-n:]
        return out


class Draws:
    """Uniforms in [0, 1), standard normals and Poisson counts for one run, from the run's generator: `uniform()`,
    `uniforms(n)`, `normal()`, `normals(n)`, `poisson(mean)`, `poissons(mean, n)`."""

    __slots__ = ("_uniforms", "normal", "normals", "uniform", "uniforms")

    def __init__(self, rng: np.random.Generator) -> None:
        uniforms, normals = Block(rng.random), Block(rng.standard_normal)
        # The blocks' own methods, bound once: a draw is one call, not two.
        self.uniform, self.uniforms = uniforms.one, uniforms.take
        self.normal, self.normals = normals.one, normals.take
        self._uniforms = uniforms.numbers  # Poisson counts take their uniforms from it directly

    def poisson(self, mean: float) -> int:
        """A Poisson count of mean `mean` (0 for a mean of 0 or less)."""
        if mean <= 0.0:
            return 0
        if mean > INVERTED_UP_TO:
            return self._rejected(mean)
        # Inversion: the smallest k whose cumulative probability reaches the uniform. The walk stops if the terms
        # run out (a uniform within rounding of 1), at a count already far in the tail.
        try:
            u = self._uniforms.pop()
        except IndexError:
            u = self.uniforms(1)[0]
        term = math.exp(-mean)
        total = term
        k = 0
        while u > total and term > 0.0:
            k += 1
            term *= mean / k
            total += term
        return k

    def poissons(self, mean: float, n: int) -> list[int]:
        """`n` Poisson counts of mean `mean` (a campaign's attacks), drawn one after another as `poisson` draws
        each."""
        poisson = self.poisson
        return [poisson(mean) for _ in range(n)]

    def _rejected(self, mean: float) -> int:
        """A Poisson count of a large mean by transformed rejection with squeeze (PTRS)."""
        root, log_mean = math.sqrt(mean), math.log(mean)
        b = 0.931 + 2.53 * root
        a = -0.059 + 0.02483 * b
        log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = self.uniform() - 0.5
            v = self.uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + mean + 0.43) if us > 0.0 else -1
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us) or v <= 0.0:
                continue
            if math.log(v) + log_inv_alpha - math.log(
                a / (us * us) + b
            ) <= -mean + k * log_mean - math.lgamma(k + 1):
                return k
