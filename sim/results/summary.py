"""summary.md: what an ensemble came to, in a page."""

from __future__ import annotations

import pandas as pd

from redline.engine.aggregates import values
from redline.results.analysis import outcome_table, peak_distribution
from redline.words import plural


def source_lines(manifest: dict) -> list[str]:
    """What was changed from the scenario file (Markdown lines): its `--set` overrides and `--inject` events."""
    source = manifest.get("scenario", {})
    lines = []
    if source.get("overrides"):
        lines.append("Overrides (--set): " + ", ".join(f"`{o}`" for o in source["overrides"]) + ".")
    if source.get("injects"):
        lines.append("Injects (--inject): " + ", ".join(f"`{i}`" for i in source["injects"]) + ".")
    return lines


def summary(res, plots: list[str]) -> str:
    f, m, runs = res.facts, res.manifest, res.runs
    n = len(runs)
    lines = [
        f"# {f['title']}",
        "",
        f"Scenario `{f['name']}`, {plural(n, 'run')} from root seed {m.get('root_seed')}, "
        f"{plural(f['time']['steps'], 'step')} of a {f['time']['step']} from {f['time']['start']}.",
    ]
    lines += source_lines(m)
    if m.get("played_by"):
        lines.append(f"A game: `{m['played_by']}` was played by a person ({m.get('ended', 'to the end')}).")
    lines += [
        "",
        "## Outcome probabilities",
        "",
        "| outcome | what it means | runs | probability | 95% interval |",
        "|---|---|---:|---:|---|",
    ]
    for r in outcome_table(runs, f).itertuples():
        lines.append(
            f"| {r.outcome} | {r.description} | {r.runs} | {r.probability:.3f} | "
            f"{r.ci_low:.3f} - {r.ci_high:.3f} |"
        )
    ladder = [r["id"] for r in f["ladder"]]
    dist = peak_distribution(runs, ladder)
    lines += ["", "## Highest rung reached", "", "| rung | share of runs |", "|---|---:|"]
    lines += [f"| {rung} | {share:.3f} |" for rung, share in dist.items() if share > 0]
    lines += [
        "",
        "## Uses of force per run, by actor",
        "",
        "| actor | median | 10% | 90% |",
        "|---|---:|---:|---:|",
    ]
    per_run = res.aggregates.force_runs  # per actor, runs by its uses of force in the run
    for actor in sorted(per_run):
        q = pd.Series(values(per_run[actor])).quantile([0.5, 0.1, 0.9])
        lines.append(f"| {actor} | {q[0.5]:.0f} | {q[0.1]:.0f} | {q[0.9]:.0f} |")
    if not per_run:
        lines[-2:] = ["No actor used force in any run."]
    if plots:
        lines += ["", "## Plots", ""] + [f"- [{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"
