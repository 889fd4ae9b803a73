"""The weighing of options, compiled (setup.py) and as Python: the same choices to the last bit, and a build made
from another version of the source is never used."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import redline.agents.actor as actor
import redline.agents.weighing as weighing
from redline import load_scenario
from redline.results.ensemble import run_ensemble

from .conftest import FLAGSHIP, ROOT

COMPILED = Path(weighing.__file__ or "").name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
# Whether this machine can compile it (a C compiler), and whether the set-up was asked not to.
CC = sysconfig.get_config_var("CC")
COMPILER = bool(CC) and shutil.which(CC.split()[0]) is not None and not os.environ.get("REDLINE_PURE_PYTHON")
needs_build = pytest.mark.skipif(not COMPILED, reason="the weighing is not compiled here")


def _source_module():
    """agents/weighing.py run as Python, whatever the package imported."""
    spec = importlib.util.spec_from_file_location("weighing_as_python", ROOT / "agents" / "weighing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_weighing_in_use_is_compiled_where_a_compiler_is_at_hand():
    if not COMPILER:
        pytest.skip("no C compiler here (or REDLINE_PURE_PYTHON): the weighing runs as Python")
    assert COMPILED, (
        f"the weighing runs as Python ({weighing.__file__}): its compiled build is missing or was made from another "
        "version of agents/weighing.py; `make test` builds it again"
    )


@needs_build
@pytest.mark.parametrize(
    "path",
    [FLAGSHIP, *sorted((ROOT / "scenarios" / "cases").glob("*.yaml"))],
    ids=lambda p: Path(p).stem,
)
def test_the_compiled_weighing_makes_the_runs_that_its_source_makes(monkeypatch, path):
    source = _source_module()
    actor.negligible_below.cache_clear()  # its bisections call crossing_chance once per limit, for the process
    compiled = run_ensemble(load_scenario(path), runs=6, seed=11, workers=1)
    # The actor calls crossing_chance itself too (its options' chance of crossing a line at full strength).
    monkeypatch.setattr(actor, "best_option", source.best_option)
    monkeypatch.setattr(actor, "crossing_chance", source.crossing_chance)
    actor.negligible_below.cache_clear()
    python = run_ensemble(load_scenario(path), runs=6, seed=11, workers=1)
    actor.negligible_below.cache_clear()  # not to leave the source's figures to the tests after this one
    assert len(compiled.events) > 20
    assert compiled.events.equals(python.events) and compiled.metrics.equals(python.metrics)


def _rows(rng: np.random.Generator, n: int, groups: int) -> list[tuple]:
    """Options with random terms in the ranges a ladder gives them, sorted by their least cost as _table's are."""
    rows = []
    for i in range(n):
        deaths = 0.0 if rng.random() < 0.3 else float(rng.exponential(2.0))
        scaled = bool(rng.random() < 0.3)
        fixed = deaths == 0.0 and not scaled
        sev, span = float(rng.exponential(1.0)), float(rng.choice([1.0, 7.0, 14.0 * rng.random()]))
        limit = -1.0 if rng.random() < 0.5 else float(rng.choice([0.0, 0.5, 3.0, 20.0]))
        rows.append(
            (
                i,
                sev,
                deaths,
                bool(rng.random() < 0.6),
                float(rng.random()),
                float(rng.random()),
                float(rng.exponential(0.3)),
                0.0,
                span,
                scaled,
                float(rng.exponential(0.2)),
                1.0 if rng.random() < 0.1 else 0.0,
                limit,
                float(rng.random() * 2),
                float(rng.random()),
                float(rng.exponential(1.0)),
                float(rng.exponential(3.0)),
                float(rng.choice([1.0, 7.0])),
                int(rng.integers(groups)),
                fixed,
                math.log1p(sev * span) if fixed else 0.0,
            )
        )
    least = math.inf
    for k in range(n - 1, -1, -1):  # the least cost of mounting this option or any after it
        least = min(least, rows[k][6])
        rows[k] = (*rows[k][:7], least, *rows[k][8:])
    return rows


