"""redline's compiled modules (setup.py): compiled where a C compiler is at hand, making the very runs that their
Python sources make, and used only as builds of the sources beside them (redline.builds)."""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from redline.builds import is_compiled

from .conftest import COMPILED, COMPILER, FLAGSHIP, ROOT, SETUP, as_python

MODULES = {path: package.removesuffix(".py").replace("/", ".") for path, package in COMPILED.items()}
BUILT = [path for path, name in MODULES.items() if is_compiled(importlib.import_module(name))]
needs_builds = pytest.mark.skipif(not BUILT, reason="nothing is compiled here")


def test_make_rebuilds_the_modules_that_setup_compiles():
    """The Makefile's rule for the builds names every compiled source (else an edit of one leaves it stale until
    the next set-up: right, since the source then runs, but slower)."""
    rule = re.search(r"^\$\(COMPILED\): (.*) \|", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert rule is not None
    assert sorted(rule.group(1).split()) == sorted([*COMPILED, "setup.py"])


@pytest.mark.parametrize("path", list(MODULES))
def test_each_module_runs_compiled_where_a_compiler_is_at_hand(path):
    if not COMPILER:
        pytest.skip("no C compiler here (or REDLINE_PURE_PYTHON): the modules run as Python")
    module = importlib.import_module(MODULES[path])
    assert is_compiled(module), (
        f"{MODULES[path]} runs as Python ({module.__file__}): its build is missing or was made from another "
        f"version of {path}; `make test` builds it again"
    )


SCENARIOS = [FLAGSHIP, *sorted((ROOT / "scenarios").glob("*/*-[0-9]*.yaml"))]
FINGERPRINTS = """
import hashlib, sys
import importlib
from redline import load_scenario
from redline.builds import is_compiled
from redline.results.ensemble import run_ensemble
print("compiled", sum(is_compiled(importlib.import_module(m)) for m in NAMES))
for path in sys.argv[1:]:
    r = run_ensemble(load_scenario(path), runs=6, seed=11, workers=1)
    tables = (r.events.to_csv() + r.metrics.to_csv()).encode()
    print(path, len(r.events), hashlib.sha256(tables).hexdigest())
""".replace("NAMES", repr(tuple(MODULES.values())))


def _fingerprints(pure: bool) -> dict[str, tuple[int, str]]:
    env = {k: v for k, v in os.environ.items() if k != "REDLINE_PURE_PYTHON"}
    if pure:
        env["REDLINE_PURE_PYTHON"] = "1"
    args = [sys.executable, "-c", FINGERPRINTS, *map(str, SCENARIOS)]
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"compiled {0 if pure else len(BUILT)}", lines[0]  # what ran is what was asked for
    return {path: (int(n), digest) for path, n, digest in (line.split() for line in lines[1:])}


@needs_builds
def test_the_builds_make_the_runs_that_their_sources_make():
    """The flagship and every case of the library and of the held-out set, run with the builds and with
    REDLINE_PURE_PYTHON=1 (every module from its source): the same events and metrics, byte for byte."""
    compiled, python = _fingerprints(pure=False), _fingerprints(pure=True)
    assert len(compiled) == len(SCENARIOS) >= 12
    assert all(n > 20 for n, _ in compiled.values())
    assert compiled == python


@pytest.mark.skipif("sim/engine/counts.py" not in BUILT, reason="the counts are not compiled here")
def test_the_compiled_counts_are_their_sources_counts_at_every_mean():
    """Poisson counts by inversion and, above its mean, by rejection, from blocks as Draws binds them (`take`
    bound to a block that draws more when it runs short: a small one here, so that it often does): the same counts
    and the same numbers left."""
    import redline.engine.counts as counts

    python = as_python("sim/engine/counts.py")
    for seed, mean in enumerate((0.0, 1e-9, 0.3, 2.0, 9.99, 10.01, 37.5, 400.0, 1e5)):
        sides = []
        for module in (counts, python):
            numbers: list[float] = []
            rng = np.random.default_rng(seed)  # each side's block draws the same numbers as the other's

            def draw(n: int, rng: np.random.Generator = rng) -> list[float]:
                return rng.random(n).tolist()

            take = partial(module.take, numbers, draw, 7)
            sides.append((module.poissons(numbers, take, mean, 300), numbers))
        (got, left), (expected, python_left) = sides
        assert got == expected and left == python_left, mean
        assert (sum(got) > 0) == (mean > 0.01)


@pytest.mark.skipif(
    "sim/engine/resolving.py" not in BUILT, reason="the reading of resolve is not compiled here"
)
def test_the_compiled_reading_of_resolve_is_its_sources_through_every_channel():
    """No scenario of the library has a back channel through a mediator, so the runs compared above never read
    resolve through one: random watchers, direct and mediated, read alike compiled and as Python."""
    import redline.engine.resolving as resolving

    python = as_python("sim/engine/resolving.py")
    rng = np.random.default_rng(8)
    ids = [f"a{i}" for i in range(6)]
    for _ in range(500):
        source = ids[0]
        targets = {str(t) for t in rng.choice(ids[1:], size=int(rng.integers(1, 4)), replace=False)}
        blamed = {str(b) for b in rng.choice(ids[1:], size=int(rng.integers(0, 2)), replace=False)}
        opened = {(a, source): float(rng.random()) for a in ids if rng.random() < 0.5}
        rows = [
            (
                aid,
                {str(t) for t in rng.choice(ids, size=2, replace=False)},
                float(rng.random()),
                float(rng.random()) if rng.random() < 0.8 else None,
                float(rng.random()),
                float(rng.random()) if rng.random() < 0.5 else resolving.DIRECT,
                float(rng.random()),
            )
            for aid in ids
        ]
        noise = rng.standard_normal(len(ids)).tolist()
        signal, capability, noise_sd = float(rng.random()), float(rng.random()), float(rng.random())
        seen = []
        for module in (resolving, python):
            # Each side its own beliefs (the reading writes them), from the same numbers.
            observers = [
                (aid, ties, None, None, scale, mediated, rate)
                if aid == source
                else (aid, ties, {source: cap}, {} if r is None else {source: r}, scale, mediated, rate)
                for aid, ties, cap, r, scale, mediated, rate in rows
            ]
            module.read_resolve(
                source, signal, targets, blamed, capability, observers, noise, noise_sd, opened
            )
            seen.append(repr([(o[2], o[3]) for o in observers]))
        assert seen[0] == seen[1]


def _package(tmp_path: Path, source: bytes, half: bool = False) -> Path:
    """A `redline` package holding redline.builds, the real redline.agents/__init__.py, the compiled weighing
    (`half`: only the small module that loads it) and `source` as its weighing.py: the folder to put on the path."""
    agents = tmp_path / "redline" / "agents"
    agents.mkdir(parents=True)
    (agents.parent / "__init__.py").write_text("")
    shutil.copy(ROOT / "sim" / "builds.py", agents.parent / "builds.py")
    shutil.copy(ROOT / "agents" / "__init__.py", agents / "__init__.py")
    weighing = importlib.import_module("redline.agents.weighing")
    for built in Path(weighing.__file__ or "").parent.glob("weighing*"):
        if is_compiled_file(built) and not (half and "__mypyc" in built.name):
            shutil.copy(built, agents / built.name)
    (agents / "weighing.py").write_bytes(source)
    return tmp_path


def is_compiled_file(path: Path) -> bool:
    return path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _imported(path: Path, pure: bool = False) -> str:
    code = "import redline.agents.weighing as w, redline.agents as a; print(w.__file__, a.weighing is w)"
    env = {k: v for k, v in os.environ.items() if k != "REDLINE_PURE_PYTHON"}
    env["PYTHONPATH"] = str(path)
    if pure:
        env["REDLINE_PURE_PYTHON"] = "1"
    # -S: without site-packages, whose finder of the editable install would find the part of a build left out.
    r = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, cwd=path, timeout=60
    )
    assert r.returncode == 0, r.stderr
    origin, same = r.stdout.split()
    assert Path(origin).is_relative_to(path) and same == "True", r.stdout
    return Path(origin).name


