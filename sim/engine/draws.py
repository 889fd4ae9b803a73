"""A run's random numbers, taken from the model's generator in blocks.

numpy's cost is in each call rather than in each number: one scalar draw costs about as much as a block of a few
hundred, and a run makes some 700 draws. The model and its actors take their uniforms and normals from blocks
drawn from the model's generator, and their Poisson counts by inverting the distribution with one uniform each
(redline.engine.counts does the drawing from a block, as plain functions that a compiler can keep unboxed).
Every number still comes from the model's generator, in an order fixed by the run's own events, so a seed gives
the same run wherever it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from redline.engine import counts

# The mean up to which a Poisson count is drawn by inversion (redline.engine.counts), named here with the draws.
from redline.engine.counts import INVERTED_UP_TO as INVERTED_UP_TO

BLOCK = 1024  # numbers drawn from the generator at a time: a flagship run uses one or two blocks of each kind


def _listed(draw: Callable[[int], np.ndarray], n: int) -> list[float]:
    """`draw(n)`'s numbers as a list, as redline.engine.counts.take adds them to a block."""
    return draw(n).tolist()


class Block:
    """Numbers of one kind (`draw(n)` makes n of them from the generator), drawn BLOCK at a time and taken from the
    end of the block (list.pop, the cheapest end); a new block is drawn when the one in hand is short. `take(n)` is
    redline.engine.counts.take bound to the block."""

    __slots__ = ("numbers", "take")

    def __init__(self, draw: Callable[[int], np.ndarray]) -> None:
        self.numbers: list[float] = []
        # Partials of module functions, not a lambda: a model (its draws with it) can then be pickled, and a deep
        # copy of one draws from a copy of its generator rather than from the original's.
        self.take: Callable[[int], list[float]] = partial(
            counts.take, self.numbers, partial(_listed, draw), BLOCK
        )

    def one(self) -> float:
        # A method, not counts.one bound by partial: a call through a partial costs more than this pop, compiled
        # or not.
        try:
            return self.numbers.pop()
        except IndexError:
            return self.take(1)[0]


class Draws:
    """Uniforms in [0, 1), standard normals and Poisson counts for one run, from the run's generator: `uniform()`,
    `uniforms(n)`, `normal()`, `normals(n)`, `poisson(mean)`, `poissons(mean, n)`."""

    __slots__ = ("normal", "normals", "poisson", "poissons", "uniform", "uniforms")

    def __init__(self, rng: np.random.Generator) -> None:
        uniforms, normals = Block(rng.random), Block(rng.standard_normal)
        # The blocks' own methods, bound once: a draw is one call, not two.
        self.uniform, self.uniforms = uniforms.one, uniforms.take
        self.normal, self.normals = normals.one, normals.take
        # Poisson counts are the plain functions of redline.engine.counts bound to the block of uniforms: compiled,
        # a call of one costs less than a call of a method written here.
        numbers, take = uniforms.numbers, uniforms.take
        self.poisson: Callable[[float], int] = partial(counts.poisson, numbers, take)
        self.poissons: Callable[[float, int], list[int]] = partial(counts.poissons, numbers, take)
