"""redline's speed, scaling and memory figures, each next to its target. Run with `make bench` (all figures) or
`python benchmarks/bench.py --only NAME[,NAME]` (one or a few; `--list` names them).

  one-run       one flagship run / one run of Mesa's BoltzmannWealth with as many agents and steps, alternating
                in this process, median of 300 pairs: at most 2 x (issue 11) and at most 1 x (issue 14)
  scaling       cost per actor-step of a world 32 times larger (32 disjoint copies of the flagship) / the
                flagship's, median of 25: at most 1.5 x
  ensemble      a 1000-run flagship ensemble with 2 worker processes, in this process, median of 3: at most 15 s
  million-rows  10^6 event rows written to Parquet and read back in a fresh process, its peak memory: <= 500 MB
  cli           `redline run axis-2023 --runs 1000 --workers 2`, the whole command as a user types it (start-up,
                runs, tables, summary, plots), median of 5: at most 4 s
  memory        peak memory of `redline run --runs 10000` and `--runs 50000` (2 workers): the parent at most
                1 GB, each worker at most 300 MB
  sweep         `redline sweep` of 10 parameters, Sobol design, 256 samples, 10 replications a point: seconds and
                runs per second (no target beyond finishing)
  parent        the CPU that the process running `redline run` (and `redline sweep`) spends per run while 2
                workers make the runs, from two sizes: reported (it bounds the runs/s of any number of workers)
  dask          `redline run --runs 5000 --workers 2` on a local Dask cluster / the same on local processes,
                in pairs, median of 5 pairs' ratios: at most 1.1 x (skipped without the `dask` extra)

--quick takes fewer repeats (1 instead of 3, 60 pairs instead of 300, ...). --scale F multiplies the sizes of the
cli, memory, sweep and dask figures by F, to try them out quickly; a scaled figure is not judged. Progress lines go
to stderr as figures finish. On Linux a command past 3 times a memory target (3 GB in the parent, 900 MB in a
worker) is stopped, and its figure fails. Exit status 1 if a target is missed. Figures depend on the machine: quote
medians, and compare on one machine. Before any figure, redline's modules are compiled to bytecode, as an installed
package's are, so that no command timed compiles them as it starts.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import importlib.util
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth  # noqa: E402
from worlds import copies  # noqa: E402

from redline import load_scenario, run_ensemble  # noqa: E402
from redline.engine.model import EscalationModel  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
WORKERS = 2
PARENT_MB, WORKER_MB = 1000.0, 300.0  # the memory figure's targets
# A command past this many times a target is stopped: it has failed already, and it must not starve the machine.
STOP_AT = 3
SIZES = (10_000, 50_000)

# The flagship's ten levers (`redline levers axis-2023`), each over its range: the sweep figure's parameters.
SWEEP_PARAMS = [
    "actors.iran.cost_sensitivity=0:1",
    "relations.supports:iran:iraqi_militias.control=0:1",
    "actors.usa.doctrine.red_lines.audience_cost=0:6",
    "relations.attributes:usa:iran.probability=0:1",
    "actors.hezbollah.autonomy=0:1",
    "behaviour.mood_sd=0:1",
    "relations.back_channel:usa:iran.level=0:1",
    "actors.iran.doctrine.pressure.fear_threshold=0.3:1",
    "actors.iraqi_militias.doctrine.campaign.per_day.usa=0.4:2.6",
    "behaviour.stakes=0.25:4",
]


@dataclasses.dataclass
class Row:
    name: str
    value: float | None  # None: skipped
    target: float | None  # None: reported, not judged
    unit: str
    detail: str = ""
    scaled: bool = False
    unfinished: bool = False  # stopped before the end: failed, whatever the value reached

    @property
    def verdict(self) -> str:
        if self.unfinished:
            return "FAIL"
        if self.value is None:
            return "SKIP"
        if self.target is None:
            return "-"
        if self.scaled:
            return "scaled"
        return "PASS" if self.value <= self.target else "FAIL"


@dataclasses.dataclass(frozen=True)
class Settings:
    quick: bool
    scale: float

    def repeats(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full

    def size(self, n: int) -> int:
        return max(WORKERS, round(n * self.scale))

    @property
    def scaled(self) -> bool:
        return self.scale != 1


def timed(fn, *args) -> float:
    gc.collect()  # each run starts from a swept heap, so that no run pays for the garbage of the one before
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- the figures measured in this process ---------------------------------------------------------------------


def one_run_vs_boltzmann(repeats: int = 300) -> tuple[float, float]:
    scn = load_scenario(FLAGSHIP)
    steps, n = scn.time.steps, len(scn.actors)

    def flagship(seed: int) -> None:
        EscalationModel(scn, rng=seed).run()

    def boltzmann(seed: int) -> None:
        m = BoltzmannWealth(BoltzmannScenario(n=n, width=10, height=10, rng=seed))
        for _ in range(steps):
            m.step()

    a, b = [], []
    for seed in range(repeats):  # alternate, so that a drift in the machine's speed touches both alike
        a.append(timed(flagship, seed))
        b.append(timed(boltzmann, seed))
    return statistics.median(a), statistics.median(b)


# The same pairs in a fresh process that runs every compiled module from its source (redline.builds), as JSON.
ONE_RUN_AS_PYTHON = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import bench
print(json.dumps([*bench.one_run_vs_boltzmann(int(sys.argv[2])), bench.compiled_modules()]))
"""


