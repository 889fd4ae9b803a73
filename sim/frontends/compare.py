"""Compare two scenarios run with common random numbers.

Run r of both scenarios gets the same seed, so the difference between them in run r is due to the scenarios, not
to luck: paired differences have far narrower intervals than two independent ensembles would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from redline.results.analysis import USE_OF_FORCE, named_outcomes, wilson
from redline.results.store import Results
from redline.words import plural

Z95 = 1.96


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    runs: int
    table: pd.DataFrame  # measure, kind, a, b, difference, ci_low, ci_high (and actor: the acting actor's id)
    facts_a: dict[str, Any] = field(default_factory=dict)  # scenario facts: names and colours for the plot
    facts_b: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None  # the root seed both ensembles share
    common: tuple[str, ...] = ()  # values changed in both scenarios (`--set KEY.PATH=VALUE`)


def _paired(name: str, kind: str, xa: np.ndarray, xb: np.ndarray) -> dict:
    """The mean paired difference B - A with its normal 95% interval (ensembles have tens of runs or more)."""
    d = xb.astype(float) - xa.astype(float)
    n = len(d)
    half = Z95 * d.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
    mean = float(d.mean()) if n else math.nan
    return _row(name, kind, xa, xb, mean, mean - half, mean + half)


def _paired_share(name: str, xa: np.ndarray, xb: np.ndarray) -> dict:
    """The difference B - A of two paired proportions (did the outcome happen in run r of A, of B) with
    Newcombe's hybrid score interval for paired data (his method 10, 1998). Unlike the normal interval, it does
    not shrink to a point when A and B agree in every run (common random numbers make that usual for a rare
    outcome), and it keeps its 95% near 0 and 1."""
    a, b = xa.astype(bool), xb.astype(bool)
    n = len(a)
    both, only_a = int((a & b).sum()), int((a & ~b).sum())
    only_b, neither = int((~a & b).sum()), int((~a & ~b).sum())
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    l1, u1 = wilson(both + only_a, n)
    l2, u2 = wilson(both + only_b, n)
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = (both * neither - only_a * only_b) / math.sqrt(margins) if margins else 0.0
    below = math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    above = math.sqrt(max(0.0, (u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2))
    return _row(name, "outcome probability", xa, xb, p2 - p1, p2 - p1 - below, p2 - p1 + above)


def _row(name: str, kind: str, xa: np.ndarray, xb: np.ndarray, mean: float, low: float, high: float) -> dict:
    return {
        "measure": name,
        "kind": kind,
        "a": float(xa.mean()),
        "b": float(xb.mean()),
        "difference": mean,
        "ci_low": low,
        "ci_high": high,
    }


def _per_run(res: Results, mask: pd.Series) -> pd.DataFrame:
    """Matching events per run and acting actor."""
    ev = res.events[mask]
    return ev.groupby(["run", "source"]).size().unstack(fill_value=0).reindex(res.runs["run"], fill_value=0)


def compare(
    a: Results,
    b: Results,
    *,
    label_a: str | None = None,
    label_b: str | None = None,
    common: tuple[str, ...] = (),
) -> Comparison:
    """Differences B - A in outcome probabilities, and in uses of force and hostile acts per run by actor. The
    sides are called by their scenarios' names, or by `label_a` and `label_b` (a scenario compared with itself
    under a changed value needs them); `common`: the values changed in both, told in the report."""
    if len(a.runs) != len(b.runs):
        raise ValueError(
            f"the two ensembles have {len(a.runs)} and {len(b.runs)} runs: paired runs need as many of each, "
            "with the same seeds"
        )
    if not a.runs["seed"].equals(b.runs["seed"]):
        raise ValueError(
            "the two ensembles were not run with the same seeds: common random numbers need them"
        )
    rows = [
        _paired_share(o.name, a.runs[o.name].to_numpy(), b.runs[o.name].to_numpy())
        for o in named_outcomes(a.facts)
        if o.name in a.runs and o.name in b.runs
    ]
    measures = (
        ("uses of force", lambda r: r.events["mid_level"] >= USE_OF_FORCE),
        ("hostile acts", lambda r: r.events["goldstein"] < 0),  # threats, sanctions and shows of force too
    )
    for label, select in measures:
        fa, fb = _per_run(a, select(a)), _per_run(b, select(b))
        for actor in sorted(set(fa.columns) | set(fb.columns)):
            xa = fa[actor].to_numpy() if actor in fa else np.zeros(len(fa))
            xb = fb[actor].to_numpy() if actor in fb else np.zeros(len(fb))
            rows.append({**_paired(f"{label} by {actor}", label, xa, xb), "actor": actor})
    return Comparison(
        label_a or a.facts["name"],
        label_b or b.facts["name"],
        len(a.runs),
        pd.DataFrame(rows),
        a.facts,
        b.facts,
        a.manifest.get("root_seed"),
        tuple(common),
    )


def _apart(c: Comparison) -> str:
    """A warning, when the two sides are not one world: over other periods, counts per run measure other spans;
    with other actors, a run of each does not pair like with like, and the shared seeds fall on different draws."""
    out = ""
    if c.facts_a.get("time") and c.facts_b.get("time"):
        from redline.results.chunks import time_spec

        ta, tb = time_spec(c.facts_a), time_spec(c.facts_b)
        if (ta.start, ta.end) != (tb.start, tb.end):  # other steps over the same days are the same period
            days = {side: (t.end - t.start).days + 1 for side, t in (("A", ta), ("B", tb))}
            out += (
                f" **The two scenarios cover different periods** (A: {ta.start} to {ta.end}; B: {tb.start} to "
                f"{tb.end})"
                + (
                    f": counts per run differ with the period's length ({days['A']} and {days['B']} days) as well."
                    if days["A"] != days["B"]
                    else ": the runs pair by seed, not by date."
                )
            )
    a, b = set(c.facts_a.get("actors", {})), set(c.facts_b.get("actors", {}))
    if a == b:
        return out
    only = [f"only in {side}: {', '.join(sorted(ids))}" for side, ids in (("A", a - b), ("B", b - a)) if ids]
    return out + (
        f" **The two scenarios have different actors** ({'; '.join(only)}): the pairing of runs holds only for "
        "variants of one scenario, so read these differences as two separate ensembles."
    )


def markdown(c: Comparison) -> str:
    lines = [
        f"# {c.b} compared with {c.a}",
        "",
        f"{plural(c.runs, 'run')} each, with common random numbers (run r of both uses the same seed). Differences are "
        f"B - A = {c.b} - {c.a}, with 95% intervals of the paired differences."
        + (f" Both with {', '.join(f'`{o}`' for o in c.common)}." if c.common else "")
        + _apart(c),
        "",
        "| measure | kind | A | B | B - A | 95% interval |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in c.table.itertuples():
        lines.append(
            f"| {r.measure} | {r.kind} | {r.a:.3g} | {r.b:.3g} | {r.difference:+.3g} | "
            f"{r.ci_low:+.3g} .. {r.ci_high:+.3g} |"
        )
    return "\n".join(lines) + "\n"


def plot(c: Comparison, path: str | Path | None = None, *, axes: Axes | list[Axes] | None = None) -> Figure:
    """Three panels: each named outcome's probability under A and B with 95% Wilson intervals; the paired
    difference B - A in each probability with its 95% interval; the paired difference in uses of force per run
    by each actor, in the actor's colour. `axes`: three Axes. Writes a PNG to `path` if given."""
    from redline.frontends.plotstyle import actor_colors, actor_name, finish, panels, wrap

    t = c.table
    colors = actor_colors(c.facts_a, c.facts_b)
    fa, fb = c.facts_a, c.facts_b
    facts = {**fb, **fa, "actors": {**fb.get("actors", {}), **fa.get("actors", {})}}
    names = {o.name: o.description for o in named_outcomes(facts or None)}
    out = t[t["kind"] == "outcome probability"]
    force = t[t["kind"] == "uses of force"]
    if "actor" in force:  # in the scenario's actor order, as in every other plot
        force = force.iloc[np.argsort([list(colors).index(x) if x in colors else len(colors) for x in force["actor"]],
                                      kind="stable")]  # fmt: skip
    tall = max(len(out), len(force))
    fig, axs, made = panels(axes, 3, (16, 0.42 * tall + 3), nrows=1, ncols=3, width_ratios=[1.25, 1, 1])
    a1, a2, a3 = axs
    y = np.arange(len(out))
    for shift, col, label, color in (
        (-0.17, "a", f"A: {c.a}", "#868e96"),
        (0.17, "b", f"B: {c.b}", "#c92a2a"),
    ):
        p = out[col].to_numpy()
        ci = np.array([wilson(round(v * c.runs), c.runs) for v in p]).reshape(-1, 2)
        a1.hlines(y + shift, ci[:, 0], ci[:, 1], color=color, lw=3, alpha=0.45)
        a1.plot(p, y + shift, "o", color=color, ms=5, label=label)
    a1.set_yticks(y, [wrap(names.get(m, m.replace("_", " ")), 38) for m in out["measure"]], fontsize=8)
    a1.set_xlim(-0.02, 1.02)  # a dot at 0 or 1 whole, not cut in half
    a1.set_xlabel("probability over runs, 95% Wilson interval", fontsize=8)
    a1.set_title("Each outcome under A and B", fontsize=10, loc="left")
    a1.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.12), frameon=False)
    for ax, part, labels, colour, unit, title in (
        (a2, out, ["" for _ in range(len(out))], None, "B - A in probability", "Paired difference, B - A"),
        (
            a3,
            force,
            [actor_name(facts, a) for a in force.get("actor", [])],
            [colors.get(a, "#495057") for a in force.get("actor", [])],
            "B - A in uses of force per run",
            "Uses of force (MID 4-5) per run, by actor: B - A",
        ),
    ):
        yy = np.arange(len(part))
        d = part["difference"].to_numpy()
        err = np.clip(np.vstack([d - part["ci_low"].to_numpy(), part["ci_high"].to_numpy() - d]), 0, None)
        fill = colour or ["#c92a2a" if v > 0 else "#1c4fd8" for v in d]
        ax.barh(yy, d, xerr=np.nan_to_num(err), color=fill, alpha=0.85, capsize=3)
        ax.axvline(0, color="#343a40", lw=0.8)
        ax.set_yticks(yy, labels, fontsize=8)
        for yi, r in zip(yy, part.itertuples(), strict=True):
            ax.annotate(f"{r.a:.3g} → {r.b:.3g}", (1.0, yi), xycoords=("axes fraction", "data"), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=7, color="#495057")  # fmt: skip
        ax.set_xlabel(unit + ", 95% interval of the paired runs", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.3)
    for ax, n in ((a1, len(out)), (a2, len(out)), (a3, len(force))):
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
    if not len(force):
        a3.text(0.5, 0.5, "no use of force in A or B", transform=a3.transAxes, ha="center", fontsize=8)
    seed = f", root seed {c.seed}" if c.seed is not None else ""
    return finish(
        fig,
        path,
        f"What changes from A ({c.a}) to B ({c.b})",
        f"{c.runs} runs each, run r of both with the same seed{seed}: differences are paired"
        + (f"; both with {', '.join(c.common)}" if c.common else ""),
        made,
    )
