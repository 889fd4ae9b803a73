"""Time in days: the flagship stepped by the day and by the week tells the same story, week by week.

Both versions run 100 times from the same root seed (`--set time.step=day time.steps=182` against the file's 26
weeks). Uses of force are counted per dyad (source, target) and per week of the period (days 0-6, 7-13, ...). For
every dyad with uses of force, and every week, the mean weekly count of one version must lie in the 5-95% band
(across runs) of the other's count for that week, both ways.

A weekly count that is rare in both versions (mean below 0.5: an event in fewer than one run in two) has a
degenerate band ([0, 0] whenever fewer than 5% of runs see one), which a mean of 0.06 would "leave" though the two
versions agree. Those weeks are pooled per dyad instead, and compared as what they are, rare events: the share of
runs with any of them, whose 95% Wilson intervals must meet.

Tolerance: with 90% bands, a mean lies outside the band of a matching distribution only when the distribution is
very skewed. The two versions are not identical, and cannot be: a weekly step changes a posture (a war, a
campaign) only at the week's start, where a daily one changes it on the day, so in the weeks where a dyad's posture
turns (Israel's war on Hamas giving way to strikes; the militias falling silent after the Jordan answer) the mass
moves between neighbouring weeks; and after the militias fall silent, the daily version sees the US strike them
again in more runs. Measured on this scenario: about one comparison in eleven lies outside, nearly all in those
weeks; we allow 15% of all comparisons (weekly cells and pooled rare events together).
`test_the_comparison_can_fail` shows that a dyad off by a factor of two breaks it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redline import load_scenario
from redline.results.analysis import wilson
from redline.results.ensemble import run_ensemble

from .conftest import FLAGSHIP

RUNS = 100
SEED = 20231007
WEEKS = 26
TOLERANCE = 0.15
RARE = 0.5


def weekly_counts(res, per_day: set[str]) -> dict[tuple[str, str], np.ndarray]:
    """Dyad -> array (runs x weeks) of uses of force per week of the period. An action on a per-day rung (war)
    stands for a step of fighting: it counts once per day it lasts, so that a week of war counts 7 whether it was
    written as one weekly action or seven daily ones (the events table does not say how many days an action lasts;
    the step does)."""
    ev = res.events[res.events["mid_level"] >= 4]
    days = {"day": 1, "week": 7}[res.facts["time"]["step"]]
    weight = np.where(ev["action"].isin(per_day), days, 1)
    start = pd.Timestamp(res.step_dates[0])
    week = ((ev["date"] - start).dt.days // 7).to_numpy()
    out: dict[tuple[str, str], np.ndarray] = {}
    for (src, tgt), g in ev.assign(week=week, weight=weight).groupby(["source", "target"]):
        a = np.zeros((RUNS, WEEKS))
        idx = g[g["week"] < WEEKS].groupby(["run", "week"])["weight"].sum()
        for (run, w), n in idx.items():
            a[int(run), int(w)] = n
        out[(src, tgt)] = a
    return out


@pytest.fixture(scope="module")
def both():
    weekly = load_scenario(FLAGSHIP)
    daily = load_scenario(FLAGSHIP, ["time.step=day", "time.steps=182"])
    assert (weekly.time.step, weekly.time.steps, daily.time.end) == ("week", WEEKS, weekly.time.end)
    per_day = {r.id for r in weekly.rungs if r.per_day}
    week = run_ensemble(weekly, runs=RUNS, seed=SEED)
    day = run_ensemble(daily, runs=RUNS, seed=SEED)
    return weekly_counts(week, per_day), weekly_counts(day, per_day)


def inside(x: float, sample: np.ndarray) -> bool:
    lo, hi = np.quantile(sample, [0.05, 0.95])
    return bool(lo - 1e-9 <= x <= hi + 1e-9)


def disagreements(week: dict, day: dict) -> tuple[list, list, int]:
    cells, pooled, compared = [], [], 0
    for dyad in sorted(set(week) | set(day)):
        w = week.get(dyad, np.zeros((RUNS, WEEKS)))
        d = day.get(dyad, np.zeros((RUNS, WEEKS)))
        rare = (w.mean(axis=0) < RARE) & (d.mean(axis=0) < RARE)
        for k in np.flatnonzero(~rare):
            for name, mean, other in (("week", w[:, k].mean(), d[:, k]), ("day", d[:, k].mean(), w[:, k])):
                compared += 1
                if not inside(mean, other):
                    lo, hi = np.quantile(other, [0.05, 0.95])
                    cells.append((*dyad, int(k), f"{name}-model mean {mean:.2f} outside [{lo:g}, {hi:g}]"))
        if rare.any():
            # Rare weeks, pooled: the share of runs with any such event, by 95% Wilson intervals that must meet.
            compared += 1
            kw, kd = int((w[:, rare].sum(axis=1) > 0).sum()), int((d[:, rare].sum(axis=1) > 0).sum())
            (lw, hw), (ld, hd) = wilson(kw, RUNS), wilson(kd, RUNS)
            if hw < ld or hd < lw:
                pooled.append((*dyad, f"over {rare.sum()} quiet weeks: week model in {kw} runs, day model in "
                               f"{kd} runs of {RUNS}"))  # fmt: skip
    return cells, pooled, compared


def test_daily_and_weekly_steps_give_the_same_weekly_counts(both):
    week, day = both
    assert week, "the flagship has uses of force"
    cells, pooled, compared = disagreements(week, day)
    report = "\n".join(" ".join(map(str, c)) for c in [*cells, *pooled])
    assert len(cells) + len(pooled) <= TOLERANCE * compared, (
        f"{len(cells)} of {compared} (dyad, week) comparisons outside the other's 90% band, "
        f"{len(pooled)} pooled rare-event comparisons apart:\n{report}"
    )


def test_the_comparison_can_fail(both):
    """The test above is not vacuous: doubling one dyad's weekly counts takes many weeks out of the band."""
    week, day = both
    dyad = max(week, key=lambda k: week[k].sum())
    cells, pooled, _ = disagreements({**week, dyad: week[dyad] * 2 + 1}, day)
    assert sum(c[:2] == dyad for c in cells) > 0.5 * WEEKS or any(p[:2] == dyad for p in pooled)


