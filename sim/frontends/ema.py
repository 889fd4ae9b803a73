"""A scenario as an EMA Workbench model: its levers become uncertainties, its outcomes the model's outcomes.

    from ema_workbench import MultiprocessingEvaluator
    from redline.frontends.ema import ema_model

    model = ema_model("scenarios/axis-2023.yaml", replications=20, seed=1)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=100)   # Latin hypercube by default

Needs the `ema` extra (`pip install 'redline[ema]'`). Each experiment is one ensemble of `replications` runs of the
scenario with the levers set as `--set` overrides, run by the project's ensemble runner (redline.results.ensemble).
Every experiment uses the same root seed: common random numbers, so that two experiments differ by their levers, not by
luck. What an experiment reports, per outcome, is the SHARE of its runs in which the outcome happened (0-1), not a
0/1 per run: EMA's scenario discovery (PRIM, CART) then works on probabilities, with `replications` setting their
precision. Beside the outcomes come a few scalars: mean uses of force, deaths and highest MID level per run.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redline.language.paths import scenario_path
from redline.language.scenario import load_scenario
from redline.results.levers import is_integer, levers, outcomes, override

SCALARS = {
    "attacks": "mean uses of force (MID 4 or more) per run",
    "deaths": "mean deaths per run",
    "peak_mid": "mean highest MID hostility level per run",
}


def _ema() -> Any:
    """ema_workbench, imported only when asked for: it is an optional extra."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # it warns at import about evaluators it cannot offer (ipyparallel)
            import ema_workbench
    except ImportError:
        raise ImportError("redline.frontends.ema needs EMA Workbench: pip install 'redline[ema]'") from None
    return ema_workbench


class ScenarioRun:
    """The model's function: lever values in, outcome shares and scalars out. A plain class (not a closure) so that
    EMA's multiprocessing evaluator can send it to its workers."""

    def __init__(
        self,
        scenario_file: str | Path,
        paths: dict[str, str],
        *,
        replications: int,
        seed: int,
        overrides: Sequence[str] = (),
        workers: int = 1,
    ):
        # absolute, so that a worker started in another folder (EMA's working_directory) finds it
        self.scenario_file = str(scenario_path(scenario_file).resolve())
        self.paths = dict(paths)
        self.replications = replications
        self.seed = seed
        self.overrides = tuple(overrides)
        self.workers = workers

    def overrides_for(self, values: dict[str, Any]) -> list[str]:
        return [*self.overrides, *(override(self.paths[name], x) for name, x in values.items())]

    def __call__(self, **values: Any) -> dict[str, float]:
        from redline.results.ensemble import run_ensemble

        scn = load_scenario(self.scenario_file, self.overrides_for(values))
        runs = run_ensemble(scn, self.replications, self.seed, workers=self.workers).runs
        out = {o.name: float(runs[o.name].mean()) for o in outcomes(scn)}
        out.update({name: float(runs[name].mean()) for name in SCALARS})
        return out


def ema_model(
    scenario_file: str | Path,
    *,
    replications: int = 20,
    seed: int = 0,
    overrides: Sequence[str] = (),
    only: Sequence[str] | None = None,
    workers: int = 1,
    name: str | None = None,
) -> Any:
    """An `ema_workbench.Model` of the scenario: one uncertainty per lever (IntegerParameter for whole numbers,
    else RealParameter, over the lever's range), one ScalarOutcome per outcome (the share of the experiment's runs
    that had it) and per scalar of SCALARS. `only` keeps those levers, by name; `overrides` apply to every
    experiment; `workers` are the processes of each ensemble (1: EMA's evaluator does the parallel work)."""
    ema = _ema()
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a whole number of at least 1, got {replications!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a whole number from 0 to 2**63-1, got {seed!r}")
    scn = load_scenario(scenario_file, overrides)
    if only is not None and not only:
        raise ValueError("only names no lever: give the levers to keep, or None for all of them")
    chosen = [lv for lv in levers(scn) if only is None or lv.name in only]
    unknown = sorted(set(only or ()) - {lv.name for lv in chosen})
    if unknown:
        known = ", ".join(lv.name for lv in levers(scn)) or "none"
        raise ValueError(f"{scenario_file}: no lever {', '.join(unknown)} (levers: {known})")
    if not chosen:
        raise ValueError(f"{scenario_file}: the scenario declares no levers (a `levers:` block)")
    function = ScenarioRun(
        scenario_file,
        {lv.name: lv.path for lv in chosen},
        replications=replications,
        seed=seed,
        overrides=overrides,
        workers=workers,
    )
    model = ema.Model(name or _identifier(scn.scenario), function=function)
    model.uncertainties = [
        ema.IntegerParameter(lv.name, int(lv.low), int(lv.high))
        if is_integer(scn, lv)
        else ema.RealParameter(lv.name, lv.low, lv.high)
        for lv in chosen
    ]
    model.outcomes = [ema.ScalarOutcome(o.name) for o in outcomes(scn)] + [
        ema.ScalarOutcome(name) for name in SCALARS
    ]
    return model


def _identifier(text: str) -> str:
    """EMA names models with Python identifiers: axis-2023 -> axis_2023."""
    name = re.sub(r"\W", "_", text)
    return name if name.isidentifier() else f"scenario_{name}"
