"""Aggregates of events: exact figures over runs from histograms, the same chunk by chunk as all at once."""

from __future__ import annotations

import numpy as np
import pytest

from redline import load_scenario
from redline.engine.aggregates import combine, mean, percentiles, values
from redline.results.ensemble import run_ensemble

from .conftest import FLAGSHIP, TINY
from .same import assert_same_aggregates


def test_percentiles_of_a_histogram_are_numpys():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 50, 101):
        data = rng.integers(-1, 6, size=(n, 4))  # runs x steps, values -1..5
        hist = np.stack([(data == v).sum(axis=0) for v in range(-1, 6)], axis=-1)  # steps x 7
        got = percentiles(hist, [10, 50, 90], offset=1)
        np.testing.assert_allclose(got, np.percentile(data, [10, 50, 90], axis=0), rtol=0, atol=1e-12)
        np.testing.assert_allclose(mean(hist, offset=1), data.mean(axis=0))
        for step in range(4):
            assert sorted(values(hist[step], offset=1)) == sorted(data[:, step])


@pytest.fixture(scope="module")
def res():
    return run_ensemble(load_scenario(TINY), runs=30, seed=2, workers=1)


def _parts(res, size):
    from redline.engine.aggregates import aggregate

    ev, runs = res.events, res.runs["run"].to_numpy()
    return [
        aggregate(ev[ev["run"].isin(runs[k : k + size])], runs[k : k + size], res.facts)
        for k in range(0, len(runs), size)
    ]


def test_chunks_combine_to_the_whole(res):
    from redline.engine.aggregates import aggregate

    ev, runs = res.events, res.runs["run"].to_numpy()
    whole = aggregate(ev, runs, res.facts)
    assert whole.runs == len(runs)
    assert_same_aggregates(combine(_parts(res, 13)), whole)
    # the ensemble's own aggregates (gathered per chunk in the workers) are these too
    assert res.aggregates.runs == len(runs)
    force = ev[ev["mid_level"] >= 4].groupby("source", observed=True).size()
    for actor, n in force.items():
        hist = whole.force_runs[str(actor)]
        assert int((hist * np.arange(len(hist))).sum()) == n


def test_a_part_where_nothing_happened_to_a_key_counts_its_runs_as_nothing():
    """A part holds a dyad or an actor only where something happened in one of its runs (the flagship's Iran strikes
    in some runs only). Joined run by run, each run of a part that lacks a key still counts in the whole, as a run
    where nothing happened: else a mean over runs would be over the runs where something did."""
    from redline.engine.aggregates import aggregate

    flagship = run_ensemble(load_scenario(FLAGSHIP), runs=24, seed=5, workers=1)
    whole = aggregate(flagship.events, flagship.runs["run"].to_numpy(), flagship.facts)
    parts = _parts(flagship, 1)
    fields = ("hostile", "force", "force_runs", "peak")
    lacking = {f for p in parts for f in fields if getattr(p, f).keys() != getattr(whole, f).keys()}
    assert lacking == set(fields)  # the case this is about: every kind of key is missing from some part
    assert_same_aggregates(combine(parts), whole)
    for hist in whole.force_runs.values():
        assert hist.sum() == 24
