"""Evaluate a scenario's checks (stylized facts) on the events of an ensemble.

A check declares, in YAML, a metric computed per run (a count of matching events, the share of steps with one, or
the rate after an anchor event over the rate before it) and a statistic over runs that must fall in a band.
"""

from __future__ import annotations

import datetime as dt
import math
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
    mid = events["mid_level"].to_numpy()
    m = (mid >= f.min_mid) & (mid <= f.max_mid)
    if f.min_rung is not None:
        if f.min_rung not in ladder:
            raise ValueError(f"min_rung '{f.min_rung}' is not a rung of the ladder given")
        m &= events["rung"].to_numpy() >= list(ladder).index(f.min_rung)
    if f.source:
        m &= _isin(events["source"], f.source)
    if f.target:
        m &= _isin(events["target"], f.target)
    if f.causes:
        m &= _isin(events["cause"], f.causes)
    if f.start is not None or f.end is not None:
        m &= _within(events["date"], f.start, f.end)
    return pd.Series(m, index=events.index)


def _within(dates: pd.Series, start: dt.date | None, end: dt.date | None) -> np.ndarray:
    """Which `dates` lie from `start` to `end` (None: no bound). A column of datetimes (as a run's tables hold) is
    compared as numpy's: pandas' own comparison cost more than the rest of a filter on a chunk's events."""
    out = np.ones(len(dates), dtype=bool)
    numpy = dates.dtype.kind == "M"
    values = dates.to_numpy() if numpy else dates
    for day, above in ((start, True), (end, False)):
        if day is not None:
            bound = np.datetime64(day) if numpy else pd.Timestamp(day)
            out &= np.asarray(values >= bound if above else values <= bound, dtype=bool)
    return out


def _isin(values: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    """Which of `values` are among `wanted`: on a categorical column (as a run's tables hold actors and causes), by
    its codes, one comparison per wanted value (a filter names a few); on any other, as pandas compares them."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories, codes = values.cat.categories, values.cat.codes.to_numpy()
        out = np.zeros(len(codes), dtype=bool)
        for w in dict.fromkeys(wanted):
            if w in categories:
                out |= codes == categories.get_loc(w)
        return out
    return values.isin(wanted).to_numpy()


def _rows(events: pd.DataFrame, runs: pd.Index, mask: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The matching events' places in `runs` and their steps (events of runs outside `runs` are left out)."""
    m = mask.to_numpy()
    rows = runs.get_indexer(events["run"].to_numpy()[m])
    steps = events["step"].to_numpy()[m].astype(np.int64)
    kept = rows >= 0
    return rows[kept], steps[kept]


def _count(events: pd.DataFrame, runs: pd.Index, f: EventFilter, ladder: Sequence[str]) -> pd.Series:
    rows, _ = _rows(events, runs, matching(events, f, ladder))
    return pd.Series(np.bincount(rows, minlength=len(runs)).astype(float), index=runs)


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
    rows, steps = _rows(events, runs, matching(events, f, ladder))  # first: a filter it cannot place is told
    if not n:
        return pd.Series(np.nan, index=runs)
    # The distinct (run, step) pairs with a matching event, counted per run.
    width = int(steps.max()) + 1 if len(steps) else 1
    pairs = np.unique(rows * width + steps)
    # Named as pandas named it when it counted them (a run's distinct steps): callers may show the name.
    return pd.Series(np.bincount(pairs // width, minlength=len(runs)) / n, index=runs, name="step")


def _rate_ratio(
    events: pd.DataFrame, runs: pd.Index, r: Ratio, steps: int, ladder: Sequence[str]
) -> pd.Series:
    anchor_rows, anchor_steps = _rows(events, runs, matching(events, r.anchor, ladder))
    rows, at = _rows(events, runs, matching(events, r, ladder))
    # Each run's first step with an anchor event (the largest int64 if none).
    first = np.full(len(runs), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, anchor_rows, anchor_steps)
    anchored = np.flatnonzero(first < np.iinfo(np.int64).max)
    anchors = first[anchored]
    lo, hi = np.maximum(0, anchors - r.before_steps), np.minimum(steps - 1, anchors + r.after_steps)
    # The matching events as (run, step) keys, sorted: those of a run's steps lo..hi are one stretch of them, so
    # each count is the difference of two places (memory as the events', not as runs times steps).
    width = max(steps, int(at.max()) + 1 if len(at) else 0)
    keys = np.sort(rows * width + at)
    base = anchored.astype(np.int64) * width

    def counted(start: np.ndarray, end: np.ndarray) -> np.ndarray:  # events in steps start..end - 1
        return np.searchsorted(keys, base + end) - np.searchsorted(keys, base + start)

    before_n, after_n = counted(lo, anchors), counted(anchors + 1, hi + 1)
    # A ratio where the run has steps on both sides of its anchor and some events before it.
    kept = (anchors - lo >= 1) & (hi - anchors >= 1) & (before_n > 0)
    ratio = np.full(len(runs), np.nan)
    before = before_n[kept] / (anchors - lo)[kept]
    ratio[anchored[kept]] = after_n[kept] / (hi - anchors)[kept] / before
    out = pd.Series(ratio, index=runs)
    # The runs whose steps before or after the anchor the period cuts short, for the verdict to tell.
    cut = (anchors - r.before_steps < 0) | (anchors + r.after_steps > steps - 1)
    out.attrs["cut"] = (int(cut.sum()), len(anchors))
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
