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


def _terms(rng: np.random.Generator, most_rows: int, near_the_log: bool = False) -> tuple[list[tuple], tuple]:
    """Random terms of a choice: its rows' arguments (as _rows makes them), and best_option's other arguments. With
    `near_the_log`, motives also near nothing, past every harm, or a hair from the log of an option's harm (where
    the weighing may skip the log)."""
    groups = [tuple(f"g{j}" for j in range(k)) for k in range(int(rng.integers(1, 3)))]
    seen = {"t": float(rng.exponential(1.0)), "c": float(rng.random()), "g0": 1.0, "g1": 0.5}
    full = float(rng.choice([1.0, 0.8]))
    rows = _rows(rng, int(rng.integers(1, most_rows)), len(groups))
    cap = full * float(rng.choice([1.0, rng.random()]))
    weight, fear = float(rng.random() * 2), float(rng.choice([0.0, rng.exponential(1.0)]))
    motive = float(
        rng.choice([1e-9, rng.exponential(1.0), 40.0, 800.0]) if near_the_log else rng.exponential(1.0)
    )
    if near_the_log and rng.random() < 0.4:
        _, sev, deaths, *_, span, scaled = rows[int(rng.integers(len(rows)))][:10]
        harm = (sev + deaths * cap) * (span * cap / full if scaled else span)
        motive = math.log1p(harm) * (1.0 + float(rng.choice([-1e-6, -1e-12, 0.0, 1e-12, 1e-6])))
    commitment = float(rng.choice([0.0, rng.exponential(1.0)]))
    rest = (groups, [("c", float(rng.random()))], seen, "t", cap, full, weight, fear, motive, commitment,
            float(rng.random()), float(rng.exponential(0.2)))  # fmt: skip
    return rows, rest


def _every_option_weighed(rows, groups, allies, seen, target, cap, full, weight, fear, motive, commitment,
                          answer_reach, pressure):  # fmt: skip
    """best_option as the formula reads, with nothing passed over: every option's utility worked out whole, in the
    same arithmetic, and the first of the highest above doing nothing kept."""
    strength = cap / full if full > 0 else 0.0
    base = seen.get(target, 0.0) + sum(seen.get(c, 0.0) * level for c, level in allies)
    answers = []
    for joined in groups:
        answering = base
        for g in joined:
            answering += seen.get(g, 0.0)
        total = answering + cap
        answers.append((answering, fear * (2.0 * answering / total if total > 0 else 0.0)))
    best, best_u = -1, 0.0
    for r in rows:
        x = (
            r.still
            if r.fixed
            else math.log1p((r.sev + r.deaths * cap) * (r.span * strength if r.scaled else r.span))
        )
        gain = x if x < motive else motive
        if r.force and commitment:
            gain += commitment * (1.0 if r.reach >= answer_reach else r.reach / answer_reach)
        u = weight * gain
        costs = pressure * r.pressed + r.force_cost
        if fear > 0:
            answering, feared = answers[r.group]
            answer = r.still if r.fixed else math.log1p((r.sev + r.deaths * answering) * r.span)
            crossed = r.crossed
            if r.limit != weighing.NO_LINE and not crossed:
                if cap == full:
                    crossed = r.at_full
                elif r.deaths * cap > r.quiet:
                    crossed = weighing.crossing_chance(r.deaths * cap, r.limit)
            if crossed:
                above = math.log1p((r.up_sev + r.up_deaths * answering) * r.up_span)
                answer = (1.0 - crossed) * answer + crossed * above
            u = u - feared * answer - r.dom - costs
        else:
            u = u - r.dom - costs
        if u > best_u:
            best, best_u = r.index, u
    return best, best_u


def test_the_weighing_passes_over_only_options_that_cannot_be_chosen():
    """best_option takes the log of a harm only where it may matter and stops at the first option that cannot beat
    the best (redline.agents.weighing): on random terms, with motives near nothing and past every harm, weak and
    strong commitments, fear or none, it chooses what weighing every option whole chooses, with the same utility
    to the last bit."""
    rng = np.random.default_rng(11)
    passed_over = 0
    for _ in range(4000):
        made, terms = _terms(rng, 12, near_the_log=True)
        rows = [weighing.Row(*r) for r in made]
        got = weighing.best_option(rows, *terms)
        assert repr(got) == repr(_every_option_weighed(rows, *terms))
        passed_over += got[0] >= 0 and got[0] != rows[-1].index
    assert passed_over > 500  # choices that other options came after, which the weighing may have passed over


@needs_build
def test_the_compiled_weighing_gives_its_sources_numbers_on_random_terms():
    """Choices far from the shipped scenarios' (weakened actors, lines on deaths at every limit, no fear, strong
    commitments): the same option and the same utility, bit for bit."""
    python_module = as_python("agents/weighing.py")
    python = python_module.best_option
    rng = np.random.default_rng(7)
    chosen = 0
    for _ in range(3000):
        rows, rest = _terms(rng, 10)
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
