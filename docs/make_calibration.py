"""Regenerate docs/calibration.md and its plots from the flagship, with redline itself.

    python docs/make_calibration.py

Runs the flagship's checks for four root seeds, its named outcomes, the flagship without the Jordan attack, the
margin of every check when each number of the scenario moves 20% down and up (one at a time, common random
numbers), the demo ensemble's plots and the comparison with the "never strikes back" variant.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from redline import load_scenario, run_ensemble
from redline.frontends import plots
from redline.frontends.compare import compare
from redline.frontends.compare import plot as compare_plot
from redline.language.scenario import value_at
from redline.results.analysis import outcome_table
from redline.results.checks import table
from redline.results.outputs import write_atomic
from redline.results.robustness import band_scale, parameters, robustness

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
NO_RETALIATION = ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml"
NO_JORDAN = ROOT / "scenarios" / "axis-2023-no-jordan.yaml"
SEEDS = (20231007, 1, 2, 3)
RUNS = 200
ROBUST_RUNS = 100  # 146 numbers x 2 moves: fewer runs per move keep the page to minutes
DELTA = 0.2
TEMPLATE = (ROOT / "docs" / "calibration.template.md").read_text()


def margin(value: float, band: tuple[float, float], scale: float) -> float:
    """How far a check's value lies inside its band, in units of the band's scale (negative: outside)."""
    if math.isnan(value):
        return -math.inf
    lo, hi = band
    return (
        min(value - lo if math.isfinite(lo) else math.inf, hi - value if math.isfinite(hi) else math.inf)
        / scale
    )


def margins_table(scn, robust) -> tuple[str, int]:
    """Per check: its value, its margin, and the move of one number that brings it closest to failing."""
    lines = [
        f"| check | band | value | margin | smallest margin under a {DELTA:.0%} move | that move | "
        "moves that break it |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    broken = 0
    for check, base in zip(scn.checks, robust.base, strict=True):
        scale = band_scale(*check.band, base.value)
        rows = robust.table[robust.table["check"] == check.name]
        worst, where, breaks = math.inf, "", 0
        for r in rows.itertuples():
            m = margin(r.check_value, check.band, scale)
            breaks += not r.passed
            if m < worst:
                worst, where = m, f"`{r.param}` {r.side} ({r.value:.3g})"
        broken += breaks
        lines.append(
            f"| {check.name} | {check.expect} | {base.value:.3g} | {margin(base.value, check.band, scale):.2f} | "
            f"{worst:.2f} | {where} | {breaks} |"
        )
    return "\n".join(lines), broken


def main() -> int:
    img = ROOT / "docs" / "calibration"
    img.mkdir(exist_ok=True)
    scn = load_scenario(FLAGSHIP)
    verdicts = {}
    for seed in SEEDS:
        res = run_ensemble(scn, RUNS, seed)
        verdicts[seed] = res.check(scn.checks)
        if seed == SEEDS[0]:
            main_res = res
            plots.timeline(res, img / "timeline.png")
            plots.attacks(res, img / "attacks.png")
            plots.outcome_distribution(res, img / "outcomes.png")
    seeds_table = [
        "| check | " + " | ".join(f"seed {s}" for s in SEEDS) + " |",
        "|---|" + "---:|" * len(SEEDS),
    ]
    for i, c in enumerate(scn.checks):
        cells = [f"{verdicts[s][i].value:.3g} {'pass' if verdicts[s][i].passed else 'FAIL'}" for s in SEEDS]
        seeds_table.append(f"| {c.name} ({c.expect}) | " + " | ".join(cells) + " |")
    passed = {s: sum(v.passed for v in verdicts[s]) for s in SEEDS}
    outcomes = outcome_table(main_res.runs, main_res.facts)
    outcome_lines = ["| outcome | what it means | probability | 95% interval |", "|---|---|---:|---|"]
    outcome_lines += [
        f"| {r.outcome} | {r.description} | {r.probability:.3f} | {r.ci_low:.3f} - {r.ci_high:.3f} |"
        for r in outcomes.itertuples()
    ]
    no_jordan = load_scenario(NO_JORDAN)
    without = run_ensemble(no_jordan, RUNS, SEEDS[0]).check(no_jordan.checks)
    none = run_ensemble(load_scenario(NO_RETALIATION), RUNS, SEEDS[0])
    compare_plot(compare(main_res, none), img / "compare-no-us-retaliation.png")
    moved = [p for p in parameters(scn) if value_at(scn, p) != 0]
    robust = robustness(FLAGSHIP, moved, delta=DELTA, runs=ROBUST_RUNS, seed=SEEDS[0], progress=True)
    margins, broken = margins_table(scn, robust)
    up = robust.table[(robust.table["side"] == "high") & robust.table["held"]]
    held = list(dict.fromkeys(up["param"]))
    influence = ["| parameter | influence |", "|---|---:|"]
    influence += [f"| `{p}` | {v:.2f} |" for p, v in robust.influence.head(15).items()]
    text = TEMPLATE.format(
        runs=RUNS,
        robust_runs=ROBUST_RUNS,
        seed=SEEDS[0],
        check_table=table(verdicts[SEEDS[0]]),
        seeds_table="\n".join(seeds_table),
        passed=", ".join(f"seed {s}: {passed[s]} of {len(scn.checks)}" for s in SEEDS),
        outcomes="\n".join(outcome_lines),
        without_jordan=table(without),
        parameters=len(moved),
        moves=2 * len(moved),
        moves_share=f"{DELTA:.0%}",
        margins=margins,
        broken=broken,
        held=len(held),
        held_names=", ".join(f"`{p}`" for p in held) or "none",
        influence="\n".join(influence),
    )
    out = ROOT / "docs" / "calibration.md"
    write_atomic(out, text.encode())
    print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
