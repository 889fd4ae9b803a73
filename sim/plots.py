"""Plots of escalation outcomes. They read Results (or a scenario's facts) only; they never run the model."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or wanted
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from redline.analysis import USE_OF_FORCE, outcome_table, peak_distribution

EDGE_STYLE = {
    "supports": {"color": "#2b8a3e", "style": "solid", "label": "supports (width: level)"},
    "hostile": {"color": "#c92a2a", "style": "dashed", "label": "hostile"},
    "guarantees": {"color": "#1c4fd8", "style": "solid", "label": "guarantees"},
    "attributes": {"color": "#e67700", "style": "dotted", "label": "blames (attribution)"},
    "hosts": {"color": "#868e96", "style": "dashdot", "label": "hosts"},
    "back_channel": {"color": "#7048e8", "style": (0, (1, 3)), "label": "back channel"},
    "allied": {"color": "#0b7285", "style": "solid", "label": "allied (width: level)"},
}
NODE_COLOR = {
    "state": "#4dabf7",
    "armed_group": "#ffa94d",
    "host_state": "#ced4da",
    "target": "#f783ac",
    "mediator": "#b2f2bb",
}
DPI = 110


def _save(fig: plt.Figure, out: Path) -> Path:
    """Write the figure atomically (a half-written PNG never replaces a good one) and close it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        fig.savefig(tmp, format="png", bbox_inches="tight", dpi=DPI, metadata={"Software": None})
        os.replace(tmp, out)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return out


def _layout(actors: dict[str, dict], relations: list[dict]) -> dict[str, tuple[float, float]]:
    """Positions from a force layout started on rings (states outside): deterministic, so every picture of a
    scenario looks the same, and relations pull related actors together."""
    outer = [a for a, x in actors.items() if x["kind"] == "state"]
    inner = [a for a in actors if a not in outer]
    start = {}
    for ring, radius in ((outer, 1.0), (inner, 0.5)):
        for i, a in enumerate(ring):
            angle = math.pi / 2 + radius + 2 * math.pi * i / max(1, len(ring))  # rings offset: fewer overlaps
            start[a] = (radius * math.cos(angle), radius * math.sin(angle))
    g = nx.Graph()
    g.add_nodes_from(actors)
    g.add_edges_from((r["from"], r["to"]) for r in relations)
    if g.number_of_edges() == 0:
        return start
    # States stay on the outer ring; the others settle between the actors they relate to.
    pos = nx.spring_layout(g, pos=start, fixed=outer or None, seed=0, k=0.9, iterations=300)
    return {a: (float(p[0]), float(p[1])) for a, p in pos.items()}


def network(facts: dict[str, Any], out: Path) -> Path:
    """The actor-relations network, edges styled by type, with a legend."""
    actors = facts["actors"]
    g = nx.MultiDiGraph()
    g.add_nodes_from(actors)
    pos = _layout(actors, facts["relations"])
    fig, ax = plt.subplots(figsize=(11, 9))
    for i, r in enumerate(facts["relations"]):
        st = EDGE_STYLE[r["type"]]
        level = r["level"] if r.get("level") is not None else 0.5
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(r["from"], r["to"])],
            ax=ax,
            edge_color=st["color"],
            style=st["style"],
            width=1.0 + 3.0 * level,
            arrows=True,
            arrowsize=16,
            node_size=2600,
            connectionstyle=f"arc3,rad={0.08 + 0.04 * (i % 3)}",
        )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        node_color=[NODE_COLOR[actors[a]["kind"]] for a in g.nodes],
        node_size=2600,
        edgecolors="#343a40",
    )
    labels = {a: x["label"].replace(" ", "\n", 1) for a, x in actors.items()}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=8)
    present = {r["type"] for r in facts["relations"]}
    handles = [
        Line2D([0], [0], color=s["color"], linestyle=s["style"], lw=2.5, label=s["label"])
        for t, s in EDGE_STYLE.items()
        if t in present
    ]
    kinds = {x["kind"] for x in actors.values()}
    handles += [
        Line2D(
            [0],
            [0],
            marker="o",
            color="w",
            markerfacecolor=c,
            markeredgecolor="#343a40",
            markersize=12,
            label=k.replace("_", " "),
        )
        for k, c in NODE_COLOR.items()
        if k in kinds
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=True, bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"{facts['title']}\nactors and relations", fontsize=11)
    ax.set_axis_off()
    xy = np.array(list(pos.values()))
    pad = 0.25 * max(1.0, float(np.ptp(xy, axis=0).max()) / 2)
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    ax.set_aspect("equal")
    return _save(fig, out)


