"""redline's simulation package: scenario language, model, runner, results, analysis, plots, command line."""

from sim.errors import ScenarioError
from sim.scenario import load_scenario

__all__ = ["ScenarioError", "load_scenario"]
