"""The public registry of a scenario's levers and outcomes, for research tools (EMA Workbench, SALib, the app).

    scn = load_scenario("scenarios/axis-2023.yaml")
    for lever in levers(scn):              # declared in the scenario file's `levers:` block
        print(lever.name, lever.path, lever.low, lever.high, lever.unit, value(scn, lever))
    outcomes(scn)                           # the general outcomes and the scenario's named ones

A lever's path is a `--set` path: `f"{lever.path}={x}"` is the override that gives it the value x.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from redline.language.scenario import value_at
from redline.language.spec import Lever, Scenario
from redline.results.analysis import Outcome, named_outcomes
from redline.results.store import scenario_facts


def levers(scenario: Scenario) -> tuple[Lever, ...]:
    """The levers the scenario declares, in the file's order. The loader has checked each path, and each range
    against the values the files give (a `--set` may move a value outside it on purpose)."""
    return scenario.levers


def value(scenario: Scenario, lever: Lever) -> float | int:
    """The lever's value in this scenario (after its `--set` overrides)."""
    return value_at(scenario, lever.path)


def is_integer(scenario: Scenario, lever: Lever) -> bool:
    """Whether the value is a whole number (an IntegerParameter for EMA): the language's type for that key."""
    return isinstance(value(scenario, lever), int)


def override(lever: Lever | str, x: float) -> str:
    """The `--set` override that gives the lever (or a lever's path) the value x: a whole number stays one, any
    other number is written as a plain float (numpy's scalars print as `np.float64(...)`)."""
    path = lever if isinstance(lever, str) else lever.path
    number = int(x) if isinstance(x, int | np.integer) else float(x)
    return f"{path}={number!r}"


def outcomes(scenario: Scenario) -> list[Outcome]:
    """The outcomes every run is scored on (a boolean column each of the runs table): the general ones, then the
    scenario's own."""
    return named_outcomes(scenario_facts(scenario))


def registry(scenario: Scenario) -> dict[str, Any]:
    """Levers and outcomes as plain JSON: what `redline levers --json` prints."""
    return {
        "scenario": scenario.scenario,
        "levers": [
            {
                "name": lv.name,
                "label": lv.label or lv.name,
                "path": lv.path,
                "low": lv.low,
                "high": lv.high,
                "value": value(scenario, lv),
                "integer": is_integer(scenario, lv),
                "unit": lv.unit,
                "evidence": list(lv.evidence),
                "assumed": dict(lv.assumed),
            }
            for lv in levers(scenario)
        ],
        "outcomes": [{"name": o.name, "description": o.description} for o in outcomes(scenario)],
    }


def table(scenario: Scenario) -> str:
    """Levers and outcomes as text tables: what `redline levers` prints."""
    reg = registry(scenario)
    rows = [
        (
            lv["name"],
            lv["path"],
            f"{lv['low']:g} .. {lv['high']:g} ({lv['value']:g})",
            lv["unit"],
            ", ".join(lv["evidence"]) or "assumed",
        )
        for lv in reg["levers"]
    ]
    head = ("lever", "path", "range (value)", "unit", "evidence")
    lines = [f"{scenario.scenario}: {len(rows)} levers"]
    if rows:
        widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
        for r in (head, tuple("-" * w for w in widths), *rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines += ["", f"{len(reg['outcomes'])} outcomes (share of runs in which each happens)"]
    width = max((len(o["name"]) for o in reg["outcomes"]), default=0)
    lines += [f"{o['name'].ljust(width)}  {o['description']}" for o in reg["outcomes"]]
    return "\n".join(lines) + "\n"
