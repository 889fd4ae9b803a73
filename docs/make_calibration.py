"""Regenerate docs/calibration.md and its plots from the flagship, with redline itself.

    python docs/make_calibration.py

Runs the flagship's checks for the four root seeds, the robustness of the checks to a 20% move of each candidate
parameter, the demo ensemble's plots and the comparison with the "never strikes back" variant.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from sim import load_scenario, plots, run_ensemble
from sim.checks import table
from sim.compare import compare
from sim.compare import plot as compare_plot
from sim.robustness import markdown as robustness_markdown
from sim.robustness import robustness

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
NO_RETALIATION = ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml"
SEEDS = (20231007, 1, 2, 3)
RUNS = 200
CANDIDATES = (
    "actors.iran.doctrine.pressure.fear_threshold",
    "actors.iran.doctrine.learning.rate",
    "actors.iran.cost_sensitivity",
    "actors.iraqi_militias.doctrine.campaign.targets.usa",
    "actors.syrian_militias.doctrine.campaign.targets.usa",
    "actors.iraqi_militias.autonomy",
    "relations.supports:iran:iraqi_militias.control",
    "actors.iraqi_militias.cost_sensitivity",
    "actors.usa.doctrine.retaliation.threshold",
    "actors.israel.doctrine.retaliation.threshold",
    "actors.hezbollah.doctrine.campaign.targets.israel",
    "actors.hezbollah.doctrine.domestic.cost",
)
TEMPLATE = (ROOT / "docs" / "calibration.template.md").read_text()


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
    none = run_ensemble(load_scenario(NO_RETALIATION), RUNS, SEEDS[0])
    compare_plot(compare(main_res, none), img / "compare-no-us-retaliation.png")
    robust = robustness(FLAGSHIP, CANDIDATES, delta=0.2, runs=RUNS, seed=SEEDS[0])
    fails = robust.table[~robust.table["passed"]]
    breaks = (
        "Every check holds under every one of these moves."
        if fails.empty
        else "Checks that break under a move: "
        + "; ".join(f"`{r.param}` at {r.value:.3g} ({r.side}): {r.check}" for r in fails.itertuples())
        + "."
    )
    text = TEMPLATE.format(
        breaks=breaks,
        runs=RUNS,
        seed=SEEDS[0],
        check_table=table(verdicts[SEEDS[0]]),
        seeds_table="\n".join(seeds_table),
        passed=", ".join(f"seed {s}: {passed[s]} of {len(scn.checks)}" for s in SEEDS),
        robustness=robustness_markdown(robust, 0.2, top=3),
        top3=", ".join(f"`{p}`" for p in robust.influence.index[:3]),
    )
    out = ROOT / "docs" / "calibration.md"
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".partial") as f:
        f.write(text)
    shutil.move(f.name, out)
    print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
