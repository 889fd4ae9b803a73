"""Parameter sweeps: many points of a scenario's parameter space, replications at each, resumable on disk.

A sweep is an experiments table (EMA Workbench's word; here `points`: one row per point, one column per parameter)
crossed with replications. Replication r uses the same seed at every point (common random numbers), so differences
between points are not luck. The tables are written as chunks of runs finish, as datasets partitioned by point
(redline.results.sweep_store), each file atomically, with a marker per finished chunk: a sweep killed half-way and
started again with `--resume` runs only what is missing, and ends with the same tables as one never interrupted. The
per-point outcomes and sensitivity indices come from the runs table, never from every event row.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.engine.executors import on_this_machine
from redline.engine.runner import run_seeds, run_tasks
from redline.errors import Issue, ScenarioError, SweepError
from redline.language.scenario import (  # noqa: F401  (cli: sw.load_scenario)
    Override,
    canonical,
    load_scenario,
    overlapping,
    parse_scenario,
    scenario_digest,
)
from redline.language.spec import Scenario
from redline.limits import MAX_POINTS, MAX_SWEEP_RUNS
from redline.results import sweep_store as store
from redline.results.outputs import FolderOutput
from redline.results.parts import STREAMED, writer_threads
from redline.results.store import Digest, scenario_facts, write_table
from redline.results.sweep_store import read_sweep_table

CHUNK_RUNS = (
    25  # runs per chunk at most: fixed, so that a resumed sweep cuts its work as the first attempt did
)
DESIGNS = ("grid", "lhs", "sobol", "morris")


def count_points(params: Sequence[Param], design: str, samples: int) -> int:
    """How many points a design makes, known before any is made (a grid's product may not fit in memory)."""
    if design == "grid":
        return math.prod(len(p.values) for p in params)
    return samples * {"lhs": 1, "sobol": len(params) + 2, "morris": len(params) + 1}[design]


def check_size(params: Sequence[Param], design: str, samples: int, runs: int) -> int:
    n = count_points(params, design, samples)
    if n > MAX_POINTS:
        raise SweepError(f"the sweep has {n:,} points; at most {MAX_POINTS:,} (fewer values or --samples)")
    if n * runs > MAX_SWEEP_RUNS:
        raise SweepError(
            f"the sweep has {n * runs:,} runs ({n:,} points x {runs:,}); at most {MAX_SWEEP_RUNS:,}"
        )
    return n


def check_distinct(params: Sequence[Param], scn: Scenario, overrides: Sequence[str] = ()) -> None:
    """Each --param names a different value: the same one twice (or by key and by index) is refused, and so is a
    value that a --set fixes (the --param would win, and the sweep's record would name a value it never used)."""
    seen: dict[tuple, int] = {}
    for n, p in enumerate(params, 1):
        key = canonical(scn, p.path)
        if key in seen:
            raise ScenarioError(
                [Issue("--param", n, p.path, f"the same value as --param {seen[key]}; give each value once")]
            )
        seen[key] = n
    for n, text in enumerate(overrides, 1):
        path = text.partition("=")[0].strip()
        fixed = canonical(scn, path)
        # the value a --param varies, or one that holds it (a --set of a whole doctrine)
        varied = next((v for k, v in seen.items() if k[: len(fixed)] == fixed), None)
        if varied is not None:
            raise ScenarioError(
                [Issue("--set", n, path, f"the value --param {varied} varies; give it with --param alone")]
            )


@dataclass(frozen=True)
class Param:
    path: str
    values: tuple[float, ...] = ()  # grid
    low: float | None = None  # designs
    high: float | None = None


def parse_param(text: str, n: int, design: str) -> Param:
    """`PATH=a,b,c` or `PATH=lo:hi:n` (grid) or `PATH=lo:hi` (lhs, sobol, morris)."""
    where = ("--param", n)
    path, sep, spec = text.partition("=")
    if not sep or not path.strip() or not spec.strip():
        raise ScenarioError([Issue(*where, text[:60], "write --param KEY.PATH=a,b,c or KEY.PATH=lo:hi[:n]")])

    def number(s: str) -> float:
        try:
            if not s.strip().isascii():  # float() also reads other scripts' digits
                raise ValueError(s)
            x = float(s)
        except ValueError:
            raise ScenarioError([Issue(*where, path, f"'{s[:40]}' is not a number")]) from None
        if not math.isfinite(x):
            raise ScenarioError([Issue(*where, path, f"'{s.strip()[:40]}' is not a finite number")])
        return x

    parts = spec.split(":")
    if design == "grid":
        if len(parts) == 3:
            lo, hi, k = number(parts[0]), number(parts[1]), number(parts[2])
            if k < 1 or not float(k).is_integer():
                raise ScenarioError(
                    [Issue(*where, path, "the number of grid values must be a whole number >= 1")]
                )
            if k > MAX_POINTS:
                raise ScenarioError([Issue(*where, path, f"{k:g} grid values; at most {MAX_POINTS:,}")])
            if k == 1 and lo != hi:
                raise ScenarioError(
                    [Issue(*where, path, f"one grid value cannot span {lo:g}:{hi:g}; give n >= 2")]
                )
            # Rounded to 12 significant digits: 0.2:1:5 gives 0.6, not linspace's 0.6000000000000001, so that a
            # point's value reads, and compares, as typed.
            values = tuple(float(f"{v:.12g}") for v in np.linspace(lo, hi, int(k)))
        elif len(parts) == 1:
            if spec.count(",") >= MAX_POINTS:
                raise ScenarioError([Issue(*where, path, f"more than {MAX_POINTS:,} grid values")])
            values = tuple(number(v) for v in spec.split(","))
        else:
            raise ScenarioError([Issue(*where, path, "a grid takes a,b,c or lo:hi:n")])
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ScenarioError([Issue(*where, path, f"the grid value {twice[0]:g} is given twice")])
        return Param(path.strip(), values=values)
    if len(parts) != 2:
        raise ScenarioError([Issue(*where, path, f"the {design} design takes a range lo:hi")])
    lo, hi = number(parts[0]), number(parts[1])
    if not lo < hi:
        raise ScenarioError([Issue(*where, path, f"the range {lo:g}:{hi:g} is empty")])
    return Param(path.strip(), low=lo, high=hi)


def lhs(params: Sequence[Param], samples: int, seed: int) -> np.ndarray:
    """A Latin hypercube: each parameter's range cut into `samples` strata, one point in each, strata shuffled."""
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(2**31,))
    )  # apart from the runs' seeds
    u = rng.permuted(np.tile(np.arange(samples), (len(params), 1)), axis=1).T + rng.random(
        (samples, len(params))
    )
    u /= samples
    lo = np.array([p.low for p in params])
    hi = np.array([p.high for p in params])
    return lo + u * (hi - lo)


