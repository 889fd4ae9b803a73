"""Plots of escalation outcomes. They read Results (or a scenario's facts) only; they never run the model.

Every function returns a matplotlib Figure. It draws into the caller's axes if given (`ax=` for a one-panel plot,
`axes=` for one with several panels: one Axes, or a sequence of at least as many Axes as it has panels) and writes
a PNG only when given a path. Nothing here selects a matplotlib backend: in a notebook, after `%matplotlib inline`, a
returned figure shows inline.

    fig = plots.timeline(res, dyads=[("usa", "iran")])      # a Figure, nothing written
    plots.attacks(res, "attacks.png")                        # written, and returned
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedFormatter, FixedLocator

from redline.agents.actions import INJECTED
from redline.engine.aggregates import dyad_totals, mean, percentiles, rank_dyads
from redline.frontends.plot_network import EDGE_STYLE, NODE_COLOR, network
from redline.frontends.plotstyle import (
    about,
    actor_colors,
    actor_name,
    finish,
    legend_outside,
    panels,
    param_name,
    rung_names,
    wrap,
)
from redline.results.analysis import named_outcomes, outcome_table

__all__ = [
    "EDGE_STYLE",
    "NODE_COLOR",
    "attacks",
    "figure_of",
    "heatmap",
    "network",
    "outcome_distribution",
    "parse_dyads",
    "sensitivity_bars",
    "timeline",
]
Dyad = tuple[str, str]
AxesArg = Axes | Sequence[Axes] | None


def _date_axes(axs: Sequence[Axes]) -> None:
    """Date ticks as matplotlib's concise date axis puts them, worked out once per axis from its final limits and
    then fixed: panels sharing an axis, and every layout pass, would otherwise work them out again each time."""
    done: dict[tuple[float, float], tuple[Any, Any]] = {}
    for ax in axs:
        view = ax.get_xlim()  # after every panel is drawn: autoscaled, shared
        if view not in done:
            loc = mdates.AutoDateLocator(maxticks=10)
            loc.set_axis(ax.xaxis)
            concise = mdates.ConciseDateFormatter(loc)
            locs = loc()
            fixed = FixedFormatter(concise.format_ticks(locs))
            fixed.set_offset_string(concise.get_offset())
            done[view] = (FixedLocator(locs), fixed)
        ax.xaxis.set_major_locator(done[view][0])
        ax.xaxis.set_major_formatter(done[view][1])


def _steps(dates: pd.DatetimeIndex, values: np.ndarray) -> tuple[pd.Index, np.ndarray]:
    """Dates and values for a step plot that draws the last step too (one more edge, the last value repeated)."""
    end = dates[-1] + (dates[-1] - dates[-2] if len(dates) > 1 else pd.Timedelta(days=1))
    return dates.append(pd.DatetimeIndex([end])), np.append(values, values[-1])


def _band(
    ax: Axes,
    dates: pd.DatetimeIndex,
    hist: np.ndarray,
    color: str,
    label: str,
    alpha: float,
    centre: str = "median",
    offset: int = 0,
) -> float:
    """The median (or mean) over runs as a step line, and the band of the middle 80% of runs, from a histogram
    over runs of each step's value ([steps, width], value v - offset in column v; see redline.engine.aggregates).
    Returns the band's top, for a shared scale."""
    q10, q50, q90 = percentiles(hist, [10, 50, 90], offset)
    mid = mean(hist, offset) if centre == "mean" else q50
    x, lo = _steps(dates, q10)
    ax.fill_between(x, lo, _steps(dates, q90)[1], step="post", alpha=alpha, color=color, lw=0)
    ax.step(x, _steps(dates, mid)[1], where="post", color=color, lw=2, label=label)
    return float(max(q90.max(), mid.max())) if hist.size else 0.0


def _pooled(res: Any) -> str:
    """For a sweep's results, which hold every point's runs: say that a plot pools them."""
    sweep = res.manifest.get("sweep")
    if not sweep:
        return ""
    return f", all {sweep.get('points')} points of the sweep pooled"


