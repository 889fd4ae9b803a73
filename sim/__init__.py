"""redline: YAML scenarios of escalation, a Mesa model of them, ensembles and sweeps of runs, and their plots.

from redline import load_scenario, run_ensemble, plots
from redline import write_ensemble   # a large ensemble streamed to a results folder, in flat memory

Its parts, in the order data flows through them (each imports only the parts before it): redline.language (the
scenario language), redline.agents (actors and their doctrines), redline.engine (the model and the runner),
redline.results (tables, outcomes, ensembles, sweeps) and redline.frontends (plots, the command line, the app).
"""

from __future__ import annotations

import importlib
from typing import Any

from redline.errors import OutputError, ScenarioError, SweepError

__all__ = [
    "EscalationModel",
    "OutputError",
    "Results",
    "ScenarioError",
    "SweepError",
    "load_scenario",
    "plots",
    "run_ensemble",
    "write_ensemble",
]

# Imported on first use: `redline validate` pays for no matplotlib or pandas, `--version` for no scenario module.
_LAZY = {
    "load_scenario": ("redline.language.scenario", "load_scenario"),
    "run_ensemble": ("redline.results.ensemble", "run_ensemble"),
    "write_ensemble": ("redline.frontends.plotfiles", "write_ensemble"),
    "Results": ("redline.results.store", "Results"),
    "EscalationModel": ("redline.engine.model", "EscalationModel"),
    "plots": ("redline.frontends.plots", None),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'redline' has no attribute '{name}'")
    module, attr = _LAZY[name]
    mod = importlib.import_module(module)
    return mod if attr is None else getattr(mod, attr)


def __dir__() -> list[str]:
    """The names imported on first use as well, so that a notebook completes `redline.` with them."""
    return sorted({*globals(), *__all__})
