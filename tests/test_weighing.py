"""The weighing of options compiled (setup.py) and as Python, called alike on choices far from the shipped
scenarios': the same choices and utilities to the last bit. (tests/test_compiled.py compares whole runs, and
checks that a build is used only with its own source.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

import redline.agents.weighing as weighing
from redline.builds import is_compiled

from .conftest import as_python

needs_build = pytest.mark.skipif(not is_compiled(weighing), reason="the weighing is not compiled here")


def _rows(rng: np.random.Generator, n: int, groups: int) -> list[tuple]:
    """Options with random terms in the ranges a ladder gives them, sorted by their least cost as _table's are: the
    arguments of a Row each."""
    rows = []
    for i in range(n):
        deaths = 0.0 if rng.random() < 0.3 else float(rng.exponential(2.0))
        scaled = bool(rng.random() < 0.3)
        fixed = deaths == 0.0 and not scaled
        sev, span = float(rng.exponential(1.0)), float(rng.choice([1.0, 7.0, 14.0 * rng.random()]))
        limit = -1.0 if rng.random() < 0.5 else float(rng.choice([0.0, 0.5, 3.0, 20.0]))
        rows.append(
            (
                i,
                sev,
                deaths,
                bool(rng.random() < 0.6),
                float(rng.random()),
                float(rng.random()),
                float(rng.exponential(0.3)),
                0.0,
                span,
                scaled,
                float(rng.exponential(0.2)),
                1.0 if rng.random() < 0.1 else 0.0,
                limit,
                float(rng.random() * 2),
                float(rng.random()),
                float(rng.exponential(1.0)),
                float(rng.exponential(3.0)),
                float(rng.choice([1.0, 7.0])),
                int(rng.integers(groups)),
                fixed,
                math.log1p(sev * span) if fixed else 0.0,
            )
        )
    least = math.inf
    for k in range(n - 1, -1, -1):  # the least cost of mounting this option or any after it
        least = min(least, rows[k][6])
        rows[k] = (*rows[k][:7], least, *rows[k][8:])
    return rows


@needs_build
def test_the_compiled_weighing_gives_its_sources_numbers_on_random_terms():
    """Choices far from the shipped scenarios' (weakened actors, lines on deaths at every limit, no fear, strong
    commitments): the same option and the same utility, bit for bit."""
    python_module = as_python("agents/weighing.py")
    python = python_module.best_option
    rng = np.random.default_rng(7)
    chosen = 0
    for _ in range(3000):
        groups = [tuple(f"g{j}" for j in range(k)) for k in range(int(rng.integers(1, 3)))]
        seen = {"t": float(rng.exponential(1.0)), "c": float(rng.random()), "g0": 1.0, "g1": 0.5}
        full = float(rng.choice([1.0, 0.8]))
        terms = (
            _rows(rng, int(rng.integers(1, 10)), len(groups)),
            groups,
            [("c", float(rng.random()))],
            seen,
            "t",
            full * float(rng.choice([1.0, rng.random()])),
            full,
            float(rng.random() * 2),
            float(rng.choice([0.0, rng.exponential(1.0)])),
            float(rng.exponential(1.0)),
            float(rng.choice([0.0, rng.exponential(1.0)])),
            float(rng.random()),
            float(rng.exponential(0.2)),
        )
        rows, rest = terms[0], terms[1:]
        # Each module weighs its own Row objects (the compiled one takes only its own class).
        got = weighing.best_option([weighing.Row(*r) for r in rows], *rest)
        want = python([python_module.Row(*r) for r in rows], *rest)
        assert repr(got) == repr(want)  # bit for bit: == takes -0.0 for 0.0
        chosen += got[0] >= 0
    assert chosen > 300


@needs_build
def test_the_compiled_crossing_chance_gives_its_sources_numbers():
    python = as_python("agents/weighing.py").crossing_chance
    rng = np.random.default_rng(5)
    for _ in range(3000):
        deaths = float(rng.choice([0.0, rng.exponential(1.0), rng.exponential(30.0)]))
        limit = float(rng.choice([0.0, 0.5, rng.integers(1, 60), rng.exponential(20.0)]))
        assert repr(weighing.crossing_chance(deaths, limit)) == repr(python(deaths, limit)), (deaths, limit)
