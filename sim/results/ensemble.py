"""Ensembles in one call: run a scenario many times and get Results, or stream them to a results folder.

from redline import load_scenario, run_ensemble
scn = load_scenario("scenarios/axis-2023.yaml", ["actors.iran.cost_sensitivity=0.5"])
res = run_ensemble(scn, runs=200, seed=1)
res.runs.mean(numeric_only=True)

`stream_ensemble` writes a results folder (tables, manifest, and what a front end adds) as the runs finish, holding
only the runs table and aggregates in memory: for ensembles too large to hold. `redline.write_ensemble`
(redline.frontends.plotfiles) is the folder `redline run` writes: this one, with summary.md and the plots.
"""

from __future__ import annotations

import functools
import json
import numbers
import platform
from collections.abc import Callable
from concurrent.futures import Executor
from importlib import metadata
from pathlib import Path
from typing import Any

from redline.engine.executors import on_this_machine
from redline.engine.runner import chunks_of, idle_workers, run_chunks, run_seeds
from redline.language.spec import Scenario
from redline.results.store import Digest, Results, scenario_facts, today, write_folder


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("redline", "mesa", "numpy", "pandas", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def _whole(value: object) -> bool:
    """A whole number, as numpy's integers are too; not True or False, which Python counts as 1 and 0."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check(runs: int, seed: int, workers: int | None, scenario: Any = None, executor: Any = None) -> None:
    """The arguments of an ensemble, refused with what was wrong before any run starts (a notebook's typo,
    such as runs=2.5 or workers=0, would otherwise surface as an error from deep inside the runner, or be taken
    for another value)."""
    if scenario is not None and not isinstance(scenario, Scenario):
        raise TypeError(
            f"an ensemble runs a Scenario, as load_scenario(...) makes it; got {type(scenario).__name__}"
            + (f": load_scenario({scenario!r}) first" if isinstance(scenario, str) else "")
        )
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(
            "executor is a concurrent.futures.Executor or a dask.distributed Client (one with submit()); got "
            f"{type(executor).__name__}"
        )
    if not _whole(runs) or runs < 1:
        raise ValueError(f"runs must be a whole number of at least 1, got {runs!r}")
    if not _whole(seed) or not 0 <= seed < 2**63:
        # the command line's bounds: an ensemble run from Python can be made again with `redline run --seed`
        raise ValueError(f"seed must be a whole number from 0 to 2**63-1, got {seed!r}")
    if workers is not None and (not _whole(workers) or workers < 1):
        raise ValueError(
            f"workers must be a whole number of at least 1, or None for one per core; got {workers!r}"
        )


def _manifest(scenario: Scenario, runs: int, seed: int, source: dict | None, started: str) -> dict[str, Any]:
    """The manifest of an ensemble: `source` (the file, hash, overrides and injects), or, if not given, where
    load_scenario read the scenario from."""
    from redline.language.scenario import source_of

    source = source if source is not None else source_of(scenario)
    return {
        "scenario": {**scenario_facts(scenario), "name": scenario.scenario, **(source or {})},
        "root_seed": seed,
        "runs": runs,
        "seeds": "run r uses numpy.random.SeedSequence(root_seed, spawn_key=(r,)); its 63-bit form is in runs.seed",
        "versions": versions(),
        "started": started,
        "finished": today(),
    }


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
    """Run `scenario` (as load_scenario makes it) `runs` times from root seed `seed` and keep every table in
    memory (for more runs than memory holds, write_ensemble streams them to a folder).

    Run r is seeded with child r of numpy's SeedSequence(seed): the same scenario and seed give the same tables
    whatever runs them. The runs go in chunks of 50 to `workers` processes of this machine (None: one per core;
    1, or 50 runs or fewer: this process), or to `executor` (a concurrent.futures Executor or a Dask Client).
    `progress`: a progress bar on stderr (None: only where stderr is a terminal). `source` (file, hash,
    overrides) goes to the manifest; by default, where load_scenario read the scenario from."""
    from redline.engine.aggregates import combine
    from redline.results.parts import chunk_work

    _check(runs, seed, workers, scenario, executor)
    started = today()
    work = functools.partial(chunk_work, frames=True)
    outs = run_chunks(scenario, list(range(runs)), run_seeds(seed, runs), executor=executor, workers=workers,
                      progress=progress, work=work)  # fmt: skip
    manifest = _manifest(scenario, runs, seed, source, started)
    parts = [{**(o.tables or {}), "runs": o.runs} for o in outs]
    return Results.joined(parts, manifest, combine([o.aggregates for o in outs]))


# What a front end adds to a streamed folder before it is published: (the Digest, the folder being filled, the
# runs' workers, idle now, or None).
Extras = Callable[[Digest, Path, Executor | None], None]


def stream_ensemble(
    scenario: Scenario,
    runs: int,
    seed: int,
    out,
    *,
    fmt: str = "parquet",
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = False,
    source: dict | None = None,
    force: bool = False,
    extras: Extras | None = None,
    extra_jobs: int = 1,
    prepare: Callable[[], Any] | None = None,
) -> Digest:
    """Run `scenario` `runs` times into the results folder `out` (a path, or a FolderOutput a command has entered),
    streaming each chunk's rows to disk as it finishes; `extras` adds its files (summary.md and plots, for
    `redline run`) to the folder before it is published, with the runs' workers, idle by then, or a pool started for
    its `extra_jobs` jobs where the runs were made here (runner.idle_workers); `prepare()`, if given, is sent to workers
    as they run out of chunks, for the extras (runner.run_tasks' `then`). The tables are those
    `run_ensemble(...).save(out)` writes, whatever the number of workers."""
    from redline.results.parts import Joiner, chunk_work, writer_threads
    from redline.results.store import check_format

    _check(runs, seed, workers, scenario, executor)
    check_format(fmt)
    started = today()
    facts = scenario_facts(scenario)
    digest: list[Digest] = []

    def fill(tmp: Path) -> None:
        ids = list(range(runs))
        firsts = [int(c[0]) for c in chunks_of(ids)]
        # One thread appends the chunks' parts to the tables while this one takes in the next (in order: one).
        joiner = Joiner(tmp, fmt, firsts, facts, writer_threads(workers, len(firsts), executor, 1))
        # Workers on this machine write their parts; a remote cluster's hand their tables back.
        work = functools.partial(chunk_work, folder=str(joiner.parts) if on_this_machine(executor) else None)
        try:
            run_chunks(scenario, ids, run_seeds(seed, runs), executor=executor, workers=workers,
                       progress=progress, work=work, on_done=joiner.add,
                       then=prepare if on_this_machine(executor) else None)  # fmt: skip
            table, aggregates = joiner.close()
        except BaseException:
            joiner.abandon()
            raise
        manifest = {**_manifest(scenario, runs, seed, source, started), "format": fmt}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        digest.append(Digest(table, manifest, aggregates))
        if extras is not None:
            # The pool the runs took, if any, is handed on: its workers are idle now.
            with idle_workers(workers, len(joiner.firsts), executor, jobs=extra_jobs) as pool:
                extras(digest[0], tmp, pool)

    write_folder(out, fill, force=force)
    return digest[0]