# --- monthly steps ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["2024-01-31", "2024-03-30", "2023-02-28", "2024-01-15"])
def test_a_monthly_step_starts_on_the_starts_day_or_the_months_last(start):
    """Step 0 is the start itself; each later step starts on the same day of its month, or on the month's last day
    where the month is shorter; every day falls in the step whose dates hold it."""
    import datetime as dt
    import itertools

    from redline.language.spec import TimeSpec

    t = TimeSpec(start=dt.date.fromisoformat(start), step="month", steps=40)
    firsts = [t.date_of(s) for s in range(41)]
    assert firsts[0] == t.start and all(a < b for a, b in itertools.pairwise(firsts))
    for s, d in enumerate(firsts):
        assert d.month == (t.start.month - 1 + s) % 12 + 1
        assert d.day == t.start.day or (d + dt.timedelta(days=1)).day == 1  # its own day, or the month's last
    for k in range(-31, (firsts[-1] - t.start).days):
        day = t.start + dt.timedelta(days=k)
        assert firsts[0] <= day < firsts[-1] or k < 0
        s = t.step_of(day)
        assert t.date_of(s) <= day < t.date_of(s + 1), day


def test_a_monthly_runs_dates_are_the_models(tmp_path):
    """The tables, the checks and the debrief date a monthly run's steps as the model does (from the start on,
    never before it), and every event lies within its own step."""
    from redline.frontends.debrief import story
    from redline.results.ensemble import run_ensemble

    from .conftest import TINY

    # The client's campaign runs all along: its attacks are spread over each step's days.
    scn = load_scenario(TINY, ["time={start: 2024-01-31, step: month, steps: 4}", "events.0.at=2024-01-31"])
    res = run_ensemble(scn, runs=2, seed=1, workers=1)
    expected = [scn.time.date_of(s) for s in range(4)]
    assert [d.date() for d in res.step_dates] == expected
    assert sorted({d.date() for d in res.metrics["date"]}) == expected
    assert res.events["date"].min().date() >= scn.time.start
    assert [s["date"] for s in story(res, 0)] == [d.isoformat() for d in expected]
    # every event within its own step (a month of the calendar, not the mean month rates are converted by)
    firsts = [scn.time.date_of(s) for s in range(5)]
    for step, day in zip(res.events["step"], res.events["date"].dt.date, strict=True):
        assert firsts[step] <= day < firsts[step + 1], (step, day)
    assert len(res.events) > 20
