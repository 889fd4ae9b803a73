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
from pathlib import Path

import numpy as np
import pytest

from redline.builds import is_compiled

from .conftest import COMPILED, COMPILER, FLAGSHIP, ROOT, SETUP, as_python

MODULES = {path: package.removesuffix(".py").replace("/", ".") for path, package in COMPILED.items()}
BUILT = [path for path, name in MODULES.items() if is_compiled(importlib.import_module(name))]
needs_builds = pytest.mark.skipif(not BUILT, reason="nothing is compiled here")


def test_make_rebuilds_the_modules_that_setup_compiles(tmp_path):
    """The Makefile's rule for the builds names every source whose types are compiled in: the compiled modules'
    own and those of the modules they import (else an edit of one leaves the builds stale until the next set-up:
    right, since the sources then run, but slower)."""
    namespace: dict = {}
    typed_by = next(n for n in SETUP.body if isinstance(n, ast.FunctionDef) and n.name == "typed_by")
    exec(compile(ast.Module([typed_by], []), "setup.py", "exec"), {"ast": ast, "Path": Path}, namespace)
    import redline

    tree = Path(redline.__file__).parent.parent
    if not (tree / "redline").is_dir():  # a checkout: lay it out as the package, to read it as the build does
        tree = _laid_out(tmp_path)
    places = namespace["typed_by"](tree, list(COMPILED.values()))
    assert "redline/language/spec.py" in places and "redline/engine/network.py" in places
    checkout = {package: path for path, package in COMPILED.items()}
    wanted = {
        checkout.get(p) or ("agents/" + p[15:] if p.startswith("redline/agents/") else "sim/" + p[8:])
        for p in places
    }
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    listed = re.search(r"^COMPILED_FROM := (.*)$", makefile, re.MULTILINE)
    rule = re.search(r"^\$\(COMPILED\): (.*) \|", makefile, re.MULTILINE)
    assert listed is not None and rule is not None
    assert sorted(rule.group(1).split()) == ["$(COMPILED_FROM)", "setup.py"]
    assert sorted(listed.group(1).split()) == sorted(wanted)


def _laid_out(tmp: Path) -> Path:
    """The checkout's sources laid out as the package (redline/, redline/agents/), as setup.py lays them out."""
    shutil.copytree(ROOT / "sim", tmp / "redline", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copytree(
        ROOT / "agents", tmp / "redline" / "agents", ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    return tmp


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
    """Poisson counts by inversion and, above its mean, by rejection, from blocks as Draws takes them (a block
    that draws more when it runs short: a small one here, so that it often does): the same counts and the same
    numbers left."""
    import redline.engine.counts as counts
    from redline.engine.draws import Block, Draws

    def counted(module, block: Block, mean: float) -> list[int]:
        """300 counts as Draws.poisson draws them, through `module`'s inversion and rejection."""
        if mean <= 0:
            return [0] * 300
        if mean > module.INVERTED_UP_TO:
            return [module.rejected(block.numbers, block.take, mean) for _ in range(300)]
        return [module.inverted(block.one(), mean) for _ in range(300)]

    python = as_python("sim/engine/counts.py")
    for seed, mean in enumerate((0.0, 1e-9, 0.3, 2.0, 9.99, 10.01, 37.5, 400.0, 1e5)):
        sides = []
        for module in (counts, python):
            # each side's block draws the same numbers as the other's
            block = Block(np.random.default_rng(seed), False, 7)
            sides.append((counted(module, block, mean), block.numbers))
        (got, left), (expected, python_left) = sides
        assert got == expected and left == python_left, mean
        assert (sum(got) > 0) == (mean > 0.01)
        draws = Draws(np.random.default_rng(seed))
        draws._uniforms = Block(np.random.default_rng(seed), False, 7)
        assert draws.poissons(mean, 300) == got, mean  # `counted` draws as Draws does


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


def test_the_group_is_the_one_setup_compiles():
    """redline.builds decides for the modules that setup.py compiles together: the same modules."""
    import redline.builds as builds

    assert sorted(builds.GROUP) == sorted(COMPILED.values())


def _package(tmp_path: Path, edit: str = "", half: bool = False) -> Path:
    """A copy of the installed package, builds and all (`half`: the library that the builds load broken), with
    `edit` (a module of the group, by its place in the package) edited by a comment: the folder to put on the
    path."""
    import redline

    package = tmp_path / "redline"
    shutil.copytree(Path(redline.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "agents", package / "agents", ignore=shutil.ignore_patterns("__pycache__"))
    if half:  # a library that does not load (removed, Python would find the checkout's through its install)
        for built in package.glob("native__mypyc*"):
            built.write_bytes(b"not a library")
    if edit:
        source = tmp_path / edit
        source.write_bytes(source.read_bytes() + b"# edited\n")
    return tmp_path


def _imported(path: Path, pure: bool = False) -> list[str]:
    """The files that the group's modules were imported from, with the package at `path` first on the path."""
    code = (
        "import redline.engine.model, redline.builds as b, sys\n"
        "print(' '.join(sys.modules[m].__file__ for m in b.NAMES.values()))"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDLINE_PURE_PYTHON"}
    env["PYTHONPATH"] = str(path)
    if pure:
        env["REDLINE_PURE_PYTHON"] = "1"
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=path, timeout=60
    )
    assert r.returncode == 0, r.stderr
    files = r.stdout.split()
    assert len(files) == len(COMPILED) and all(Path(f).is_relative_to(path) for f in files), r.stdout
    return [Path(f).name for f in files]


@pytest.mark.skipif(len(BUILT) < len(COMPILED), reason="the group is not compiled here")
def test_the_builds_are_used_only_with_the_sources_they_were_made_from_and_all_together(tmp_path):
    sources = [Path(p).name for p in sorted(COMPILED.values())]
    built = _imported(_package(tmp_path / "same"))
    assert all(is_compiled_file(Path(f)) for f in built), built
    # An edit as small as a comment to any one module: every module of the group runs from its source, the
    # others' builds too (compiled, they call one another's native classes, which a source does not make).
    for edited in ("redline/agents/actor.py", "redline/engine/counts.py"):
        assert _imported(_package(tmp_path / edited.replace("/", "-"), edit=edited)) == sources
    # Half a build (the small modules in the sources' place, and a library they cannot load): the sources.
    assert _imported(_package(tmp_path / "half", half=True)) == sources
    # Asked to run as Python: the sources, beside builds that match them.
    assert _imported(_package(tmp_path / "pure"), pure=True) == sources


def is_compiled_file(path: Path) -> bool:
    return path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def test_the_digest_a_build_records_is_the_one_it_is_checked_against():
    """setup.py writes the digest out (it cannot import the package it builds): the two agree."""
    import redline.builds as builds

    namespace: dict = {}
    digest_def = next(n for n in SETUP.body if isinstance(n, ast.FunctionDef) and n.name == "digest")
    exec(compile(ast.Module([digest_def], []), "setup.py", "exec"), {"hashlib": hashlib}, namespace)
    sources = {"redline/a.py": b"x = 1\n", "redline/b.py": b"y = 2\n"}
    assert namespace["digest"](sources) == builds.digest(sources)
    assert builds.digest(sources) != builds.digest({**sources, "redline/b.py": b"y = 3\n"})
