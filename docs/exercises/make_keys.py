"""Compute the instructor's keys of the exercises with redline itself, so they never drift from the model.

    python docs/exercises/make_keys.py            # writes docs/exercises/keys.md

Each key uses the same scenario, runs and seed as the exercise's commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim import load_scenario, run_ensemble
from sim.analysis import outcome_table
from sim.compare import compare
from sim.sweep import Sweep, design_points, parse_param, point_summary, run_sweep

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
RATIO = "check: militia attacks in the three weeks after that strike, over the eight weeks before"


def pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def outcome_line(res, name: str) -> str:
    t = outcome_table(res.runs).set_index("outcome").loc[name]
    return f"{pct(t['probability'])} (95% interval {pct(t['ci_low'])} to {pct(t['ci_high'])})"


def exercise1() -> list[str]:
    base = run_ensemble(load_scenario(FLAGSHIP), 100, 7)
    struck = run_ensemble(load_scenario(FLAGSHIP, injects=["2024-02-10:usa:iran:limited_strike"]), 100, 7)
    ev = struck.events
    after = ev[(ev["source"] == "iran") & (ev["date"] > pd.Timestamp("2024-02-10")) & (ev["mid_level"] >= 4)]
    first = after.groupby("run")["date"].min()
    actions = after.groupby("action").size().sort_values(ascending=False)
    return [
        "## Exercise 1: restraint and red lines",
        f"1. Without the inject, `patron_uses_force` is {outcome_line(base, 'patron_uses_force')}: with 100 runs "
        "and none showing it, the data cannot rule out a rate of a few percent, hence the interval.",
        f"2. With the US strike on Iran, `patron_uses_force` is {outcome_line(struck, 'patron_uses_force')}. Iran's "
        f"red line (own territory struck) is crossed; in {first.size} of 100 runs Iran then uses force, first on "
        f"{first.dt.date.mode().iloc[0] if first.size else 'no date'}, most often by "
        f"{actions.index[0].replace('_', ' ') if len(actions) else 'no action'}.",
        "3. `actors.iran.doctrine.restraint.lifted_by` (remove `own_territory_struck`). The model would then no "
        "longer carry the articles' red line (s002.c8, s002.c11): deterrence by threat of a wider war would vanish.",
    ]


def exercise2() -> list[str]:
    a = run_ensemble(load_scenario(FLAGSHIP), 100, 3)
    b = run_ensemble(load_scenario(ROOT / "scenarios" / "axis-2023-perfect-attribution.yaml"), 100, 3)
    c = compare(a, b).table.set_index("measure")
    cut = compare(
        a, run_ensemble(load_scenario(ROOT / "scenarios" / "axis-2023-no-back-channel.yaml"), 100, 3)
    )
    cc = cut.table.set_index("measure")
    force = c[c["kind"] == "uses of force"]["difference"].abs().max()
    us = c.loc["hostile acts by usa"]
    return [
        "## Exercise 2: attribution and blame",
        f"1. Hostile acts by the US change by {us['difference']:+.1f} per run "
        f"(95% interval {us['ci_low']:+.1f} to {us['ci_high']:+.1f});"
        f" no actor's uses of force change by more than {force:.1f} per run.",
        "2. `actors.usa.doctrine.restraint.toward.iran: sanction`: blame raises US grievance toward Iran, but the US "
        "caps its answers to Iran at sanctions unless Iran itself crosses a US red line.",
        f"3. Cutting the channel changes US hostile acts by {cc.loc['hostile acts by usa', 'difference']:+.1f} per "
        "run. A back channel lowers the chance that blame lands (misperception) and lets grievance between the two "
        "fade faster.",
    ]


def exercise3() -> list[str]:
    base_s = load_scenario(FLAGSHIP)
    none_s = load_scenario(ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml")
    base, none = run_ensemble(base_s, 100, 5), run_ensemble(none_s, 100, 5)
    failing = [v for v in none.check(none_s.checks) if not v.passed]
    c = compare(base, none).table.set_index("measure")
    lines = [
        "## Exercise 3: deterrence by retaliation",
        f"1. With the flagship, {sum(v.passed for v in base.check(base_s.checks))} of {len(base_s.checks)} "
        f"checks pass. Without US retaliation these fail:",
    ]
    lines += [
        f"   - {v.name}: {v.statistic} "
        f"{f'{v.value:.3g}' if v.value == v.value else 'has no value (no run has the anchor event)'}, "
        f"band {v.expect}"
        for v in failing
    ]
    lines += [
        "2. The US's restraint caps its answers at a limited strike until more than one American is killed in a week "
        "(its red line); the Jordan attack crosses it, and the US answers one rung up with a major strike. Iran's "
        "learning turns that costly strike into a higher estimate of US resolve, hence fear; past its threshold, "
        "Iran's pressure doctrine presses its clients, weighted by control x (1 - autonomy); the militias' will, "
        "and so their attack rate, falls.",
        f"3. Militias in Iraq: {c.loc['uses of force by iraqi_militias', 'difference']:+.1f} uses of force per run; "
        f"Hezbollah: {c.loc['uses of force by hezbollah', 'difference']:+.1f}. Hezbollah attacks Israel, not the US; "
        "Iran's pressure is aimed at attacks on the adversary it fears.",
    ]
    return lines


def exercise4(tmp: Path) -> list[str]:
    params = [
        parse_param("relations.supports:iran:iraqi_militias.control=0:1:5", 1, "grid"),
        parse_param("actors.iraqi_militias.autonomy=0:0.8:3", 2, "grid"),
    ]
    sweep = Sweep(str(FLAGSHIP), [], params, "grid", 0, 40, 2, design_points(params, "grid", 0, 2))
    res = run_sweep(sweep, tmp / "ex4", force=True)
    summary = point_summary(res, load_scenario(FLAGSHIP), sweep.points_table())
    grid = summary.pivot_table(index=params[1].path, columns=params[0].path, values=RATIO)
    table = [
        "| autonomy \\ control | " + " | ".join(f"{c:g}" for c in grid.columns) + " |",
        "|---|" + "---:|" * len(grid.columns),
    ]
    table += [f"| {a:g} | " + " | ".join(f"{v:.2f}" for v in row) + " |" for a, row in grid.iterrows()]
    cells = [(c, a, grid.loc[a, c]) for a in grid.index for c in grid.columns]
    below = [f"control {c:g} with autonomy {a:g}" for c, a, v in cells if v < 0.2]
    by_product: dict[float, list[str]] = {}
    for c, a, v in cells:
        by_product.setdefault(round(c * (1 - a), 6), []).append(f"{v:.2f} (control {c:g}, autonomy {a:g})")
    same = [f"product {k:g}: " + ", ".join(v) for k, v in sorted(by_product.items()) if len(v) > 1]
    return [
        "## Exercise 4: the autonomous proxy",
        "The median ratio of the militias' attack rate after the US strike to the rate before, per cell:",
        "",
        *table,
        "",
        f"1. Below 0.2 at: {'; '.join(below) or 'no cell'}.",
        "2. Cells with the same product control x (1 - autonomy): "
        + "; ".join(same)
        + ". The doctrine depends on "
        "the product only; what differs between such cells is sampling noise.",
        "3. Only if Iran's control over the Iraqi militias is far stronger than its leader admits: the fact needs "
        "the product near the values of the cells listed in answer 1.",
    ]


def exercise5() -> list[str]:
    path = ROOT / "docs" / "exercises" / "my-crisis.yaml"
    scn = load_scenario(path)
    res = run_ensemble(scn, 100, 1)
    (v,) = res.check(scn.checks)
    answers = res.events[(res.events["source"] == "rival") & (res.events["mid_level"] >= 4)]
    share = answers["run"].nunique() / len(res.runs)
    return [
        "## Exercise 5: design your own scenario",
        "1. One line, `FILE:LINE: actors.client.capabilty: unknown key 'capabilty' (did you mean 'capability'?)`, "
        "exit status 2.",
        f"2. The given check: median {v.value:.0f} attacks ({'pass' if v.passed else 'fail'}). The new check: the "
        f"rival answers in {pct(share)} of runs; raising `actors.rival.doctrine.retaliation.threshold` above the "
        "harm the client does makes it fail.",
        "3. The patron must come to fear the rival: its learning needs to see a costly strike by the rival on it or "
        "its client (a limited strike or more), and its fear (estimate x cost sensitivity) must pass the pressure "
        "threshold.",
    ]


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        parts = [exercise1(), exercise2(), exercise3(), exercise4(Path(tmp)), exercise5()]
    text = [
        "# Instructor's keys",
        "",
        "Computed by `python docs/exercises/make_keys.py` with the exercises' own runs and seeds; rerun it after "
        "changing the model or the scenarios.",
        "",
    ]
    for part in parts:
        text += [*part, ""]
    out = Path(__file__).with_name("keys.md")
    out.write_text("\n".join(text))
    print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
