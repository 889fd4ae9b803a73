"""Check metrics on hand-made event tables: each metric and statistic computes what it says."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from redline.language.spec import Check, EventFilter, Ratio
from redline.results.checks import evaluate, per_run

from .builders import week

STEPS = pd.date_range("2024-01-01", periods=10, freq="7D")
RUNS = pd.Index([0, 1, 2])


def ev(rows):
    """rows: (run, step, source, target, mid_level)."""
    df = pd.DataFrame(rows, columns=["run", "step", "source", "target", "mid_level"])
    df["date"] = STEPS[df["step"]]
    df["cause"] = "campaign"
    return df


def check(**kw) -> Check:
    return Check(name="c", assumed={"expect": "t"}, **kw)


EVENTS = ev(
    [
        (0, 1, "g", "s", 4),
        (0, 1, "g", "s", 4),
        (0, 5, "g", "s", 4),
        (1, 2, "g", "s", 4),
        (1, 3, "g", "x", 4),
        (1, 3, "g", "s", 2),
        (2, 9, "h", "s", 5),
    ]
)


def test_count_median_and_window():
    (v,) = evaluate(
        [check(count=EventFilter(source=("g",), target=("s",), min_mid=4), expect="1..3")],
        EVENTS,
        RUNS,
        STEPS,
    )
    assert list(v.per_run) == [3, 1, 0] and v.value == 1 and v.passed
    f = EventFilter(
        source=("g",), min_mid=4, start=pd.Timestamp(week(2)).date(), end=pd.Timestamp(week(5)).date()
    )
    (v,) = evaluate([check(count=f, expect=">= 0")], EVENTS, RUNS, STEPS)
    assert list(v.per_run) == [1, 2, 0]


def test_share_of_steps_counts_a_step_the_window_starts_or_ends_inside():
    """Weekly steps from Monday 1 January 2024, a window from Wednesday 10 to Saturday 20 January: it overlaps the
    steps of 8 and 15 January, so a run with an event in the window in each has a share of 1, not 2."""
    rows = pd.DataFrame(
        {
            "run": [0, 0, 1, 1],
            "step": [1, 2, 1, 1],
            "date": pd.to_datetime(["2024-01-12", "2024-01-16", "2024-01-09", "2024-01-11"]),
            "source": "g",
            "target": "s",
            "mid_level": 4,
            "cause": "campaign",
        }
    )
    f = EventFilter(min_mid=4, start=pd.Timestamp("2024-01-10").date(), end=pd.Timestamp("2024-01-20").date())
    (v,) = evaluate([check(share_of_steps=f, expect="<= 1")], rows, pd.Index([0, 1]), STEPS)
    # run 1: its event of 9 January is before the window; that of 11 January, in the same step, is in it
    assert list(v.per_run) == [1.0, 0.5] and v.passed
    # the last step ends on the period's last day: a window of its last days is that one step
    last = STEPS[-1]
    tail = EventFilter(min_mid=4, start=(last + pd.Timedelta(days=3)).date())
    late = pd.DataFrame({**rows.iloc[:1].to_dict("list"), "step": [9], "date": [last + pd.Timedelta(days=4)]})
    (v,) = evaluate([check(share_of_steps=tail, expect="<= 1")], late, pd.Index([0]), STEPS)
    assert list(v.per_run) == [1.0]
    # monthly steps from 31 January: the last, from 29 February, ends on 30 March, which only the period tells
    # (from the step before, it would be taken to end on 28 March)
    months = pd.DatetimeIndex(["2024-01-31", "2024-02-29"])
    end_of_march = EventFilter(min_mid=4, start=pd.Timestamp("2024-03-29").date())
    march = pd.DataFrame({**rows.iloc[:1].to_dict("list"), "step": [1], "date": [pd.Timestamp("2024-03-29")]})
    period = (months[0].date(), pd.Timestamp("2024-03-30").date())
    (v,) = evaluate(
        [check(share_of_steps=end_of_march, expect="<= 1")], march, pd.Index([0]), months, period=period
    )
    assert list(v.per_run) == [1.0]
    (v,) = evaluate([check(share_of_steps=end_of_march, expect="<= 1")], march, pd.Index([0]), months)
    assert v.per_run.isna().all()  # no step overlaps a window after the guessed end


def test_share_of_runs_and_iqr():
    (v,) = evaluate(
        [check(count=EventFilter(min_mid=5), statistic="share_of_runs", expect="<= 0.2")], EVENTS, RUNS, STEPS
    )
    assert v.value == pytest.approx(1 / 3) and not v.passed
    (v,) = evaluate(
        [check(count=EventFilter(source=("g",)), statistic="iqr", expect="> 0")], EVENTS, RUNS, STEPS
    )
    assert v.value == pytest.approx(
        pd.Series([3.0, 3.0, 0.0]).quantile(0.75) - pd.Series([3.0, 3, 0]).quantile(0.25)
    )


def test_share_of_steps():
    (v,) = evaluate(
        [check(share_of_steps=EventFilter(source=("g",), min_mid=4), expect=">= 0")], EVENTS, RUNS, STEPS
    )
    assert list(v.per_run) == [0.2, 0.2, 0.0]


def test_rate_ratio_around_the_first_anchor():
    rows = [(0, s, "g", "s", 4) for s in range(0, 10) for _ in range(4 if s < 5 else 1)]
    rows += [(0, 5, "u", "g", 4), (0, 7, "u", "g", 4)]  # anchor: first u strike, step 5
    rows += [(1, s, "g", "s", 4) for s in range(10)]  # run 1 has no anchor: no value
    f = Ratio(source=("g",), min_mid=4, anchor=EventFilter(source=("u",)), before_steps=3, after_steps=2)
    (v,) = evaluate([check(rate_ratio=f, expect="<= 0.3")], ev(rows), pd.Index([0, 1]), STEPS)
    assert v.per_run[0] == pytest.approx(1 / 4) and math.isnan(v.per_run[1])
    assert v.value == pytest.approx(0.25) and v.passed and v.cut == ""
    # four steps after an anchor at step 5 of 10 reach past the period's last step: the verdict says so
    late = Ratio(source=("g",), min_mid=4, anchor=EventFilter(source=("u",)), before_steps=3, after_steps=5)
    (v,) = evaluate([check(rate_ratio=late, expect="<= 0.3")], ev(rows), pd.Index([0, 1]), STEPS)
    assert v.cut == "steps around the anchor cut by the period in 1 of 1 runs"


def test_a_statistic_with_no_values_fails():
    f = Ratio(source=("g",), anchor=EventFilter(source=("nobody",)), before_steps=1, after_steps=1)
    (v,) = evaluate([check(rate_ratio=f, expect=">= 0")], EVENTS, RUNS, STEPS)
    assert math.isnan(v.value) and not v.passed


def test_a_check_without_a_value_says_why():
    import math

    import pandas as pd

    from redline.results.checks import Verdict, table

    anchorless = Verdict(
        "ratio", "median", math.nan, "<= 0.2", False, ("s000.c1",), pd.Series([math.nan] * 3)
    )
    empty = Verdict("share", "share_of_runs", math.nan, ">= 0.5", False, (), pd.Series([], dtype=float))
    text = table([anchorless, empty])
    assert (
        "| ratio | median | n/a (no run had its anchor event with steps of the period before and after it) "
        "| <= 0.2 | FAIL |" in text
    )
    assert "| share | share_of_runs | n/a (no runs) | >= 0.5 | FAIL |" in text


def test_a_window_past_the_period_is_said_to_be_cut():
    import datetime as dt

    from redline.results.checks import table

    first, last = dt.date(2024, 1, 1), dt.date(2024, 3, 10)
    inside = EventFilter(source=("g",), start=first, end=last)
    past = EventFilter(source=("g",), start=first, end=dt.date(2024, 6, 1))
    before = EventFilter(source=("g",), start=dt.date(2023, 12, 1), end=last)
    verdicts = evaluate(
        [check(count=f, expect=">= 0") for f in (inside, past, before)],
        EVENTS,
        RUNS,
        STEPS,
        (),
        (first, last),
    )
    assert [v.cut for v in verdicts] == [
        "",
        "window cut to end on 2024-03-10",
        "window cut to start on 2024-01-01",
    ]
    assert "pass (window cut to end on 2024-03-10)" in table(verdicts)
    assert all(v.cut == "" for v in evaluate([check(count=past, expect=">= 0")], EVENTS, RUNS, STEPS))


def _selected(row, f, ladder) -> bool:
    """Whether one event (a row of the events table) passes a filter: written out field by field."""
    return (
        f.min_mid <= row.mid_level <= f.max_mid
        and (f.min_rung is None or row.rung >= ladder.index(f.min_rung))
        and (not f.source or str(row.source) in f.source)
        and (not f.target or str(row.target) in f.target)
        and (not f.causes or str(row.cause) in f.causes)
        and (f.start is None or row.date >= pd.Timestamp(f.start))
        and (f.end is None or row.date <= pd.Timestamp(f.end))
    )


def test_the_flagship_checks_per_run_are_those_of_its_rows_read_one_by_one():
    """The metrics are worked out on whole columns (codes, where the columns are categorical, as a run's tables
    hold them): each run's count, and its steps with a matching event, are those of its rows taken one at a time,
    and the metrics read from columns of text are the same."""
    from redline import load_scenario
    from redline.results.ensemble import run_ensemble
    from redline.results.store import _step_dates, scenario_facts

    from .conftest import FLAGSHIP

    scn = load_scenario(FLAGSHIP)
    res = run_ensemble(scn, runs=12, seed=3, workers=1)
    facts = scenario_facts(scn)
    ladder, dates = [r["id"] for r in facts["ladder"]], _step_dates(facts)
    runs, events = pd.Index(res.runs["run"]), res.events
    assert isinstance(events["source"].dtype, pd.CategoricalDtype)
    as_text = events.astype({"source": object, "target": object, "cause": object})
    kinds = set()
    for c in scn.checks:
        kind, f = c.metric
        kinds.add(kind)
        got = per_run(c, events, runs, dates, ladder, scn.time.end)
        pd.testing.assert_series_equal(got, per_run(c, as_text, runs, dates, ladder, scn.time.end))
        chosen = [row for row in events.itertuples() if _selected(row, f, ladder)]
        if kind == "rate_ratio":  # after the run's first anchor event, over before it, each a mean per step
            want = []
            for r in runs:
                anchors = [
                    row.step
                    for row in events.itertuples()
                    if row.run == r and _selected(row, f.anchor, ladder)
                ]
                a = min(anchors, default=None)
                lo, hi = (
                    (0, 0)
                    if a is None
                    else (max(0, a - f.before_steps), min(len(dates) - 1, a + f.after_steps))
                )
                if a is None or a - lo < 1 or hi - a < 1:
                    want.append(math.nan)
                    continue
                steps = [row.step for row in chosen if row.run == r]
                before = sum(lo <= s < a for s in steps) / (a - lo)
                after = sum(a < s <= hi for s in steps) / (hi - a)
                want.append(after / before if before > 0 else math.nan)
            assert got.tolist() == pytest.approx(want, nan_ok=True), c.name
            assert got.notna().any(), c.name  # the check reads something in these runs
        elif kind == "count":
            want = [sum(row.run == r for row in chosen) for r in runs]
            assert got.tolist() == want, c.name
        else:  # share_of_steps: the distinct steps with a matching event, over the steps in the window
            steps = [len({row.step for row in chosen if row.run == r}) for r in runs]
            assert got.gt(0).tolist() == [s > 0 for s in steps], c.name
            # each share is the run's steps over one number, the steps in the window
            window = {round(s / g, 9) for g, s in zip(got, steps, strict=True) if s}
            assert len(window) == 1 and window.pop() in range(1, len(dates) + 1), c.name
    assert kinds == {"count", "share_of_steps", "rate_ratio"}