def compiled_modules() -> list[str]:
    """The modules of redline that run compiled in this process (setup.py), by their last name."""
    from redline.builds import compiled

    return [name.rsplit(".", 1)[1] for name in compiled()]


def per_actor_step(k: int = 32, repeats: int = 25) -> tuple[float, float]:
    small = load_scenario(FLAGSHIP)
    big = copies(small, k)
    steps = small.time.steps
    a, b = [], []
    for seed in range(repeats):
        a.append(timed(lambda s: EscalationModel(small, rng=s).run(), seed) / (len(small.actors) * steps))
        b.append(timed(lambda s: EscalationModel(big, rng=s).run(), seed) / (len(big.actors) * steps))
    return statistics.median(a), statistics.median(b)


def ensemble(runs: int = 1000, workers: int = WORKERS) -> float:
    scn = load_scenario(FLAGSHIP)
    return timed(lambda: run_ensemble(scn, runs=runs, seed=1, workers=workers))


MILLION = r"""
import numpy as np, tempfile
from pathlib import Path
from redline import load_scenario, run_ensemble
from redline.results.store import read_table, write_table
sample = run_ensemble(load_scenario(sys.argv[1]), runs=20, seed=1, workers=1).events
n = 1_000_000
idx = np.resize(np.arange(len(sample)), n)  # a million rows taken from a real sample, with its column types
big = sample.take(idx).reset_index(drop=True)
big["run"] = np.arange(n) // len(sample)
del sample
path = Path(tempfile.mkdtemp()) / "events.parquet"
write_table(big, path, "parquet")
del big
back = read_table(path, "parquet")
assert len(back) == n
try:  # Linux: the peak of this program alone; ru_maxrss also keeps the peak of the parent it was forked from
    hwm = [x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM:")]
    print(int(hwm[0].split()[1]) / 1024)
except (OSError, IndexError):
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * (1024 if sys.platform == "darwin" else 1)))
"""


