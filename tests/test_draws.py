"""A run's random numbers (redline.engine.draws): they come from the model's generator, in blocks, and the Poisson
counts made from them follow the Poisson distribution; the chance of crossing a red line on deaths is the Poisson
tail, and leaving out the chances too small to matter changes no choice."""

from __future__ import annotations

import copy
import math
import pickle
from decimal import Decimal, getcontext

import numpy as np
import pytest

from redline import load_scenario, run_ensemble
from redline.agents import actor
from redline.agents.actor import NEGLIGIBLE, crossing_chance, negligible_below
from redline.engine.draws import BLOCK, INVERTED_UP_TO, Draws

from .conftest import FLAGSHIP


def test_numbers_come_from_the_generator_a_block_at_a_time_taken_from_its_end():
    draws = Draws(np.random.default_rng(11))
    block = np.random.default_rng(11).random(BLOCK + 3).tolist()
    assert draws.uniforms(3) == block[-3:]
    assert [draws.uniform(), draws.uniform()] == [block[-4], block[-5]]
    normals = Draws(np.random.default_rng(11))
    assert normals.normal() == np.random.default_rng(11).standard_normal(BLOCK + 1).tolist()[-1]


def test_a_block_is_drawn_when_the_one_in_hand_is_short():
    draws = Draws(np.random.default_rng(2))
    rng = np.random.default_rng(2)
    first = rng.random(BLOCK + 1).tolist()
    second = rng.random(BLOCK + 5).tolist()
    assert draws.uniform() == first[-1]
    for _ in range(BLOCK - 2):  # all but one of the first block
        draws.uniform()
    assert draws.uniforms(5) == second[-5:]  # one left is too few: a new block, the old number stays
    assert draws.uniform() == second[-6]


def test_draws_pickle_and_copy_with_a_generator_of_their_own():
    """A model can be pickled or deep-copied in the middle of a run, its draws with it: each copy draws what the
    original draws next, past the end of the blocks in hand, from a copy of the generator (not the original's)."""
    draws = Draws(np.random.default_rng(4))
    draws.uniform()  # blocks in hand, partly taken
    draws.normal()
    copies = [pickle.loads(pickle.dumps(draws)), copy.deepcopy(draws)]
    # The original first: a copy that shared its generator would draw what comes after.
    taken = [
        [d.uniforms(BLOCK + 10), d.normals(BLOCK + 10), d.poissons(3.0, 50), d.poisson(40.0)]
        for d in (draws, *copies)
    ]
    assert taken[1] == taken[0] and taken[2] == taken[0]


def test_a_model_pickles_and_copies_in_the_middle_of_a_run():
    """The whole model, its actors' tables of options (the weighing's Rows, compiled or not) and its draws with it:
    each copy runs on to the very events the original does."""
    from redline.engine.model import EscalationModel

    model = EscalationModel(load_scenario(FLAGSHIP), rng=4)
    model.run_for(3)
    copies = [pickle.loads(pickle.dumps(model)), copy.deepcopy(model)]
    for m in (model, *copies):
        m.run()
    assert copies[0].events == model.events == copies[1].events
    assert len(model.events["step"]) > 100 and max(model.events["step"]) == 25


def test_a_mean_of_zero_or_less_is_zero_and_takes_no_number():
    draws, same = Draws(np.random.default_rng(3)), Draws(np.random.default_rng(3))
    assert draws.poisson(0.0) == 0 and draws.poisson(-1.0) == 0
    assert draws.uniform() == same.uniform()


@pytest.mark.parametrize("mean", [-1.0, 0.0, 0.05, 4.0, INVERTED_UP_TO, INVERTED_UP_TO + 0.5, 37.0])
def test_a_campaigns_counts_are_those_drawn_one_at_a_time(mean):
    """`poissons` (a campaign's tolls, in one call) takes the same numbers as `poisson` called once per attack, in
    the same order, across a block's end: a run's events do not depend on which of the two the model calls."""
    together, apart = Draws(np.random.default_rng(8)), Draws(np.random.default_rng(8))
    for n in (1, 7, BLOCK - 3, 40):
        assert together.poissons(mean, n) == [apart.poisson(mean) for _ in range(n)]
    assert together.uniform() == apart.uniform()


