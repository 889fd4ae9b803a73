"""Ensembles in one call: run a scenario many times and get Results.

from redline import load_scenario, run_ensemble
scn = load_scenario("scenarios/axis-2023.yaml", ["actors.iran.cost_sensitivity=0.5"])
res = run_ensemble(scn, runs=200, seed=1)
res.runs.mean(numeric_only=True)
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from concurrent.futures import Executor
from importlib import metadata

from redline.language import Scenario
from redline.results import Results, today
from redline.runner import run_chunks, run_seeds


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("redline", "mesa", "numpy", "pandas", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def run_ensemble(
    scenario: Scenario,
    runs: int = 200,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = False,
    source: dict | None = None,
) -> Results:
    """Run `scenario` `runs` times from root seed `seed`. `source` (file, hash, overrides) goes to the manifest."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    if seed < 0:
        raise ValueError("seed must be 0 or more")
    started = today()
    ids: Sequence[int] = range(runs)
    seeds = run_seeds(seed, runs)
    chunks = run_chunks(scenario, list(ids), seeds, executor=executor, workers=workers, progress=progress)
    manifest = {
        "scenario": {"name": scenario.scenario, **(source or {})},
        "root_seed": seed,
        "runs": runs,
        "seeds": "run r uses numpy.random.SeedSequence(root_seed, spawn_key=(r,)); its 63-bit form is in runs.seed",
        "versions": versions(),
        "started": started,
        "finished": today(),
    }
    return Results.from_chunks(scenario, chunks, manifest)