def problem(params: Sequence[Param]) -> dict[str, Any]:
    """The parameter space in SALib's form."""
    return {
        "num_vars": len(params),
        "names": [p.path for p in params],
        "bounds": [[p.low, p.high] for p in params],
    }


def design_points(params: Sequence[Param], design: str, samples: int, seed: int) -> np.ndarray:
    if design == "grid":
        return np.array(list(itertools.product(*(p.values for p in params))), dtype=float)
    if design == "lhs":
        return lhs(params, samples, seed)
    try:
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise SweepError(f"the {design} design needs SALib: pip install 'redline[sa]'") from None
    if design == "sobol":
        return sobol_sample.sample(problem(params), samples, calc_second_order=False, seed=seed % 2**32)
    return morris_sample.sample(problem(params), samples, num_levels=4, seed=seed % 2**32)


@dataclass
class Sweep:
    """What a sweep is: the scenario, its points, replications and seed. Written to the manifest; a resume must
    match it exactly."""

    scenario_file: str
    overrides: list[str]
    params: list[Param]
    design: str
    samples: int
    runs: int
    seed: int
    points: np.ndarray = field(repr=False)

    @functools.cached_property
    def identity(self) -> dict[str, Any]:
        """What makes the sweep the one it is, its scenario's hash as of its start (worked out once: it reads the
        files)."""
        return {
            "scenario": self.scenario_file,
            "hash": scenario_digest(self.scenario_file, self.overrides),
            "overrides": self.overrides,
            "design": self.design,
            "samples": self.samples,
            "params": [p.__dict__ for p in self.params],
            "runs_per_point": self.runs,
            "root_seed": self.seed,
            "points": len(self.points),
        }

    def point_overrides(self, point: int) -> list[str | Override]:
        """The overrides of one point, each parameter's named after its --param, so errors blame it."""
        return [
            *self.overrides,
            *(
                Override(p.path, float(v), ("--param", n))
                for n, (p, v) in enumerate(zip(self.params, self.points[point], strict=True), 1)
            ),
        ]

    def overrides_of(self, point: int) -> list[str]:
        return [
            *self.overrides,
            *(f"{p.path}={float(v)!r}" for p, v in zip(self.params, self.points[point], strict=True)),
        ]

    def points_table(self) -> pd.DataFrame:
        df = pd.DataFrame(self.points, columns=[p.path for p in self.params])
        df.insert(0, "point", np.arange(len(df), dtype=np.int64))
        return df


