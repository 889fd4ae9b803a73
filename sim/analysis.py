"""Analysis of results: per-run outcome flags, outcome probabilities with their uncertainty."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.checks import matching
from redline.language import NamedOutcome

USE_OF_FORCE = 4  # MID hostility level of a use of force
WAR = 5


@dataclass(frozen=True)
class Outcome:
    name: str
    description: str


OUTCOMES = (
    Outcome("war", "some pair of actors reaches war (MID 5)"),
    Outcome("interstate_war", "two states reach war with each other (MID 5)"),
    Outcome("state_clash", "a state uses force directly against another state"),
    Outcome("patron_uses_force", "a patron uses force itself, not only through its clients"),
    Outcome("patron_struck", "a patron is itself the target of a use of force"),
    Outcome("war_spreads", "more than one pair of actors reaches war (MID 5)"),
)


def named_outcomes(facts: dict[str, Any] | None = None) -> list[Outcome]:
    """The general outcomes and those the scenario defines (as recorded in results' facts)."""
    extra = [Outcome(o["name"], o["description"]) for o in (facts or {}).get("outcomes", [])]
    return [*OUTCOMES, *extra]


def outcomes(
    runs: pd.DataFrame, events: pd.DataFrame, facts: dict[str, Any], defined: Sequence[NamedOutcome] = ()
) -> pd.DataFrame:
    """Add to the runs table: peak rung, attacks, deaths and one boolean column per named outcome (the general
    ones, then those the scenario defines)."""
    kinds = {a: v["kind"] for a, v in facts["actors"].items()}
    patrons = {r["from"] for r in facts["relations"] if r["type"] == "supports"}
    ladder = [r["id"] for r in facts["ladder"]]
    ev = events
    state_src = ev["source"].map(kinds).eq("state")
    state_tgt = ev["target"].map(kinds).eq("state")
    force = ev["mid_level"] >= USE_OF_FORCE
    war = ev["mid_level"] >= WAR
    flags = {
        "war": war,
        "interstate_war": war & state_src & state_tgt,
        "state_clash": force & state_src & state_tgt,
        "patron_uses_force": force & ev["source"].isin(patrons),
        "patron_struck": force & ev["target"].isin(patrons),
    }
    g = ev.groupby("run")
    out = runs.set_index("run")
    peak = g["rung"].max().reindex(out.index, fill_value=-1)
    out["peak_rung"] = np.array([*ladder, ""], dtype=object)[peak.to_numpy()]
    out["peak_mid"] = g["mid_level"].max().reindex(out.index, fill_value=0).astype(np.int64)
    out["attacks"] = force.groupby(ev["run"]).sum().reindex(out.index, fill_value=0).astype(np.int64)
    out["deaths"] = g["casualties"].sum().reindex(out.index, fill_value=0.0)
    for name, mask in flags.items():
        out[name] = mask.groupby(ev["run"]).any().reindex(out.index, fill_value=False).astype(bool)
    wars = ev[war]
    pairs = pd.Series([frozenset(p) for p in zip(wars["source"], wars["target"], strict=True)], index=wars.index,
                      dtype=object)  # fmt: skip
    out["war_spreads"] = (
        (pairs.groupby(wars["run"]).nunique() > 1).reindex(out.index, fill_value=False).astype(bool)
    )
    for o in defined:
        mask = matching(ev, o.when, ladder)
        out[o.name] = mask.groupby(ev["run"]).any().reindex(out.index, fill_value=False).astype(bool)
    return out.reset_index()


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion: sound near 0 and 1, where the normal interval is not."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def outcome_table(runs: pd.DataFrame, facts: dict[str, Any] | None = None) -> pd.DataFrame:
    """Probability of each named outcome over runs, with a 95% Wilson interval."""
    n = len(runs)
    rows = []
    for o in named_outcomes(facts):
        if o.name not in runs:
            continue
        k = int(runs[o.name].sum()) if n else 0
        lo, hi = wilson(k, n)
        rows.append(
            {
                "outcome": o.name,
                "description": o.description,
                "runs": k,
                "probability": k / n if n else float("nan"),
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    return pd.DataFrame(rows)


def peak_distribution(runs: pd.DataFrame, ladder: list[str]) -> pd.Series:
    """Share of runs whose highest rung is each rung of the ladder."""
    counts = runs["peak_rung"].value_counts()
    return pd.Series([counts.get(r, 0) / max(1, len(runs)) for r in ladder], index=ladder)