@pytest.mark.skipif("agents/weighing.py" not in BUILT, reason="the weighing is not compiled here")
def test_a_build_is_used_only_with_the_source_it_was_made_from(tmp_path):
    source = (ROOT / "agents" / "weighing.py").read_bytes()
    assert _imported(_package(tmp_path / "same", source)) != "weighing.py"
    # An edit as small as a comment: the source is run, not the build of the version before it.
    assert _imported(_package(tmp_path / "edited", source + b"# edited\n")) == "weighing.py"
    # Half a build (a compiler that built only the small module in the source's place): the source, not an error.
    assert _imported(_package(tmp_path / "half", source, half=True)) == "weighing.py"
    # Asked to run as Python: the source, beside a build that matches it.
    assert _imported(_package(tmp_path / "pure", source), pure=True) == "weighing.py"


def test_the_digest_a_build_records_is_the_one_it_is_checked_against():
    """setup.py writes the digest out (it cannot import the package it builds): the two agree."""
    import redline.builds as builds

    namespace: dict = {}
    digest_def = next(n for n in SETUP.body if isinstance(n, ast.FunctionDef) and n.name == "digest")
    exec(compile(ast.Module([digest_def], []), "setup.py", "exec"), {"hashlib": hashlib}, namespace)
    assert namespace["digest"](b"x = 1\n") == builds.digest(b"x = 1\n")