@needs_build
def test_the_compiled_weighing_gives_its_sources_numbers_on_random_terms():
    """Choices far from the shipped scenarios' (weakened actors, lines on deaths at every limit, no fear, strong
    commitments): the same option and the same utility, bit for bit."""
    python = _source_module().best_option
    rng = np.random.default_rng(7)
    chosen = 0
    for _ in range(3000):
        groups = [tuple(f"g{j}" for j in range(k)) for k in range(int(rng.integers(1, 3)))]
        seen = {"t": float(rng.exponential(1.0)), "c": float(rng.random()), "g0": 1.0, "g1": 0.5}
        full = float(rng.choice([1.0, 0.8]))
        terms = (
            _rows(rng, int(rng.integers(1, 10)), len(groups)),
            groups,
            [("c", float(rng.random()))],
            seen,
            "t",
            full * float(rng.choice([1.0, rng.random()])),
            full,
            float(rng.random() * 2),
            float(rng.choice([0.0, rng.exponential(1.0)])),
            float(rng.exponential(1.0)),
            float(rng.choice([0.0, rng.exponential(1.0)])),
            float(rng.random()),
            float(rng.exponential(0.2)),
        )
        got = weighing.best_option(*terms)
        assert repr(got) == repr(python(*terms))  # bit for bit: == takes -0.0 for 0.0
        chosen += got[0] >= 0
    assert chosen > 300


@needs_build
def test_the_compiled_crossing_chance_gives_its_sources_numbers():
    python = _source_module().crossing_chance
    rng = np.random.default_rng(5)
    for _ in range(3000):
        deaths = float(rng.choice([0.0, rng.exponential(1.0), rng.exponential(30.0)]))
        limit = float(rng.choice([0.0, 0.5, rng.integers(1, 60), rng.exponential(20.0)]))
        assert repr(weighing.crossing_chance(deaths, limit)) == repr(python(deaths, limit)), (deaths, limit)


def _package(tmp_path: Path, source: bytes, half: bool = False) -> Path:
    """A `redline` package holding the real redline.agents/__init__.py, the compiled weighing (`half`: only the small
    module that loads it) and `source` as its weighing.py: the folder to put on the path."""
    agents = tmp_path / "redline" / "agents"
    agents.mkdir(parents=True)
    (agents.parent / "__init__.py").write_text("")
    shutil.copy(ROOT / "agents" / "__init__.py", agents / "__init__.py")
    for built in Path(weighing.__file__ or "").parent.glob("weighing*"):
        compiled = built.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
        if compiled and not (half and "__mypyc" in built.name):
            shutil.copy(built, agents / built.name)
    (agents / "weighing.py").write_bytes(source)
    return tmp_path


def _imported(path: Path) -> str:
    code = "import redline.agents.weighing as w, redline.agents as a; print(w.__file__, a.weighing is w)"
    env = {**os.environ, "PYTHONPATH": str(path)}
    # -S: without site-packages, whose finder of the editable install would find the part of a build left out.
    r = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, cwd=path, timeout=60
    )
    assert r.returncode == 0, r.stderr
    origin, same = r.stdout.split()
    assert Path(origin).is_relative_to(path) and same == "True", r.stdout
    return Path(origin).name


@needs_build
def test_a_build_is_used_only_with_the_source_it_was_made_from(tmp_path):
    source = (ROOT / "agents" / "weighing.py").read_bytes()
    assert _imported(_package(tmp_path / "same", source)) != "weighing.py"
    # An edit as small as a comment: the source is run, not the build of the version before it.
    assert _imported(_package(tmp_path / "edited", source + b"# edited\n")) == "weighing.py"
    # Half a build (a compiler that built only the small module in the source's place): the source, not an error.
    assert _imported(_package(tmp_path / "half", source, half=True)) == "weighing.py"
