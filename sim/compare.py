"""Compare two scenarios run with common random numbers.

Run r of both scenarios gets the same seed, so the difference between them in run r is due to the scenarios, not
to luck: paired differences have far narrower intervals than two independent ensembles would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from redline.analysis import USE_OF_FORCE, named_outcomes
from redline.results import Results

Z95 = 1.96


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    runs: int
    table: pd.DataFrame  # measure, kind, a, b, difference, ci_low, ci_high


def _paired(name: str, kind: str, xa: np.ndarray, xb: np.ndarray) -> dict:
    d = xb.astype(float) - xa.astype(float)
    half = Z95 * d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else math.nan
    mean = float(d.mean()) if len(d) else math.nan
    return {
        "measure": name,
        "kind": kind,
        "a": float(xa.mean()),
        "b": float(xb.mean()),
        "difference": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }


def _per_run(res: Results, mask: pd.Series) -> pd.DataFrame:
    """Matching events per run and acting actor."""
    ev = res.events[mask]
    return ev.groupby(["run", "source"]).size().unstack(fill_value=0).reindex(res.runs["run"], fill_value=0)


def compare(a: Results, b: Results) -> Comparison:
    """Differences B - A in outcome probabilities, and in uses of force and hostile acts per run by actor."""
    if not a.runs["seed"].equals(b.runs["seed"]):
        raise ValueError(
            "the two ensembles were not run with the same seeds: common random numbers need them"
        )
    rows = [
        _paired(o.name, "outcome probability", a.runs[o.name].to_numpy(), b.runs[o.name].to_numpy())
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
            rows.append(_paired(f"{label} by {actor}", label, xa, xb))
    return Comparison(a.facts["name"], b.facts["name"], len(a.runs), pd.DataFrame(rows))


def markdown(c: Comparison) -> str:
    lines = [
        f"# {c.b} compared with {c.a}",
        "",
        f"{c.runs} runs each, with common random numbers (run r of both uses the same seed). Differences are "
        f"B - A = {c.b} - {c.a}, with 95% intervals of the paired differences.",
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


def plot(c: Comparison, out: Path) -> Path:
    from redline.plots import _save, plt

    t = c.table
    panels = (
        ("outcome probability", "difference in probability", "Named outcomes"),
        ("uses of force", "difference per run", "Uses of force (MID 4-5), by actor"),
        ("hostile acts", "difference per run", "Hostile acts (negative Goldstein), by actor"),
    )
    fig, axes = plt.subplots(1, 3, figsize=(16, 0.25 * len(t) + 3))
    for ax, (kind, unit, title) in zip(axes, panels, strict=True):
        part = t[t["kind"] == kind]
        y = np.arange(len(part))
        d = part["difference"].to_numpy()
        err = np.clip(np.vstack([d - part["ci_low"].to_numpy(), part["ci_high"].to_numpy() - d]), 0, None)
        ax.barh(y, d, xerr=err, color=["#c92a2a" if v > 0 else "#1c4fd8" for v in d], alpha=0.8, capsize=3)
        ax.axvline(0, color="#343a40", lw=0.8)
        ax.set_yticks(y, [m.split(" by ")[-1] for m in part["measure"]], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{c.b} minus {c.a}: {c.runs} paired runs, 95% intervals", fontsize=11)
    fig.tight_layout()
    return _save(fig, out)