def million_rows() -> float:
    """Peak resident memory (MB) of a fresh process that writes and reads back 10^6 event rows, as the process
    itself reports it (the children's figure would include the worker processes of the ensemble above)."""
    r = subprocess.run(
        [sys.executable, "-c", "import sys\n" + MILLION, str(FLAGSHIP)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return float(r.stdout.split()[-1])


# --- the figures of whole commands, in fresh processes ------------------------------------------------------


def redline_command() -> list[str]:
    """The `redline` command of this Python's environment, as a user runs it."""
    script = Path(sys.executable).with_name("redline")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from redline.frontends.cli import main; sys.exit(main())"]


class Stopped(Exception):
    """A command stopped by the bench for taking too much memory."""

    def __init__(self, parent: float, workers: list[float], elapsed: float):
        super().__init__(f"stopped after {elapsed:.0f} s, past {STOP_AT} x a memory target")
        self.parent, self.workers, self.elapsed = parent, workers, elapsed


def watched(cmd: list[str], parent_cap: float, worker_cap: float) -> tuple[str, str, float]:
    """Run `cmd` (it must succeed) and return its stdout, stderr and wall time. On Linux its memory is watched:
    past a cap, it is stopped with its workers (Stopped), rather than let it take the machine's memory."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so that stopping it stops its workers too
    )
    watch = Path("/proc").is_dir()
    while proc.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        if not watch or proc.returncode is not None:
            continue
        parent = _proc_mb(proc.pid, "VmRSS") or 0.0
        workers = [m for c in _children_of(proc.pid) if (m := _proc_mb(c, "VmRSS")) is not None]
        if parent > parent_cap or max(workers, default=0.0) > worker_cap:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise Stopped(parent, workers, time.perf_counter() - t)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-3:])[:80]} ...: exit {proc.returncode}: {stderr.strip()[-400:]}")
    return stdout, stderr, elapsed


def run_command(args: list[str]) -> float:
    """Seconds of wall time for one `redline ...` command, which must succeed."""
    return watched([*redline_command(), *args], STOP_AT * PARENT_MB, STOP_AT * WORKER_MB)[2]


def run_args(runs: int, out: Path, *extra: str) -> list[str]:
    head = ["run", "axis-2023", "--runs", str(runs), "--workers", str(WORKERS), "--seed", "1", "--quiet"]
    return [*head, "--out", str(out), "--force", *extra]


# A fresh process that runs the CLI in-process and prints its own peak and its workers' peaks, as JSON. On Linux
# each worker's peak is its VmHWM, read while the pool is still alive (redline keeps it for the next ensemble);
# elsewhere, the largest peak of the children once the pool is shut down (ru_maxrss of RUSAGE_CHILDREN).
MEMORY = r"""
import json, os, resource, sys
from pathlib import Path
from redline.frontends.cli import main

def hwm_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None

def descendants(root):
    if not Path("/proc").is_dir():
        return []
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out += kids
        todo += kids
    return out

rc = main(sys.argv[1:])
workers = [m for m in (hwm_mb(p) for p in descendants(os.getpid())) if m is not None]
from redline.engine import runner
pool = getattr(runner, "_POOL", None)
if pool:
    pool[0].shutdown(wait=True)  # reaped, so that the children's figure below holds them
unit = 1024 * 1024 if sys.platform == "darwin" else 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / unit
parent = hwm_mb("self") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
print(json.dumps({"rc": rc, "parent": parent, "workers": workers, "children": children}))
"""


def _proc_mb(pid: int, field: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _children_of(pid: int) -> list[int]:
    try:
        return [
            int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()
        ]
    except (OSError, ValueError):
        return []


def peak_memory(runs: int, out: Path) -> dict:
    """The peaks the memory wrapper reports; if it was stopped, the resident memory it had reached."""
    try:
        stdout, _, _ = watched(
            [sys.executable, "-c", MEMORY, *run_args(runs, out)], STOP_AT * PARENT_MB, STOP_AT * WORKER_MB
        )
    except Stopped as e:
        return {"parent": e.parent, "workers": e.workers, "children": 0.0, "stopped": True}
    got = json.loads(stdout.strip().splitlines()[-1])
    if got["rc"] != 0:
        raise RuntimeError(f"redline run --runs {runs}: exit {got['rc']}")
    return got


# --- the rows -------------------------------------------------------------------------------------------------


def rows_one_run(s: Settings, tmp: Path) -> list[Row]:
    n = s.repeats(300, 60)
    flag, boltz = one_run_vs_boltzmann(n)
    built = compiled_modules()
    how = f"compiled: {', '.join(built)}" if built else "nothing compiled"
    detail = f"{flag * 1e3:.1f} ms vs {boltz * 1e3:.1f} ms, median of {n} pairs; {how}"
    name = "one flagship run / BoltzmannWealth run (10 agents, 26 steps)"
    rows = [Row(name, flag / boltz, 2.0, "x", detail), Row(name, flag / boltz, 1.0, "x", "the same figure")]
    if built:  # what the same run costs as Python alone, for comparison
        env = {**os.environ, "REDLINE_PURE_PYTHON": "1"}
        child = [sys.executable, "-c", ONE_RUN_AS_PYTHON, str(HERE), str(n)]
        out = subprocess.run(child, capture_output=True, text=True, env=env, check=True, timeout=1800).stdout
        python, boltz_there, still_compiled = json.loads(out)
        if still_compiled:  # the row would not be what it says
            raise RuntimeError(f"REDLINE_PURE_PYTHON=1 still ran {', '.join(still_compiled)} compiled")
        detail = (
            f"{python * 1e3:.1f} ms vs {boltz_there * 1e3:.1f} ms, median of {n} pairs, in a fresh process"
        )
        name = "the same, every module as Python (REDLINE_PURE_PYTHON=1)"
        rows.append(Row(name, python / boltz_there, None, "x", detail))
    return rows


def rows_scaling(s: Settings, tmp: Path) -> list[Row]:
    n = s.repeats(25, 8)
    small, big = per_actor_step(repeats=n)
    detail = f"{big * 1e6:.1f} us vs {small * 1e6:.1f} us, median of {n}"
    return [Row("cost per actor-step, 32x world / flagship", big / small, 1.5, "x", detail)]


def rows_ensemble(s: Settings, tmp: Path) -> list[Row]:
    n = s.repeats(3)
    t = statistics.median(ensemble() for _ in range(n))
    return [Row("1000-run flagship ensemble, 2 workers, in-process", t, 15.0, "s", f"median of {n}")]


def rows_million(s: Settings, tmp: Path) -> list[Row]:
    return [Row("10^6 event rows written and read back, peak memory", million_rows(), 500.0, "MB", "")]


def rows_cli(s: Settings, tmp: Path) -> list[Row]:
    # Five, not three: the figure sits near its target, and a shared machine's speed drifts by a tenth or more
    # within minutes; the median of five lets two slow (or fast) runs by without moving it.
    n, runs = s.repeats(5), s.size(1000)
    times = [run_command(run_args(runs, tmp / "cli")) for _ in range(n)]
    t = statistics.median(times)
    detail = f"median of {n} ({min(times):.2f}-{max(times):.2f} s), {runs / t:.0f} runs/s"
    return [Row(f"redline run axis-2023 --runs {runs} --workers 2, whole", t, 4.0, "s", detail, s.scaled)]


def rows_memory(s: Settings, tmp: Path) -> list[Row]:
    out = []
    for size in SIZES:
        runs = s.size(size)
        t = time.perf_counter()
        got = peak_memory(runs, tmp / "memory")
        took = time.perf_counter() - t
        progress(f"memory of {runs:,} runs measured ({took:.0f} s)")
        worker = max(got["workers"]) if got["workers"] else got["children"]
        if got.get("stopped"):
            note = f"stopped after {took:.0f} s, past {STOP_AT} x a target: resident memory then"
            details = (note, note)
        else:
            how = "VmHWM" if got["workers"] else "children's ru_maxrss"
            n = len(got["workers"]) or WORKERS
            details = (
                f"{took:.0f} s",
                f"largest of {n} ({how}); children's ru_maxrss {got['children']:.0f} MB",
            )
        name = f"redline run --runs {runs:,}"
        out += [
            Row(
                f"{name}: parent peak", got["parent"], PARENT_MB, "MB", details[0], s.scaled, "stopped" in got
            ),
            Row(f"{name}: peak per worker", worker, WORKER_MB, "MB", details[1], s.scaled, "stopped" in got),
        ]
    return out


def rows_sweep(s: Settings, tmp: Path) -> list[Row]:
    samples = 2 ** max(1, round(math.log2(256 * s.scale)))  # Sobol samples are best a power of 2
    reps = 10
    points = samples * (len(SWEEP_PARAMS) + 2)  # Saltelli's scheme without second-order indices: N (D + 2)
    t = run_command(sweep_args(samples, reps, tmp / "sweep"))
    runs = points * reps
    name = f"redline sweep, Sobol, 10 parameters, {points:,} points x {reps} runs"
    return [Row(name, t, None, "s", f"{runs / t:.0f} runs/s ({runs:,} runs)", s.scaled)]


# A fresh process that runs one `redline` command in-process and prints its exit status, the CPU seconds it used
# itself (RUSAGE_SELF: this process and its threads, not the worker processes that made the runs), and those of its
# main thread alone (its other threads are the pool's, and a sweep's writers, which run beside it).
PARENT_CPU = r"""
import resource, sys, time
from redline.frontends.cli import main
rc = main(sys.argv[1:])
main_thread = time.thread_time()
r = resource.getrusage(resource.RUSAGE_SELF)
print(rc, r.ru_utime + r.ru_stime, main_thread)
"""


def parent_cpu(args: list[str]) -> tuple[float, float]:
    """CPU seconds that the process running `redline ARGS` spends itself, its workers' left out: in all, and in
    its main thread."""
    out = subprocess.run(
        [sys.executable, "-c", PARENT_CPU, *args], check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout
    rc, cpu, main_thread = out.split()[-3:]
    if int(rc) != 0:
        raise RuntimeError(f"redline {' '.join(args[:2])}: exit {rc}")
    return float(cpu), float(main_thread)


def sweep_args(samples: int, reps: int, out: Path, *extra: str) -> list[str]:
    args = ["sweep", "axis-2023", "--design", "sobol", "--samples", str(samples), "--runs", str(reps)]
    args += [a for p in SWEEP_PARAMS for a in ("--param", p)]
    return [*args, "--workers", str(WORKERS), "--seed", "1", "--quiet", "--out", str(out), "--force", *extra]


def rows_parent(s: Settings, tmp: Path) -> list[Row]:
    """What the process running a command spends on each run while its workers make them (receiving a chunk,
    joining its parts into the tables, summing its aggregates; for a sweep, also building each point's scenario
    and splitting each chunk into the dataset's files, in writer threads): work that does not spread over the
    workers, so it bounds the runs a second that any number of workers can deliver through one command. The
    difference between two sizes, so that start-up cancels out; plots left out (--no-plots)."""
    low = 2 ** max(1, round(math.log2(16 * s.scale)))  # Sobol samples are best a power of 2
    reps, samples = 10, (low, 2 * low)
    runs = [s.size(1000), s.size(3000)]
    measured = {
        "run": (runs, [run_args(n, tmp / "parent-run", "--no-plots") for n in runs]),
        "sweep": (
            [n * (len(SWEEP_PARAMS) + 2) * reps for n in samples],
            [sweep_args(n, reps, tmp / "parent-sweep", "--no-plots") for n in samples],
        ),
    }
    rows = []
    n = s.repeats(3)
    for command, (sizes, args) in measured.items():
        # Medians of a few at each size: a `run`'s main thread spends a few hundredths of a millisecond a run, and
        # one measurement at each size could give it a difference below zero.
        (all0, main0), (all1, main1) = (
            tuple(statistics.median(x) for x in zip(*(parent_cpu(a) for _ in range(n)), strict=True))
            for a in args
        )
        per_run, per_run_main = ((b - a) / (sizes[1] - sizes[0]) for a, b in ((all0, all1), (main0, main1)))
        # All of it bounds the runs a second where no core is free for the other threads; the main thread's alone
        # where cores are, but for what of the other threads' work holds the interpreter's lock.
        if per_run_main > 0:
            main = f"{per_run_main * 1e3:.2f} ms in the main thread, {(per_run - per_run_main) * 1e3:.2f} ms in others"
            bound = f"{1 / per_run:,.0f} to {1 / per_run_main:,.0f} runs/s"
        else:
            main = "the main thread's share too small to tell from the noise, the rest in others"
            bound = f"{1 / per_run:,.0f} runs/s or more"
        detail = (
            f"{main} (the pool's, the writers'): {bound} through one command at most; medians of {n}: "
            f"{all0:.2f} s at {sizes[0]:,} runs, {all1:.2f} s at {sizes[1]:,}"
        )
        name = f"redline {command}: the parent's CPU per run (2 workers)"
        rows.append(Row(name, per_run * 1e3, None, "ms", detail, s.scaled))
    return rows


def rows_dask(s: Settings, tmp: Path) -> list[Row]:
    name = "5000 runs, local Dask cluster / local processes (2 workers)"
    if importlib.util.find_spec("distributed") is None:
        return [Row(name, None, 1.1, "x", "SKIP: Dask is not installed: pip install 'redline[dask]'")]
    # Five pairs, not three: the ratio sits near its target, and one pair's ratio moved from 1.05 to 1.13 within a
    # morning; the median of five lets two outlying pairs by without moving it.
    runs, n = s.size(5000), s.repeats(5)
    name = name.replace("5000", f"{runs}")
    dask, local = [], []
    # In pairs, one right after the other: a drift in the machine's speed touches both alike.
    for _ in range(n):
        local.append(run_command(run_args(runs, tmp / "local")))
        dask.append(run_command(run_args(runs, tmp / "dask", "--executor", "dask")))
    # The median of the pairs' ratios: this machine's speed moves by a fifth from one minute to the next, and a
    # ratio of two medians can pair a slow minute of one with a fast minute of the other.
    ratios = [d / loc for d, loc in zip(dask, local, strict=True)]
    d, loc = statistics.median(dask), statistics.median(local)
    detail = (
        f"median of {n} pairs ({min(ratios):.2f}-{max(ratios):.2f} x); {d:.1f} s vs {loc:.1f} s, medians; "
        f"Dask {runs / d:.0f} runs/s, {runs / d / WORKERS:.0f} per worker, whole command"
    )
    return [Row(name, statistics.median(ratios), 1.1, "x", detail, s.scaled)]


ROWS: dict[str, Callable[[Settings, Path], list[Row]]] = {
    "one-run": rows_one_run,
    "scaling": rows_scaling,
    "ensemble": rows_ensemble,
    "million-rows": rows_million,
    "cli": rows_cli,
    "memory": rows_memory,
    "sweep": rows_sweep,
    "parent": rows_parent,
    "dask": rows_dask,
}


def print_table(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'figure':<{width}}  {'value':>9}  {'target':>9}  verdict  detail")
    for r in rows:
        value = "-" if r.value is None else f"{r.value:.2f}{r.unit}"
        target = "none" if r.target is None else f"<= {r.target:g}{r.unit}"
        print(f"{r.name:<{width}}  {value:>9}  {target:>9}  {r.verdict:<7}  {r.detail}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="redline's figures, each beside its target (see the README)."
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME[,NAME]", help=f"only these: {', '.join(ROWS)}"
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the sizes of cli, memory, sweep, dask (not judged)"
    )
    parser.add_argument("--list", action="store_true", help="name the figures and stop")
    args = parser.parse_args(argv)
    names = [n.strip() for o in args.only or [] for n in o.split(",") if n.strip()]
    unknown = [n for n in names if n not in ROWS]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from {', '.join(ROWS)}")
    if not 0 < args.scale <= 1:
        parser.error("--scale takes a number in (0, 1]")
    args.names = names or list(ROWS)
    return args


def compile_sources() -> None:
    """redline's modules as bytecode before anything is timed, as an installed package has them (pip compiles what
    it installs; Python writes what it imports). Where bytecode is not written on import (PYTHONDONTWRITEBYTECODE),
    each command timed would otherwise compile them again as it starts, about 0.1 s of its time."""
    import compileall

    for folder in ("sim", "agents"):
        compileall.compile_dir(ROOT / folder, quiet=2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(ROWS))
        return 0
    compile_sources()
    settings = Settings(quick=args.quick, scale=args.scale)
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="redline-bench-"))
    try:
        for name in args.names:
            t = time.perf_counter()
            try:
                got = ROWS[name](settings, tmp)
            except (Stopped, RuntimeError, OSError, ValueError) as e:
                got = [
                    Row(
                        name,
                        None,
                        None,
                        "",
                        f"not measured: {' '.join(str(e).split())[:300]}",
                        unfinished=True,
                    )
                ]
            rows += got
            shown = ", ".join(f"{r.value:.2f}{r.unit}" if r.value is not None else "skipped" for r in got)
            progress(f"{name} done in {time.perf_counter() - t:.0f} s: {shown}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows)
    return 1 if any(r.verdict == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