def plan(sweep: Sweep) -> list[list[tuple[int, int]]]:
    """The chunks of (point, replication), in run order, fixed whatever the number of workers. A chunk holds whole
    points (as many as fit in CHUNK_RUNS runs), or a point with more runs than that is cut into several: a point's
    files are few, and a chunk's are few."""
    n, runs = len(sweep.points), sweep.runs
    if runs <= CHUNK_RUNS:
        per = CHUNK_RUNS // runs
        return [[(p, r) for p in range(i, min(i + per, n)) for r in range(runs)] for i in range(0, n, per)]
    return [
        [(p, r) for r in range(i, min(i + CHUNK_RUNS, runs))]
        for p in range(n)
        for i in range(0, runs, CHUNK_RUNS)
    ]


def scenarios_of(sweep: Sweep) -> list[Scenario]:
    """Build every point's scenario before running anything: a bad value fails the sweep at once, not half-way.
    The file (and what it extends) is read and parsed once; each point applies its overrides to that tree."""
    parsed = parse_scenario(sweep.scenario_file)
    for n, p in enumerate(sweep.params, 1):
        # A range's ends first: a value out of bounds is then named as typed, not as a point sampled inside it.
        for end in [] if p.low is None or p.high is None else [p.low, p.high]:
            parsed.build([*sweep.overrides, Override(p.path, float(end), ("--param", n))])
    try:
        scenarios = [parsed.build(sweep.point_overrides(p)) for p in range(len(sweep.points))]
    except ScenarioError as e:
        if sweep.design != "grid":  # a design samples reals: say so of a value that must be whole
            e = ScenarioError(
                [
                    Issue(
                        i.file,
                        i.line,
                        i.path,
                        f"a whole number, which --design {sweep.design} cannot sample (it draws real numbers); "
                        "only a grid (LOW:HIGH:N) may vary it",
                    )
                    if i.file == "--param" and i.message.startswith("expected a whole number")
                    else i
                    for i in e.issues
                ]
            )
        raise e from None
    _check_one_frame(sweep, scenarios)
    return scenarios


# What every point of a sweep must share, as scenario_facts gives it: the tables of all points are laid on one
# period, one ladder and one cast of actors (the dates of the steps, the rungs' codes, the actors' dictionary).
FRAME = {
    "time": "period (its start, step and number of steps)",
    "ladder": "ladder",
    "actors": "actors' kinds, names and codes",
}


def _check_one_frame(sweep: Sweep, scenarios: list[Scenario]) -> None:
    """Refuse a sweep whose points differ in what their tables are laid on, naming the parameters that vary it."""
    first = scenario_facts(scenarios[0])
    for scn in scenarios[1:]:
        facts = scenario_facts(scn)
        for key, what in FRAME.items():
            if facts[key] != first[key]:
                named = [p.path for p in sweep.params if p.path.split(".")[0] == key] or [
                    p.path for p in sweep.params
                ]
                raise SweepError(
                    f"--param {', '.join(named)}: the points would differ in the scenario's {what}; a sweep's "
                    "points share them (run each value with `redline run --set` instead)"
                )