# --- dyads -----------------------------------------------------------------------------------------------------


def parse_dyads(text: str, facts: dict[str, Any]) -> list[Dyad]:
    """`A:B,C:D` (actor ids) as dyads; ValueError naming the first unknown actor or malformed item."""
    out: list[Dyad] = []
    for item in (t.strip() for t in text.split(",")):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"'{item[:40]}' is not a dyad; write ACTOR:ACTOR, e.g. usa:iran")
        for p in parts:
            if p not in facts["actors"]:
                raise ValueError(f"no actor '{p[:40]}' (choose from: {', '.join(facts['actors'])})")
        if parts[0] == parts[1]:
            raise ValueError(f"'{item[:40]}' names the same actor twice")
        out.append((parts[0], parts[1]))
    return out


def _ordered(facts: dict[str, Any], a: str, b: str) -> Dyad:
    """A dyad in the scenario's actor order, so that A:B and B:A are one."""
    order = {x: i for i, x in enumerate(facts["actors"])}
    return (a, b) if order.get(a, len(order)) <= order.get(b, len(order)) else (b, a)


def named_dyads(res: Any) -> list[Dyad]:
    """The dyads a scheduled event of the scenario or an --inject names: a timeline shows them whatever rung they
    reach, since they are what the scenario (or the instructor's what-if) is about."""
    facts = res.facts
    out: dict[Dyad, None] = {}
    for s, t in res.aggregates.given[["source", "target"]].drop_duplicates().itertuples(index=False):
        if s != t:
            out[_ordered(facts, s, t)] = None
    return list(out)


def _scheduled_dates(res: Any) -> dict[Dyad, list[tuple[pd.Timestamp, str]]]:
    """Per dyad, the dates of its scheduled events and injects, with what happened."""
    facts = res.facts
    given = res.aggregates.given  # the first of each (source, target, action, step)
    out: dict[Dyad, list[tuple[pd.Timestamp, str]]] = {}
    cols = ("source", "target", "action", "cause", "date")
    for source, target, action, cause, date in zip(*(given[c].tolist() for c in cols), strict=True):
        kind = "inject" if cause == INJECTED else "scheduled"
        what = f"{kind}: {actor_name(facts, source)} {action.replace('_', ' ')}"
        out.setdefault(_ordered(facts, source, target), []).append((pd.Timestamp(date), what))
    return out


def ranked_dyads(facts: dict[str, Any], events: pd.DataFrame) -> list[Dyad]:
    """The dyads of the hostile acts among `events`, either way, the most intense first: highest rung, then most
    acts."""
    return rank_dyads(dyad_totals(facts, events[events["goldstein"] < 0]))


def choose_dyads(res: Any, dyads: Sequence[Dyad] | None = None, max_dyads: int = 6) -> list[Dyad]:
    """The dyads a timeline shows: those asked for; else every dyad an event or inject names, then the dyads
    whose hostile acts reach the highest rungs (most often first) up to `max_dyads` in all."""
    facts = res.facts
    if dyads:
        # "usa:iran" (as the command line takes it), or ("usa", "iran"): one pair, not a list of them
        if isinstance(dyads, str) or any(isinstance(d, str) for d in dyads):
            pair = tuple(dyads.split(":")) if isinstance(dyads, str) else tuple(dyads)
            raise TypeError(f"dyads is a list of (actor, actor) pairs, e.g. [{pair!r}]; got {dyads!r}")
        for d in dyads:
            for a in d:
                if a not in facts["actors"]:
                    raise ValueError(f"no actor '{a}' (choose from: {', '.join(facts['actors'])})")
        return list(dict.fromkeys(_ordered(facts, *d) for d in dyads))
    chosen = dict.fromkeys(named_dyads(res))
    for d in rank_dyads(res.aggregates.dyads):
        if len(chosen) >= max_dyads:
            break
        chosen.setdefault(d, None)
    return list(chosen)


