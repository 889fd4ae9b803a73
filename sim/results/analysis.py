"""Analysis of results: per-run outcome flags, outcome probabilities with their uncertainty."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.engine.aggregates import actor_codes
from redline.language.spec import NamedOutcome
from redline.results.checks import matching

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
    ones, then those the scenario defines). Every event belongs to a run of `runs`."""
    kinds = {a: v["kind"] for a, v in facts["actors"].items()}
    states = {a for a, k in kinds.items() if k == "state"}
    patrons = {r["from"] for r in facts["relations"] if r["type"] == "supports"}
    ladder = [r["id"] for r in facts["ladder"]]
    ev = events
    n = len(runs)
    row = pd.Index(runs["run"]).get_indexer(ev["run"])
    source, target, names = actor_codes(ev["source"], ev["target"])
    in_states = np.array([a in states for a in names])
    in_patrons = np.array([a in patrons for a in names])
    mid = ev["mid_level"].to_numpy()
    rung = ev["rung"].to_numpy().astype(np.int64)
    force, war = mid >= USE_OF_FORCE, mid >= WAR
    states_both = in_states[source] & in_states[target]

    def any_per_run(mask: np.ndarray | pd.Series) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[row[np.asarray(mask, dtype=bool)]] = True
        return out

    def max_per_run(values: np.ndarray, empty: int) -> np.ndarray:
        out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(out, row, values.astype(np.int64))
        out[out == np.iinfo(np.int64).min] = empty  # a run nobody acted in
        return out

    # The columns gathered, then joined to the runs at once: a frame's column set one at a time cost about half of
    # a chunk's outcomes. (No outcome a scenario names may take a general outcome's name or a run column's.)
    cols: dict[str, np.ndarray] = {}
    cols["peak_rung"] = np.array([*ladder, None], dtype=object)[max_per_run(rung, -1)]  # null: nobody acted
    cols["peak_mid"] = max_per_run(mid, 0)
    cols["attacks"] = np.bincount(row[force], minlength=n).astype(np.int64)
    # pandas' grouped sum (compensated), so that deaths are the same to the last bit however the rows are held
    deaths = pd.Series(ev["casualties"].to_numpy()).groupby(row).sum()
    cols["deaths"] = deaths.reindex(np.arange(n), fill_value=0.0).to_numpy()
    cols["war"] = any_per_run(war)
    cols["interstate_war"] = any_per_run(war & states_both)
    cols["state_clash"] = any_per_run(force & states_both)
    cols["patron_uses_force"] = any_per_run(force & in_patrons[source])
    cols["patron_struck"] = any_per_run(force & in_patrons[target])
    # more than one pair of actors (either way round) at war
    a = np.minimum(source[war], target[war]).astype(np.int64)
    b = np.maximum(source[war], target[war]).astype(np.int64)
    k = len(names) + 1
    pairs = np.unique((row[war] * k + a + 1) * k + b + 1)
    cols["war_spreads"] = np.bincount(pairs // (k * k), minlength=n)[:n] > 1
    for o in defined:
        cols[o.name] = any_per_run(matching(ev, o.when, ladder))
    return pd.concat([runs.reset_index(drop=True), pd.DataFrame(cols)], axis=1)


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


NOBODY_ACTED = "none (nobody acted)"


def peak_distribution(runs: pd.DataFrame, ladder: list[str]) -> pd.Series:
    """Share of runs whose highest rung is each rung of the ladder, and last (NOBODY_ACTED) of those in which no
    one acted at all: the shares add up to 1."""
    counts = runs["peak_rung"].value_counts()
    n = max(1, len(runs))
    shares = [counts.get(r, 0) / n for r in ladder] + [int(runs["peak_rung"].isna().sum()) / n]
    return pd.Series(shares, index=[*ladder, NOBODY_ACTED])
