"""A run's random numbers, taken from the model's generator in blocks.

numpy's cost is in each call rather than in each number: one scalar draw costs about as much as a block of a few
hundred, and a run makes some 700 draws. The model and its actors take their uniforms and normals from blocks
drawn from the model's generator, and their Poisson counts by inverting the distribution with one uniform each
(redline.engine.counts does the drawing from a block, as plain functions that a compiler can keep unboxed).
Every number still comes from the model's generator, in an order fixed by the run's own events, so a seed gives
the same run wherever it runs.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from mypy_extensions import mypyc_attr

from redline.agents.world import Randoms
from redline.engine import counts

# The mean up to which a Poisson count is drawn by inversion (redline.engine.counts), named here with the draws.
from redline.engine.counts import INVERTED_UP_TO as INVERTED_UP_TO

BLOCK: Final = (
    1024  # numbers drawn from the generator at a time: a flagship run uses one or two blocks of each kind
)


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Block:
    """Numbers of one kind from the generator (`normal`: standard normals, else uniforms in [0, 1)), drawn `size`
    (BLOCK) at a time and taken from the end of the block (list.pop, the cheapest end); a new block is drawn when
    the one in hand is short. The block holds the generator itself, not its bound methods: a deep copy of a model
    then draws from a copy of the generator rather than from the original's."""

    def __init__(self, rng: np.random.Generator, normal: bool, size: int = BLOCK) -> None:
        self.numbers: list[float] = []
        self.rng = rng
        self.normal = normal
        self.size = size

    def draw(self, n: int) -> list[float]:
        """`n` new numbers of the block's kind, as a list."""
        numbers = self.rng.standard_normal(n) if self.normal else self.rng.random(n)
        return numbers.tolist()

    def take(self, n: int) -> list[float]:
        """The next `n` numbers: the block's last `n`, in its order; if it holds fewer, `size` + n more are drawn
        first and added to its end."""
        numbers = self.numbers
        if len(numbers) < n:
            numbers.extend(self.draw(self.size + n))
        out = numbers[-n:]
        del numbers[-n:]
        return out

    def one(self) -> float:
        numbers = self.numbers
        if numbers:
            return numbers.pop()
        return self.take(1)[0]


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Draws(Randoms):
    """Uniforms in [0, 1), standard normals and Poisson counts for one run, from the run's generator: `uniform()`,
    `uniforms(n)`, `normal()`, `normals(n)`, `poisson(mean)`, `poissons(mean, n)`."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._uniforms, self._normals = Block(rng, False), Block(rng, True)

    def uniform(self) -> float:
        return self._uniforms.one()

    def uniforms(self, n: int) -> list[float]:
        return self._uniforms.take(n)

    def normal(self) -> float:
        return self._normals.one()

    def normals(self, n: int) -> list[float]:
        return self._normals.take(n)

    def poisson(self, mean: float) -> int:
        """A Poisson count from the block of uniforms (0 for a mean of 0 or less, which takes no number): by
        inversion up to INVERTED_UP_TO, from one uniform handed over here (compiled, `block.take` handed on would be
        a new bound method each time, for a block that is rarely short), by rejection above it
        (redline.engine.counts)."""
        if mean <= 0.0:
            return 0
        block = self._uniforms
        if mean > INVERTED_UP_TO:
            return counts.rejected(block.numbers, block.take, mean)
        return counts.inverted(block.one(), mean)

    def poissons(self, mean: float, n: int) -> list[int]:
        """`n` Poisson counts of mean `mean` (a campaign's attacks), drawn one after another as `poisson` draws."""
        return [self.poisson(mean) for _ in range(n)]