@dataclass(repr=False)
class SweepResults(Digest):
    """What a sweep came to: the runs table (with `point`), the manifest and the aggregates plots read (as a
    streamed ensemble's Digest), the points and per-point outcomes; the partitioned tables are read from `folder`
    when asked for, whole (`events`) or for some points (`table("events", points=[3, 4])`)."""

    folder: Path
    points: pd.DataFrame
    outcomes: pd.DataFrame

    def table(self, name: str, points: Sequence[int] | None = None) -> pd.DataFrame:
        """events, metrics or red_lines of the given points (all by default), in run order, read from disk."""
        return read_sweep_table(self.folder, name, points, self.facts)

    @property
    def events(self) -> pd.DataFrame:
        return self.table("events")

    @property
    def metrics(self) -> pd.DataFrame:
        return self.table("metrics")

    @property
    def red_lines(self) -> pd.DataFrame:
        return self.table("red_lines")


def run_sweep(
    sweep: Sweep,
    folder: str | Path | FolderOutput,
    *,
    resume: bool = False,
    force: bool = False,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    finish: Callable[[SweepResults, Path], None] | None = None,
    scenarios: list[Scenario] | None = None,
) -> SweepResults:
    """Run the sweep into `folder`, chunk by chunk; with `resume`, skip the chunks already finished there.
    `finish(results, tmp)` adds files (plots) to the folder before it is complete. `scenarios` are the points'
    own, if the caller built them already (scenarios_of)."""
    if scenarios is None:
        scenarios = scenarios_of(sweep)  # every input checked before the folder is touched
    out = (
        folder
        if isinstance(folder, FolderOutput)
        else FolderOutput(folder, force=force, resume=resume, command="sweep")
    )
    with out:
        return _run_in(sweep, out, scenarios, resume or out.resume, executor, workers, progress, finish)


def _run_in(sweep, out: FolderOutput, scenarios, resume, executor, workers, progress, finish) -> SweepResults:
    folder = out.path
    manifest_path = folder / "sweep.json"
    identity = json.loads(json.dumps(sweep.identity))
    if resume:
        before = read_sweep_json(out)
        # The scenario is known by its contents (`hash`, over the file and what it extends, with the overrides),
        # not by the path as typed: a sweep resumes from another folder, or with the file for the shipped name.
        diff = sorted(k for k in identity if k != "scenario" and before.get(k) != identity[k])
        # The hash covers the overrides: with the file as it was, only the --set differ, or only their order.
        if set(diff) == {"hash", "overrides"} and _same_file(sweep, before):
            diff = [] if _reordered(sweep, before) else ["overrides"]
        if diff:
            named = ", ".join(IDENTITY_WORDS.get(k, k) for k in diff)
            raise SweepError(
                f"{out.given}: holds a different sweep (differs in {named or 'its keys'}); "
                "resume it with the same scenario, overrides, parameters and seed"
            )
    else:
        out.prepare_in_place()
        (folder / "parts").mkdir()
        tmp = manifest_path.with_name(".sweep.json.partial")
        tmp.write_text(json.dumps(sweep.identity, indent=2) + "\n")
        os.replace(tmp, manifest_path)
    parts = folder / "parts"
    if parts.is_symlink() or (parts.exists() and not parts.is_dir()):
        raise SweepError(f"{parts}: not a folder; this is not a sweep redline can resume")
    parts.mkdir(exist_ok=True)
    if any(parts.glob("events-*.parquet")):
        raise SweepError(
            f"{out.given}: a sweep written by an earlier redline, whose files are laid out otherwise; "
            "--force starts it again"
        )
    (folder / ".sweep.json.partial").unlink(missing_ok=True)

    chunks = plan(sweep)
    seeds = run_seeds(sweep.seed, sweep.runs)
    facts = scenario_facts(scenarios[0])
    done = {k for k, c in enumerate(chunks) if store.finished(folder, k, c)}
    ran: dict[int, store.ChunkOut] = {}  # ran by a killed attempt, not yet written: taken up, not run again
    for k, c in enumerate(chunks):
        taken = None if k in done else store.waiting(folder, k, store.first_run(c, sweep.runs), facts)
        if taken is not None:
            ran[k] = taken
    store.clear_leftovers(folder, [out.first for out in ran.values()])  # half-written by a killed attempt
    tasks = [
        (k, [(p * sweep.runs + r, scenarios[p], seeds[r]) for p, r in c])
        for k, c in enumerate(chunks)
        if k not in done and k not in ran
    ]
    writer = store.Store(folder, chunks, facts, done)
    writer.waiting.update(ran)
    # Workers on this machine write their parts; a remote cluster's hand their tables back.
    work = functools.partial(
        store.chunk_work,
        scn=scenarios[0],
        runs_per_point=sweep.runs,
        folder=str(parts) if on_this_machine(executor) else None,
    )
    try:
        writer.advance()  # the chunks finished before, up to the first to run: here, in turn
        # Then two threads split the chunks into the dataset's files, the heaviest part of taking a chunk in, while
        # this one takes in the next: alone, it would bound the runs a second of any cluster. Not before: the
        # pool's workers are forked only where no other thread runs (runner._context).
        writer.writing = writer_threads(workers, len(tasks), executor, 2)
        run_tasks(
            tasks,
            writer.add,
            executor=executor,
            workers=workers,
            progress=progress,
            total=len(sweep.points) * sweep.runs,
            done=sum(len(chunks[k]) for k in [*done, *ran]),
            work=work,
        )
        runs, aggregates = writer.close()
    finally:
        writer.abandon()
    return _finish(sweep, out, scenarios[0], runs, aggregates, finish)