# --- the plots of a results folder -----------------------------------------------------------------------------


def timeline(
    res: Any,
    path: str | Path | None = None,
    max_dyads: int = 6,
    *,
    dyads: Sequence[Dyad] | None = None,
    axes: AxesArg = None,
) -> Figure:
    """Per dyad (one panel each), the highest rung of hostile acts each step, each direction in its source's
    colour: median over runs and the band of the middle 80% of runs. Scheduled events and injects are marked.
    Dyads: `dyads` (actor id pairs) if given, else every one an event or inject names and the busiest others.
    `axes`: one Axes per dyad."""
    facts, hostile = res.facts, res.aggregates.hostile
    names = ["none", *rung_names(facts)]
    dates = res.step_dates
    colors = actor_colors(facts)
    shown = choose_dyads(res, dyads, max_dyads)
    marks = _scheduled_dates(res)
    fig, axs, made = panels(axes, max(1, len(shown)), (11, 1.75 * max(1, len(shown)) + 1.3),
                            nrows=max(1, len(shown)), ncols=1, sharex=True)  # fmt: skip
    for ax, (a, b) in zip(axs, shown, strict=False):
        any_drawn = False
        for s, t in ((a, b), (b, a)):
            if (s, t) not in hostile:
                continue
            _band(ax, dates, hostile[(s, t)], colors.get(s, "#495057"),
                  f"{actor_name(facts, s)} → {actor_name(facts, t)}", 0.18, offset=1)  # fmt: skip
            any_drawn = True
        for when, what in marks.get((a, b), []):
            ax.axvline(when, color="#343a40", lw=1, ls=":")
            ax.annotate(what, (when, len(names) - 1.6), xytext=(3, 0), textcoords="offset points", fontsize=7,
                        color="#343a40", va="top")  # fmt: skip
        if not any_drawn:
            ax.text(0.5, 0.5, "no hostile act in any run", transform=ax.transAxes, ha="center", fontsize=8)
        ax.set_yticks(range(-1, len(names) - 1), names, fontsize=7)
        ax.set_ylim(-1.5, len(names) - 1.5)
        ax.set_title(f"{actor_name(facts, a)} and {actor_name(facts, b)}", fontsize=9, loc="left")
        ax.grid(axis="y", alpha=0.3)
        if any_drawn:
            legend_outside(ax)
        ax.set_xlim(dates[0], _steps(dates, np.zeros(len(dates)))[0][-1])
    if shown:
        _date_axes(axs)
    else:  # no dyad to draw: a panel that says so, not an empty axis dated 1970
        axs[0].text(0.5, 0.5, "no hostile act in any run", transform=axs[0].transAxes, ha="center")
        axs[0].set_axis_off()
    step = facts["time"]["step"]
    return finish(
        fig,
        path,
        f"Escalation by dyad: highest rung of hostile acts each {step} "
        f"(line: median; band: middle 80% of runs{_pooled(res)})",
        about(res),
        made,
    )


