"""redline's speed and scaling figures, each next to its target. Run with `make bench` (or python benchmarks/bench.py).

1. One flagship run against a run of Mesa's own BoltzmannWealth example with as many agents and steps, measured
   side by side in this process (alternating, medians): at most 2 times.
2. Cost per actor-step of a world 32 times larger (32 disjoint copies of the flagship) against the flagship's:
   at most 1.5 times (cost grows with relations, not with the square of actors).
3. A 1000-run flagship ensemble with 2 worker processes: at most 15 seconds.
4. 10^6 event rows written to Parquet and read back, in a fresh process: at most 500 MB peak memory.

Exit status 1 if a target is missed. Figures depend on the machine: quote medians, and compare on one machine.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth  # noqa: E402
from worlds import copies  # noqa: E402

from redline import load_scenario, run_ensemble  # noqa: E402
from redline.model import EscalationModel  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"


def timed(fn, *args) -> float:
    gc.collect()  # each run starts from a swept heap, so that no run pays for the garbage of the one before
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


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


def per_actor_step(k: int = 32, repeats: int = 25) -> tuple[float, float]:
    small = load_scenario(FLAGSHIP)
    big = copies(small, k)
    steps = small.time.steps
    a, b = [], []
    for seed in range(repeats):
        a.append(timed(lambda s: EscalationModel(small, rng=s).run(), seed) / (len(small.actors) * steps))
        b.append(timed(lambda s: EscalationModel(big, rng=s).run(), seed) / (len(big.actors) * steps))
    return statistics.median(a), statistics.median(b)


def ensemble(runs: int = 1000, workers: int = 2) -> float:
    scn = load_scenario(FLAGSHIP)
    return timed(lambda: run_ensemble(scn, runs=runs, seed=1, workers=workers))


MILLION = r"""
import numpy as np, tempfile
from pathlib import Path
from redline import load_scenario, run_ensemble
from redline.results import read_table, write_table
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


def main() -> int:
    rows = []
    flag, boltz = one_run_vs_boltzmann()
    rows.append(
        (
            "one flagship run / BoltzmannWealth run (10 agents, 26 steps)",
            flag / boltz,
            2.0,
            "x",
            f"{flag * 1e3:.1f} ms vs {boltz * 1e3:.1f} ms",
        )
    )
    small, big = per_actor_step()
    rows.append(
        (
            "cost per actor-step, 32x world / flagship",
            big / small,
            1.5,
            "x",
            f"{big * 1e6:.1f} us vs {small * 1e6:.1f} us",
        )
    )
    t = ensemble()
    rows.append(("1000-run flagship ensemble, 2 workers", t, 15.0, "s", ""))
    mb = million_rows()
    rows.append(("10^6 event rows written and read back, peak memory", mb, 500.0, "MB", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>8}  {'target':>8}  verdict")
    failed = 0
    for name, value, target, unit, detail in rows:
        ok = value <= target
        failed += not ok
        print(
            f"{name:<{width}}  {value:>7.2f}{unit:<2} {'<= ' + format(target, 'g') + unit:>9}  "
            f"{'PASS' if ok else 'FAIL'}  {detail}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