def _finish(sweep: Sweep, out: FolderOutput, scn: Scenario, runs: pd.DataFrame, aggregates, finish):
    """The runs, points and outcomes tables, the manifest and the plots; the folder is complete once they are."""
    facts = scenario_facts(scn)
    points = sweep.points_table()
    summary = point_summary(runs, facts, scn.checks, points)
    checks = [store.check_column(c.name) for c in scn.checks]
    manifest = {"sweep": sweep.identity, "scenario": facts, "format": "parquet"}
    res = SweepResults(runs.drop(columns=checks), manifest, aggregates, out.path, points, summary)

    def fill(tmp: Path) -> None:
        write_table(res.runs, tmp / "runs.parquet", "parquet")
        write_table(points, tmp / "points.parquet", "parquet")
        write_table(summary, tmp / "outcomes.parquet", "parquet")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        (tmp / "sweep.json").write_text(json.dumps(sweep.identity, indent=2) + "\n")
        if finish is not None:
            finish(res, tmp)

    # The partitioned tables are moved in, not copied; the parts are kept: they are the index of finished runs,
    # for a later --resume. `parts` goes first: a folder cut off half-way without it has them all put back.
    out.write(fill, carry=("parts", *STREAMED), staging="assembling")
    return res


# The keys of a sweep's identity (sweep.json), as a user gave them.
IDENTITY_WORDS = {
    "hash": "the scenario's contents",
    "overrides": "--set",
    "design": "--design",
    "samples": "--samples",
    "params": "--param",
    "runs_per_point": "--runs",
    "root_seed": "--seed",
    "points": "the number of points",
}


def _reordered(sweep: Sweep, before: dict[str, Any]) -> bool:
    """The same --set values as at the sweep's start in another order, each naming a value of its own (so that
    the order changes nothing)."""
    given = before.get("overrides")
    same = isinstance(given, list) and sorted(map(str, given)) == sorted(sweep.overrides)
    return same and overlapping([o.partition("=")[0] for o in sweep.overrides]) is None