def attacks(res: Any, path: str | Path | None = None, *, axes: AxesArg = None) -> Figure:
    """Uses of force (MID 4-5) each step, one panel per actor that used force in some run, in the scenario's
    actor order and colour, on one scale: mean over runs and the band of the middle 80% of runs. `axes`: one
    per actor."""
    facts, force = res.facts, res.aggregates.force
    dates = res.step_dates
    used = set(force)
    actors = [a for a in facts["actors"] if a in used] + sorted(used - set(facts["actors"]))
    colors = actor_colors(facts)
    n = max(1, len(actors))
    cols = 1 if n == 1 else 2
    rows = -(-n // cols)
    fig, axs, made = panels(axes, n, (11, 1.9 * rows + 1.3), nrows=rows, ncols=cols, sharex=True, sharey=True)
    step = facts["time"]["step"]
    top = 0.0
    for ax, a in zip(axs, actors, strict=False):
        top = max(top, _band(ax, dates, force[a], colors.get(a, "#495057"), "mean", 0.25, centre="mean"))
        ax.set_title(actor_name(facts, a), fontsize=9, loc="left", color=colors.get(a, "#343a40"),
                     fontweight="bold")  # fmt: skip
        ax.grid(alpha=0.3)
    for ax in axs[: len(actors)]:  # after all are drawn: the panels share one scale
        ax.set_ylim(0, 1.08 * top if top > 0 else 1)
    _date_axes(axs[: len(actors)])
    if not actors:
        axs[0].text(0.5, 0.5, "no actor used force in any run", transform=axs[0].transAxes, ha="center")
        axs[0].set_axis_off()
    if made:
        for ax in axs[max(1, len(actors)) :]:  # the first stays: it says that nobody used force
            ax.set_visible(False)
        for ax in axs[::cols]:
            ax.set_ylabel(f"per {step}", fontsize=8)
    return finish(
        fig,
        path,
        f"Uses of force (MID 4-5) each {step}, by the actor using it "
        f"(line: mean over runs; band: middle 80% of runs{_pooled(res)})",
        about(res),
        made,
    )


def peak_by_actor(res: Any) -> pd.DataFrame:
    """Per actor (rows, scenario order) the share of runs whose highest rung of its own acts is each rung (columns,
    'none' first)."""
    facts, agg = res.facts, res.aggregates
    actors = list(facts["actors"])
    width = len(facts["ladder"]) + 1
    none = np.eye(width, dtype=np.int64)[0] * agg.runs  # an actor that never acted: every run in 'none'
    counts = np.array([agg.peak.get(a, none) for a in actors], dtype=float).reshape(len(actors), width)
    shares = counts / agg.runs if agg.runs else np.zeros_like(counts)
    return pd.DataFrame(shares, index=actors, columns=["none", *rung_names(facts)])


def outcome_distribution(res: Any, path: str | Path | None = None, *, axes: AxesArg = None) -> Figure:
    """Left: the probability of each named outcome with its 95% Wilson interval. Right: for each actor, how high its
    own acts went: the share of runs whose highest rung is each rung. `axes`: two Axes."""
    facts = res.facts
    table = outcome_table(res.runs, facts)
    shares = peak_by_actor(res)
    fig, axs, made = panels(axes, 2, (13, max(4.8, 0.42 * max(len(table), len(shares)) + 2.2)), nrows=1, ncols=2,
                            width_ratios=[1, 1.15])  # fmt: skip
    a1, a2 = axs
    y = np.arange(len(table))
    # A sweep's runs pool points that differ and reuse the same seeds at each: not independent draws of one
    # scenario, so an interval computed as if they were would claim a precision they do not have.
    pooled = _pooled(res)
    if len(table):
        p = table["probability"].to_numpy()
        lo, hi = table["ci_low"].to_numpy(), table["ci_high"].to_numpy()
        if not pooled:
            a1.hlines(y, lo, hi, color="#c92a2a", lw=3, alpha=0.45)
        a1.plot(p, y, "o", color="#c92a2a", ms=6)
        for yi, pi in zip(y, p, strict=True):  # the values in a column right of the axes: never on a bar
            a1.annotate(f"{pi:.2f}", (1.0, yi), xycoords=("axes fraction", "data"), xytext=(5, 0),
                        textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    a1.set_yticks(y, [wrap(d, 42) for d in table.get("description", [])], fontsize=8)
    a1.set_xlim(-0.02, 1.02)
    a1.set_ylim(len(table) - 0.5, -0.5)
    a1.set_xlabel(
        f"share of runs{pooled} (no interval: the points differ and share their seeds)"
        if pooled
        else "probability over runs (dot) and its 95% Wilson interval (bar)",
        fontsize=8,
    )
    a1.grid(axis="x", alpha=0.3)
    a1.set_title("How likely is each outcome?", fontsize=10, loc="left")
    values = shares.to_numpy()
    a2.imshow(
        values, cmap="Greys", vmin=0, vmax=1.6, aspect="auto"
    )  # vmax past 1: the darkest cell stays legible
    for (i, j), v in np.ndenumerate(values):
        if v >= 0.005:
            a2.text(
                j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="black" if v < 0.8 else "white"
            )
    a2.set_yticks(range(len(shares)), [actor_name(facts, a) for a in shares.index], fontsize=8)
    a2.set_xticks(range(shares.shape[1]), list(shares.columns), fontsize=7, rotation=40, ha="right",
                  rotation_mode="anchor")  # fmt: skip
    a2.set_title("How high did each actor go? Share of runs by its highest rung", fontsize=10, loc="left")
    return finish(fig, path, f"Outcomes of {facts['title']}", about(res), made)


def figure_of(name: str, res: Any, dyads: Sequence[Dyad] | None = None) -> Figure:
    """The plot of a results folder written as `name`, one of redline.frontends.plotfiles.PLOT_FILES (a new figure)."""
    if name == "timeline.png":
        return timeline(res, dyads=dyads)
    if name == "attacks.png":
        return attacks(res)
    if name == "outcomes.png":
        return outcome_distribution(res)
    if name == "network.png":
        return network(res.facts)
    raise ValueError(f"no plot is written as {name}")


# --- the plots of a sweep --------------------------------------------------------------------------------------

STATISTIC_WORDS = {
    "median": "median over runs",
    "mean": "mean over runs",
    "share_of_runs": "share of runs in which it happens",
    "iqr": "interquartile range over runs",
}


# A sweep's outcomes that are means over a point's runs, not shares of them, in words.
SCALAR_WORDS = {
    "attacks": "uses of force per run",
    "deaths": "deaths per run",
    "peak_mid": "highest MID hostility level of a run",
}


def _measure(outcome: str, runs: int | None, check: Any = None) -> str:
    """What a sweep's outcome column holds, in words, with its statistic."""
    per = f" ({runs} runs per point)" if runs else ""
    if check is not None:
        stat = STATISTIC_WORDS.get(check.statistic, check.statistic.replace("_", " "))
        return f"{stat}{per}"
    if outcome in SCALAR_WORDS:
        return f"mean {SCALAR_WORDS[outcome]}{per}"
    return f"probability over runs{per}"


def heatmap(
    summary: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    path: str | Path | None = None,
    runs: int | None = None,
    *,
    facts: dict[str, Any] | None = None,
    check: Any = None,
    caption: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An outcome over a two-parameter grid, one cell per point with its value written in it. `check` (a scenario
    Check, for an outcome 'check: NAME') adds its statistic and band; cells inside the band are outlined.
    `facts` names the parameters in words. Draws into `ax` if given."""
    grid = summary.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean", dropna=False)
    grid = grid.sort_index(ascending=False)  # all the points, those without a value too
    values = grid.to_numpy(dtype=float)
    fig, (axis,), made = panels(ax, 1, (1.1 * grid.shape[1] + 5.5, 0.75 * grid.shape[0] + 3))
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    # The colour scale from the values there are (a check without a value anywhere has none to take it from).
    im = axis.imshow(values, cmap="Reds", aspect="auto", vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    axis.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], fontsize=8)
    axis.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index], fontsize=8)
    band = tuple(check.band) if check is not None else None
    for (i, j), v in np.ndenumerate(values):
        if not np.isfinite(v):  # a check with no value at this point (no run had its anchor event)
            axis.text(j, i, "no value", ha="center", va="center", fontsize=8, color="#868e96")
        else:
            dark = hi > lo and (v - lo) / (hi - lo) > 0.6  # the colour map's darker part: white text
            axis.text(
                j, i, f"{v:.3g}", ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
            if band is not None and band[0] <= v <= band[1]:
                axis.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="#1c4fd8", lw=2.5))
    axis.set_xlabel(wrap(param_name(x, facts), 50), fontsize=9)
    axis.set_ylabel(wrap(param_name(y, facts), 40), fontsize=9)
    name = outcome.removeprefix("check: ")
    label = _measure(outcome, runs, check)
    if band is not None:
        label += f"; band {check.expect}"
        axis.legend(handles=[Patch(fill=False, ec="#1c4fd8", lw=2.5, label=f"inside the band {check.expect}")],
                    loc="upper left", bbox_to_anchor=(0, -0.16), fontsize=8, frameon=False)  # fmt: skip
    fig.colorbar(im, ax=axis, label=wrap(label, 34))
    axis.set_title(wrap(("check: " + name) if check is not None else outcome_words(outcome, facts), 70), fontsize=9,
                   loc="left")  # fmt: skip
    what = "The check" if check is not None else "The outcome"
    title = f"{what} over the grid of {param_name(x, facts)} (across) and {param_name(y, facts)} (up)"
    return finish(fig, path, wrap(title, 100), caption, made)


def outcome_words(outcome: str, facts: dict[str, Any] | None) -> str:
    """A sweep's outcome column in words: a named outcome's description, a check's name."""
    if outcome in SCALAR_WORDS:
        return SCALAR_WORDS[outcome]
    described = {o.name: o.description for o in named_outcomes(facts)}
    return described.get(outcome, outcome.replace("_", " "))


def sensitivity_bars(
    table: pd.DataFrame,
    path: str | Path | None = None,
    design: str = "sobol",
    *,
    facts: dict[str, Any] | None = None,
    caption: str | None = None,
    axes: AxesArg = None,
) -> Figure:
    """Sensitivity indices of each parameter, one small panel per outcome (three across), with 95% intervals.
    Each panel has its own scale: an index is in its outcome's units (Morris) or a share of its variance (Sobol).
    `axes`: one per outcome."""
    main = "mu_star" if design == "morris" else "ST"
    t = table[table["index"] == main]
    outcomes = list(dict.fromkeys(t["outcome"]))
    params = list(dict.fromkeys(t["param"]))
    n = max(1, len(outcomes))
    cols = min(3, n)
    rows = -(-n // cols)
    size = (5.2 * cols + 1.5, max(3.5, rows * (0.32 * len(params) + 1.1) + 1.2))
    fig, axs, made = panels(axes, n, size, nrows=rows, ncols=cols, sharey=True)
    y = np.arange(len(params))
    for ax, outcome in zip(axs, outcomes, strict=False):
        part = t[t["outcome"] == outcome].set_index("param").reindex(params)
        ax.barh(y, part["value"].fillna(0), xerr=part["conf"].fillna(0).clip(lower=0), color="#495057",
                capsize=3, label="total order (ST)" if design != "morris" else "mu*")  # fmt: skip
        if design != "morris":
            s1 = (
                table[(table["index"] == "S1") & (table["outcome"] == outcome)]
                .set_index("param")
                .reindex(params)
            )
            ax.scatter(s1["value"], y, color="#c92a2a", zorder=3, label="first order (S1)")
        ax.set_title(wrap(outcome_words(outcome, facts), 48), fontsize=8, loc="left")
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
    names = [wrap(param_name(p, facts), 28) for p in params]
    # Panels made here share their y axis, so setting the first sets all; axes a caller passes in share nothing.
    for ax in axs[:1] if made else axs[: len(outcomes)]:
        ax.set_yticks(y, names, fontsize=8)
        ax.set_ylim(len(params) - 0.5, -0.5)  # the first parameter on top
    for ax in axs:
        ax.tick_params(axis="y", labelsize=8)
    if made:
        for ax in axs[len(outcomes) :]:
            ax.set_visible(False)
    label = "Morris mu* (mean absolute elementary effect)" if design == "morris" else "Sobol total order (ST)"
    if design != "morris" and outcomes:
        axs[0].legend(fontsize=7, loc="lower right")
    return finish(
        fig, path, f"Which levers matter: {label} of each outcome, with its 95% interval", caption, made
    )