def _date_axis(ax: plt.Axes) -> None:
    loc = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def _steps(dates: pd.DatetimeIndex, values: np.ndarray) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Dates and values for a step plot that draws the last step too (one more edge, the last value repeated)."""
    end = dates[-1] + (dates[-1] - dates[-2] if len(dates) > 1 else pd.Timedelta(days=1))
    return dates.append(pd.DatetimeIndex([end])), np.append(values, values[-1])


def _per_run_step(ev: pd.DataFrame, runs: np.ndarray, steps: int, value: str, how: str) -> np.ndarray:
    """A runs x steps array of `how` ('max' or 'count') of `value` over events; -1 (max) or 0 (count) if none."""
    fill = -1 if how == "max" else 0
    out = np.full((len(runs), steps), fill, dtype=float)
    if len(ev):
        row = pd.Index(runs).get_indexer(ev["run"])
        if how == "max":
            np.maximum.at(out, (row, ev["step"].to_numpy()), ev[value].to_numpy())
        else:
            np.add.at(out, (row, ev["step"].to_numpy()), 1)
    return out


def timeline(res, out: Path, max_dyads: int = 6) -> Path:
    """Per dyad, the median of the highest rung reached each step, with a 10-90% band over runs."""
    facts, ev = res.facts, res.events
    ladder = [r["id"] for r in facts["ladder"]]
    dates = res.step_dates
    runs = res.runs["run"].to_numpy()
    hostile = ev[ev["goldstein"] < 0]
    pair = np.where(
        hostile["source"] < hostile["target"],
        hostile["source"] + " - " + hostile["target"],
        hostile["target"] + " - " + hostile["source"],
    )
    hostile = hostile.assign(dyad=pair)
    top = (
        hostile.groupby("dyad")["mid_level"]
        .agg(["max", "size"])
        .sort_values(["max", "size"], ascending=False)
    )
    dyads = list(top.index[:max_dyads])
    fig, axes = plt.subplots(
        len(dyads) or 1, 1, figsize=(11, 1.9 * max(1, len(dyads)) + 0.8), sharex=True, squeeze=False
    )
    for ax, dyad in zip(axes[:, 0], dyads, strict=False):
        grid = _per_run_step(hostile[hostile["dyad"] == dyad], runs, len(dates), "rung", "max")
        q10, q50, q90 = np.percentile(grid, [10, 50, 90], axis=0)
        x, lo = _steps(dates, q10)
        ax.fill_between(
            x, lo, _steps(dates, q90)[1], step="post", alpha=0.25, color="#c92a2a", label="10-90% of runs"
        )
        ax.step(x, _steps(dates, q50)[1], where="post", color="#c92a2a", lw=2, label="median")
        ax.set_yticks(range(-1, len(ladder)), ["none", *ladder], fontsize=7)
        ax.set_ylim(-1.5, len(ladder) - 0.5)
        ax.set_title(dyad, fontsize=9, loc="left")
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="upper right")
    _date_axis(axes[-1, 0])
    fig.suptitle(
        f"Escalation timeline: highest rung per {facts['time']['step']}, by dyad ({len(runs)} runs)",
        fontsize=11,
    )
    fig.tight_layout()
    return _save(fig, out)


def attacks(res, out: Path) -> Path:
    """Uses of force per step by each actor that used force: median and 10-90% band over runs."""
    facts, ev = res.facts, res.events
    dates = res.step_dates
    runs = res.runs["run"].to_numpy()
    force = ev[ev["mid_level"] >= USE_OF_FORCE]
    actors = list(force.groupby("source").size().sort_values(ascending=False).index)
    fig, ax = plt.subplots(figsize=(11, 5.5))
    colors = plt.get_cmap("tab10")
    for i, a in enumerate(actors):
        grid = _per_run_step(force[force["source"] == a], runs, len(dates), "rung", "count")
        q10, q50, q90 = np.percentile(grid, [10, 50, 90], axis=0)
        x, lo = _steps(dates, q10)
        ax.fill_between(x, lo, _steps(dates, q90)[1], step="post", alpha=0.15, color=colors(i % 10))
        ax.step(
            x,
            _steps(dates, q50)[1],
            where="post",
            lw=2,
            color=colors(i % 10),
            label=facts["actors"][a]["label"],
        )
    ax.set_ylabel(f"uses of force per {facts['time']['step']}")
    ax.set_title(
        f"Attacks per {facts['time']['step']} by actor: median, band 10-90% of {len(runs)} runs", fontsize=11
    )
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    _date_axis(ax)
    return _save(fig, out)


def outcome_distribution(res, out: Path) -> Path:
    """Left: the distribution of the highest rung reached. Right: named outcomes with 95% intervals."""
    ladder = [r["id"] for r in res.facts["ladder"]]
    dist = peak_distribution(res.runs, ladder)
    table = outcome_table(res.runs, res.facts)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    a1.bar(range(len(ladder)), dist.to_numpy(), color="#495057")
    a1.set_xticks(range(len(ladder)), ladder, rotation=35, ha="right", fontsize=8)
    a1.set_ylabel("share of runs")
    a1.set_ylim(0, 1)
    a1.set_title("Highest rung reached in a run", fontsize=10)
    y = np.arange(len(table))
    p = table["probability"].to_numpy()
    err = np.clip(np.vstack([p - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - p]), 0, None)
    a2.barh(y, p, xerr=err, color="#c92a2a", alpha=0.8, capsize=3)
    a2.set_yticks(y, [o.replace("_", " ") for o in table["outcome"]], fontsize=8)
    a2.set_xlim(0, 1)
    a2.invert_yaxis()
    a2.set_xlabel("probability (95% Wilson interval)")
    a2.set_title("Named outcomes", fontsize=10)
    fig.suptitle(f"{res.facts['title']}: outcomes over {len(res.runs)} runs", fontsize=11)
    fig.tight_layout()
    return _save(fig, out)


def all_plots(res, folder: Path) -> list[Path]:
    return [
        timeline(res, folder / "timeline.png"),
        attacks(res, folder / "attacks.png"),
        outcome_distribution(res, folder / "outcomes.png"),
        network(res.facts, folder / "network.png"),
    ]


def heatmap(summary: pd.DataFrame, x: str, y: str, outcome: str, out: Path, runs: int) -> Path:
    """An outcome over a two-parameter grid: one cell per point, its value written in the cell."""
    grid = summary.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean").sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(1.1 * grid.shape[1] + 3, 0.8 * grid.shape[0] + 2))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="Reds", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], fontsize=8)
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index], fontsize=8)
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                f"{v:.2g}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > np.nanmax(grid.to_numpy(dtype=float)) * 0.6 else "black",
            )
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    fig.colorbar(im, ax=ax, label=outcome if len(outcome) <= 40 else outcome[:37] + "...")
    ax.set_title(f"{outcome}\nover the grid ({runs} runs per point)", fontsize=10)
    return _save(fig, out)


def sensitivity_bars(table: pd.DataFrame, out: Path, design: str) -> Path:
    """Sensitivity indices per outcome and parameter, with their 95% intervals."""
    main = "mu_star" if design == "morris" else "ST"
    t = table[table["index"] == main]
    outcomes = list(dict.fromkeys(t["outcome"]))
    fig, axes = plt.subplots(len(outcomes) or 1, 1, figsize=(10, 1.2 + 0.45 * len(t)), squeeze=False)
    for ax, outcome in zip(axes[:, 0], outcomes, strict=False):
        part = t[t["outcome"] == outcome]
        y = np.arange(len(part))
        ax.barh(y, part["value"], xerr=part["conf"].fillna(0).clip(lower=0), color="#495057", capsize=3)
        if design != "morris":
            s1 = table[(table["index"] == "S1") & (table["outcome"] == outcome)]
            ax.scatter(s1["value"], y, color="#c92a2a", zorder=3, label="first order (S1)")
        ax.set_yticks(y, part["param"], fontsize=7)
        ax.set_title(outcome, fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
    label = "Morris mu* (mean absolute elementary effect)" if design == "morris" else "Sobol total order (ST)"
    axes[-1, 0].set_xlabel(f"{label}, 95% interval")
    fig.suptitle("Which levers matter: sensitivity of each outcome", fontsize=11)
    fig.tight_layout()
    return _save(fig, out)