def _same_file(sweep: Sweep, before: dict[str, Any]) -> bool:
    """The scenario's files are as at the sweep's start: its hash, worked out with the overrides it had then."""
    given = before.get("overrides")
    return isinstance(given, list) and scenario_digest(
        sweep.scenario_file, [str(o) for o in given]
    ) == before.get("hash")


def read_sweep_json(out: FolderOutput) -> dict[str, Any]:
    path = out.path / "sweep.json"
    if not path.exists():
        raise SweepError(f"{out.given}: nothing to resume (no sweep.json)")
    try:
        if path.stat().st_size > 16 * 1024 * 1024:
            raise ValueError("far too large")
        before = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError) as e:
        raise SweepError(f"{path}: cannot be read ({' '.join(str(e).split())[:120]})") from None
    if not isinstance(before, dict):
        raise SweepError(f"{path}: not a sweep manifest (a JSON object is expected)")
    return before


def point_summary(
    runs: pd.DataFrame, facts: dict[str, Any], checks: Sequence[Any], points: pd.DataFrame
) -> pd.DataFrame:
    """Per point: the probability of each named outcome, the mean attacks and each check's statistic (EMA's
    'outcomes'), from the runs table with each run's check values (columns `check: NAME`, made in the workers)."""
    from redline.results.analysis import named_outcomes
    from redline.results.checks import reduce

    out = points.copy()
    g = runs.groupby("point")
    for o in named_outcomes(facts):
        out[o.name] = g[o.name].mean().reindex(out["point"]).to_numpy()
    for scalar in (
        "attacks",
        "deaths",
        "peak_mid",
    ):  # per run, averaged: EMA's scalar outcomes (frontends.ema)
        out[scalar] = g[scalar].mean().reindex(out["point"]).to_numpy(dtype=np.float64)
    for c in checks:
        col = store.check_column(c.name)
        by_point = dict(iter(g[col]))
        empty = pd.Series([], dtype=np.float64)
        out[col] = [reduce(by_point.get(p, empty).reset_index(drop=True), c.statistic) for p in out["point"]]
    return out


def outcome_names(summary: pd.DataFrame, params: Sequence[Param]) -> list[str]:
    skip = {"point", *(p.path for p in params)}
    return [c for c in summary.columns if c not in skip and summary[c].notna().any()]


def sensitivity(summary: pd.DataFrame, sweep: Sweep) -> pd.DataFrame:
    """Morris (mu*, sigma) or Sobol (S1, ST) indices with 95% intervals, per outcome, via SALib."""
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
    except ImportError:
        raise SweepError("sensitivity indices need SALib: pip install 'redline[sa]'") from None
    prob = problem(sweep.params)
    rows = []
    left_out = []
    skip = {"point", *(p.path for p in sweep.params)}
    for outcome in (c for c in summary.columns if c not in skip):
        y = summary[outcome].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            left_out.append(
                outcome
            )  # an outcome that never varies (or lacks a value) has no indices to speak of
            continue
        if sweep.design == "morris":
            si = morris_analyze.analyze(prob, sweep.points, y, num_levels=4, seed=sweep.seed % 2**32)
            for i, name in enumerate(prob["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "param": name,
                        "index": "mu_star",
                        "value": si["mu_star"][i],
                        "conf": si["mu_star_conf"][i],
                    }
                )
                rows.append(
                    {
                        "outcome": outcome,
                        "param": name,
                        "index": "sigma",
                        "value": si["sigma"][i],
                        "conf": math.nan,
                    }
                )
        else:
            si = sobol_analyze.analyze(prob, y, calc_second_order=False, seed=sweep.seed % 2**32)
            for i, name in enumerate(prob["names"]):
                for idx in ("S1", "ST"):
                    rows.append(
                        {
                            "outcome": outcome,
                            "param": name,
                            "index": idx,
                            "value": si[idx][i],
                            "conf": si[f"{idx}_conf"][i],
                        }
                    )
    table = pd.DataFrame(rows, columns=["outcome", "param", "index", "value", "conf"])
    table.attrs["left_out"] = left_out  # told by the command: an outcome without indices is not forgotten
    return table


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:60]
