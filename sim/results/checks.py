"""Evaluate a scenario's checks (stylized facts) on the events of an ensemble.

A check declares, in YAML, a metric computed per run (a count of matching events, the share of steps with one, or
the rate after an anchor event over the rate before it) and a statistic over runs that must fall in a band.
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from redline.language.spec import Check, EventFilter, Ratio


@dataclass(frozen=True)
class Verdict:
    name: str
    statistic: str
    value: float
    expect: str
    passed: bool
    evidence: tuple[str, ...]
    per_run: pd.Series  # the metric of each run (NaN where it has no value)
    cut: str = ""  # the part of its window outside the period, which counts nothing ("" if none)


def matching(events: pd.DataFrame, f: EventFilter, ladder: Sequence[str] = ()) -> pd.Series:
    """Boolean mask of the events a filter selects. `ladder` (rung ids, lowest first) places a `min_rung`."""
    m = (events["mid_level"] >= f.min_mid) & (events["mid_level"] <= f.max_mid)
    if f.min_rung is not None:
        if f.min_rung not in ladder:
            raise ValueError(f"min_rung '{f.min_rung}' is not a rung of the ladder given")
        m &= events["rung"] >= list(ladder).index(f.min_rung)
    if f.source:
        m &= events["source"].isin(f.source)
    if f.target:
        m &= events["target"].isin(f.target)
    if f.causes:
        m &= events["cause"].isin(f.causes)
    if f.start is not None:
        m &= events["date"] >= pd.Timestamp(f.start)
    if f.end is not None:
        m &= events["date"] <= pd.Timestamp(f.end)
    return m


def _count(events: pd.DataFrame, runs: pd.Index, f: EventFilter, ladder: Sequence[str]) -> pd.Series:
    sel = events[matching(events, f, ladder)]
    return sel.groupby("run").size().reindex(runs, fill_value=0).astype(float)


def _share_of_steps(
    events: pd.DataFrame,
    runs: pd.Index,
    f: EventFilter,
    step_dates: pd.DatetimeIndex,
    ladder: Sequence[str],
    last_day: dt.date | None = None,
) -> pd.Series:
    """The share of the steps that overlap the window with a matching event dated in it. A step partly in the
    window counts, since its events in the window do: a window that starts or ends inside a step (a weekly step,
    a window from a Friday) still gives a share of at most 1."""
    one_day = pd.Timedelta(days=1)
    # Each step's last day: the day before the next one starts; the last step's, the period's last day (without it,
    # the last step is taken to be as long as the one before it).
    ends = step_dates
    if len(step_dates):
        if last_day is not None:
            final = pd.Timestamp(last_day)
        elif len(step_dates) > 1:
            final = step_dates[-1] + (step_dates[-1] - step_dates[-2]) - one_day
        else:
            final = step_dates[-1]
        ends = pd.DatetimeIndex([*(step_dates[1:] - one_day), final])
    in_window = np.ones(len(step_dates), dtype=bool)
    if f.start is not None:
        in_window &= ends >= pd.Timestamp(f.start)
    if f.end is not None:
        in_window &= step_dates <= pd.Timestamp(f.end)
    n = int(in_window.sum())
    sel = events[matching(events, f, ladder)]
    steps = sel.groupby("run")["step"].nunique().reindex(runs, fill_value=0)
    return steps / n if n else pd.Series(np.nan, index=runs)


def _rate_ratio(
    events: pd.DataFrame, runs: pd.Index, r: Ratio, steps: int, ladder: Sequence[str]
) -> pd.Series:
    anchors = events[matching(events, r.anchor, ladder)].groupby("run")["step"].min()
    sel = events[matching(events, r, ladder)][["run", "step"]]
    out = pd.Series(np.nan, index=runs)
    per_step = sel.groupby(["run", "step"]).size()
    # The runs whose steps before or after the anchor the period cuts short, for the verdict to tell.
    out.attrs["cut"] = (
        int(((anchors - r.before_steps < 0) | (anchors + r.after_steps > steps - 1)).sum()),
        len(anchors),
    )
    for run, a in anchors.items():
        lo, hi = max(0, a - r.before_steps), min(steps - 1, a + r.after_steps)
        if a - lo < 1 or hi - a < 1:
            continue
        # the run's counts per step (the first level of the index is the run)
        counts = typing.cast(pd.Series, per_step.get(run, pd.Series(dtype=float)))
        before = counts[(counts.index >= lo) & (counts.index < a)].sum() / (a - lo)
        after = counts[(counts.index > a) & (counts.index <= hi)].sum() / (hi - a)
        if before > 0:
            out.at[run] = after / before
    return out


def per_run(
    check: Check,
    events: pd.DataFrame,
    runs: pd.Index,
    step_dates: pd.DatetimeIndex,
    ladder: Sequence[str] = (),
    last_day: dt.date | None = None,
) -> pd.Series:
    """The check's metric for each run; `last_day` is the period's last day (where the last step ends)."""
    kind, f = check.metric
    if kind == "count":
        return _count(events, runs, f, ladder)
    if kind == "share_of_steps":
        return _share_of_steps(events, runs, f, step_dates, ladder, last_day)
    return _rate_ratio(events, runs, f, len(step_dates), ladder)  # type: ignore[arg-type]


def reduce(values: pd.Series, statistic: str) -> float:
    v = values.dropna()
    if statistic == "share_of_runs":
        return float((values.fillna(0) > 0).mean()) if len(values) else math.nan
    if v.empty:
        return math.nan
    if statistic == "median":
        return float(v.median())
    if statistic == "mean":
        return float(v.mean())
    return float(v.quantile(0.75) - v.quantile(0.25))  # iqr


def evaluate(
    checks,
    events: pd.DataFrame,
    runs: pd.Index,
    step_dates: pd.DatetimeIndex,
    ladder: Sequence[str] = (),
    period: tuple[dt.date, dt.date] | None = None,
) -> list[Verdict]:
    """Each check's verdict; with the `period` (its first and last day), each says what of its window lies outside
    it: a period shortened by --set time.steps judges a check on the days left, and should say so."""
    out = []
    for c in checks:
        values = per_run(c, events, runs, step_dates, ladder, period[1] if period else None)
        value = reduce(values, c.statistic)
        lo, hi = c.band
        passed = not math.isnan(value) and lo <= value <= hi
        cut = "; ".join(
            x
            for x in (
                _cut(c, *period) if period else "",
                _ratio_cut(values),
            )
            if x
        )
        out.append(Verdict(c.name, c.statistic, value, c.expect, passed, c.evidence, values, cut))
    return out


def _ratio_cut(values: pd.Series) -> str:
    """Whether the period cut a rate ratio's steps before or after its anchor short in some runs (its rates are
    then taken over the steps there are), as _rate_ratio counted them."""
    short, anchored = values.attrs.get("cut", (0, 0))
    return f"steps around the anchor cut by the period in {short} of {anchored} runs" if short else ""


def _cut(c: Check, first: dt.date, last: dt.date) -> str:
    """What of the check's windows lies outside the period, in words ("" if nothing)."""
    parts = []
    for f in (c.count, c.share_of_steps, c.rate_ratio, c.rate_ratio.anchor if c.rate_ratio else None):
        if f is None:
            continue
        if f.start is not None and f.start < first:
            parts.append(f"window cut to start on {first}")
        if f.end is not None and f.end > last:
            parts.append(f"window cut to end on {last}")
    return "; ".join(dict.fromkeys(parts))


def _no_value(v: Verdict) -> str:
    """Why a check has no value: no run at all, or no run with a value (a rate ratio's anchor event never came)."""
    if not len(v.per_run):
        return "n/a (no runs)"
    return "n/a (no run had its anchor event with steps of the period before and after it)"


def table(verdicts: list[Verdict]) -> str:
    """A Markdown table of verdicts."""
    lines = ["| check | statistic | value | band | verdict | evidence |", "|---|---|---:|---|---|---|"]
    for v in verdicts:
        value = f"{v.value:.3g}" if not math.isnan(v.value) else _no_value(v)
        lines.append(
            f"| {v.name} | {v.statistic} | {value} | {v.expect} | {'pass' if v.passed else 'FAIL'}"
            f"{f' ({v.cut})' if v.cut else ''} | "
            f"{', '.join(v.evidence)} |"
        )
    return "\n".join(lines)
