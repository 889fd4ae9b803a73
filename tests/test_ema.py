"""A scenario as an EMA Workbench model, run by EMA's multiprocessing evaluator; the docs' research script runs."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from redline.language.scenario import load_scenario
from redline.results.ensemble import run_ensemble
from redline.results.levers import levers, outcomes

from .conftest import ROOT

ema_workbench = pytest.importorskip("ema_workbench")

CASE = ROOT / "scenarios" / "cases" / "uri-2016.yaml"


def test_the_model_has_the_scenarios_levers_and_outcomes():
    from redline.frontends.ema import SCALARS, ema_model

    scn = load_scenario(CASE)
    model = ema_model(CASE, replications=2)
    assert model.name == "uri_2016"
    by_name = {u.name: u for u in model.uncertainties}
    assert list(by_name) == [lv.name for lv in levers(scn)]
    for lever in levers(scn):
        u = by_name[lever.name]
        assert isinstance(u, ema_workbench.RealParameter)
        assert (u.lower_bound, u.upper_bound) == (lever.low, lever.high)
    assert [o.name for o in model.outcomes] == [o.name for o in outcomes(scn)] + list(SCALARS)


def test_whole_number_levers_are_integer_parameters(tmp_path):
    from redline.frontends.ema import ema_model

    f = tmp_path / "s.yaml"
    f.write_text(CASE.read_text().replace("levers:\n", "levers:\n  - {name: days, path: time.steps, range: [30, 42], "
                                          "unit: days, assumed: {range: test}}\n", 1))  # fmt: skip
    model = ema_model(f, replications=1, only=["days", "jaish_attack_rate"])
    kinds = {u.name: type(u).__name__ for u in model.uncertainties}
    assert kinds == {"days": "IntegerParameter", "jaish_attack_rate": "RealParameter"}


def test_unknown_levers_are_named():
    from redline.frontends.ema import ema_model

    with pytest.raises(ValueError, match="no lever nonsense"):
        ema_model(CASE, only=["nonsense"])
    with pytest.raises(ValueError, match="only names no lever"):
        ema_model(CASE, only=[])
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="replications must be a whole number of at least 1"):
            ema_model(CASE, replications=bad)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        ema_model(CASE, seed=-1)


def test_lhs_experiments_on_two_processes_match_the_ensembles():
    """4 experiments x 2 replications with EMA's MultiprocessingEvaluator: each experiment's outcomes are the
    shares and means of an ensemble run with the experiment's lever values as overrides."""
    from ema_workbench import MultiprocessingEvaluator, Samplers

    from redline.frontends.ema import ema_model

    model = ema_model(CASE, replications=2, seed=4)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, results = evaluator.perform_experiments(scenarios=4, uncertainty_sampling=Samplers.LHS)
    names = [lv.name for lv in levers(load_scenario(CASE))]
    assert isinstance(experiments, pd.DataFrame) and len(experiments) == 4
    assert set(names) <= set(experiments.columns)
    for lever in levers(load_scenario(CASE)):
        column = experiments[lever.name]
        assert column.between(lever.low, lever.high).all()
        assert column.nunique() == 4  # a Latin hypercube gives each experiment its own stratum
    for name, values in results.items():
        assert values.shape == (4,), name
        assert np.isfinite(values).all()
    for name in ("war", "state_clash", "patron_uses_force"):
        assert set(np.unique(results[name])) <= {0.0, 0.5, 1.0}  # shares of 2 runs
    # Experiment 2 again, outside EMA: the same ensemble gives the same outcomes.
    row = experiments.iloc[2]
    overrides = [f"{lv.path}={float(row[lv.name])!r}" for lv in levers(load_scenario(CASE))]
    runs = run_ensemble(load_scenario(CASE, overrides), runs=2, seed=4, workers=1).runs
    assert results["state_clash"][2] == runs["state_clash"].mean()
    assert results["attacks"][2] == runs["attacks"].mean()
    assert results["peak_mid"][2] == runs["peak_mid"].mean()


def test_the_research_docs_script_runs(tmp_path):
    """docs/research.md's LHS and PRIM code, at a small size (12 experiments x 2 replications)."""
    text = (ROOT / "docs" / "research.md").read_text()
    code = "".join(
        b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "ema_model" in b or "prim" in b
    )
    assert "EXPERIMENTS = 200" in code and "REPLICATIONS = 20" in code
    code = code.replace("EXPERIMENTS = 200", "EXPERIMENTS = 12").replace(
        "REPLICATIONS = 20", "REPLICATIONS = 2"
    )
    script = tmp_path / "research.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Iran and the US strike each other in" in done.stdout
    assert re.search(r"box: coverage \d\.\d\d, density \d\.\d\d", done.stdout), done.stdout[-1000:]