def _poisson_pmf(mean: float, k: int) -> float:
    return math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))


@pytest.mark.parametrize("mean", [0.05, 1.3, 4.0, INVERTED_UP_TO, INVERTED_UP_TO + 0.5, 37.0, 345.0])
def test_poisson_counts_follow_the_poisson_distribution(mean):
    """By inversion up to INVERTED_UP_TO, by rejection above it: each count's share of 40,000 draws lies within
    4.5 standard errors of its Poisson probability, and the mean and variance are the mean's."""
    n = 40_000
    draws = Draws(np.random.default_rng(20231007))
    counts = np.array([draws.poisson(mean) for _ in range(n)])
    assert abs(counts.mean() - mean) < 4.5 * math.sqrt(mean / n)
    assert abs(counts.var() / mean - 1.0) < 4.5 * math.sqrt(2.0 / n) * (1 + 1 / mean)
    shares = np.bincount(counts) / n
    for k, share in enumerate(shares):
        p = _poisson_pmf(mean, k)
        assert abs(share - p) <= 4.5 * math.sqrt(p * (1 - p) / n) + 1.0 / n, (k, share, p)


def _tail(deaths: float, limit: float) -> float:
    """P(Poisson(deaths) > limit), summed term by term beyond the line with 80 digits."""
    getcontext().prec = 80
    d = Decimal(deaths)
    if d == 0:
        return 0.0
    first = int(limit) + 1
    term = (-d).exp() * d**first / math.factorial(first)
    total = Decimal(0)
    for k in range(first + 1, first + 400):
        total += term
        term *= d / k
    return float(total)


@pytest.mark.parametrize("limit", [0.0, 0.5, 1.0, 2.5, 20.0])
@pytest.mark.parametrize("deaths", [0.0, 1e-5, 0.1, 1.8, 3.0, 8.0, 15.0, 20.5, 40.0])
def test_the_chance_of_crossing_a_line_on_deaths_is_the_poisson_tail(deaths, limit):
    expected = _tail(deaths, limit)
    assert crossing_chance(deaths, limit) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("limit", [0.0, 0.5, 1.0, 2.5, 20.0, 300.0])
def test_below_the_negligible_deaths_the_chance_of_crossing_is_negligible(limit):
    """Up to `negligible_below(limit)` the chance stays under NEGLIGIBLE, and just past it it does not."""
    quiet = negligible_below(limit)
    assert 0.0 < quiet < limit + 1
    assert crossing_chance(quiet, limit) <= NEGLIGIBLE < crossing_chance(quiet * 1.001, limit)
    assert all(crossing_chance(quiet * f, limit) <= NEGLIGIBLE for f in (0.5, 0.1, 1e-3))


@pytest.mark.parametrize(
    "overrides",
    [[], ["actors.israel.doctrine.red_lines.casualties_above=3"]],
    ids=["flagship", "israel-line-at-3"],  # the flagship: Israel's line at 20 deaths, the US's at any death
)
def test_skipping_a_negligible_crossing_chance_changes_no_choice(monkeypatch, overrides):
    """The same runs when every crossing chance is worked out (the threshold at 0 deaths), event for event."""
    skipped = run_ensemble(load_scenario(FLAGSHIP, overrides), runs=12, seed=5, workers=1)
    monkeypatch.setattr(actor, "negligible_below", lambda limit: 0.0)
    worked_out = run_ensemble(load_scenario(FLAGSHIP, overrides), runs=12, seed=5, workers=1)
    assert len(skipped.events) > 1000
    assert skipped.events.equals(worked_out.events) and skipped.metrics.equals(worked_out.metrics)
