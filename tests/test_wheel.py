"""redline installs from its wheel and works anywhere: one import name, the data inside the package.

The wheel is built from the checkout and installed into a new virtual environment in a temporary folder; its
commands then run in another temporary folder, so that nothing of the checkout can be found by accident. To keep
the test fast and offline, the new environment borrows the dependencies (and only them) from the environment the
tests run in, through a .pth file: that environment holds redline as an editable install, whose import hook a .pth
line does not start, so every `redline` the new environment imports is the wheel's (the test checks it).
"""

from __future__ import annotations

import ast
import importlib.machinery
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from .conftest import COMPILED, COMPILER, ROOT, built_wheel


@pytest.fixture(scope="session")
def wheel(request) -> Path:
    """The wheel of this run (tests/conftest.py starts building it when the run begins)."""
    return built_wheel(request.config)


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory) -> Path:
    """A new environment holding the wheel: its bin/ folder."""
    env = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env], check=True, timeout=120)
    python = env / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "redline-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env / "bin"


@pytest.fixture
def redline(venv, tmp_path):
    """Run the installed `redline` command in an empty folder; return the finished process."""
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

    def run(*args: str | Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [venv / "redline", *map(str, args)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            input=input,
        )

    run.folder = work  # type: ignore[attr-defined]
    return run


@pytest.mark.slow
def test_the_wheel_holds_one_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"redline", f"{'-'.join(wheel.name.split('-')[:2])}.dist-info"}, tops
    shipped = sorted(
        p.relative_to(ROOT).as_posix() for d in ("scenarios", "seeds") for p in (ROOT / d).rglob("*.yaml")
    )
    assert sorted(n.removeprefix("redline/") for n in names if n.endswith(".yaml")) == shipped
    assert "redline/py.typed" in names
    # Every source of the checkout is in the wheel where it is imported from: sim/ as redline/, with its parts'
    # folders (the app's page templates among them), agents/ as redline/agents/.
    sources = [p for p in (ROOT / "sim").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    installed = [f"redline/{p.relative_to(ROOT / 'sim').as_posix()}" for p in sources]
    installed += [
        f"redline/{d}/{p.name}" for d in ("agents", "scenarios", "seeds") for p in (ROOT / d).glob("*.py")
    ]
    assert "redline/frontends/cli.py" in installed and "redline/agents/actor.py" in installed
    assert not sorted(set(installed) - set(names))
    assert not sorted(
        {n for n in names if n.endswith(".py")} - set(installed)
    )  # nothing left from an old layout
    # The modules setup.py compiles, each beside its source, the library they all load in the package, and nothing
    # else compiled.
    built = sorted(n for n in names if n.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)))
    expected = sorted(
        [*(package.removesuffix(".py") for package in COMPILED.values()), "redline/native__mypyc"]
    )
    assert [n.split(".")[0] for n in built] == (expected if COMPILER else [])


@pytest.mark.slow
def test_the_installed_package_is_the_wheels_and_alone(venv, redline):
    code = (
        "import importlib.util, redline, redline.agents.actor, redline.language.paths as p\n"
        "print(redline.__file__); print(p.SCENARIOS)\n"
        "print([m for m in ('sim', 'agents') if importlib.util.find_spec(m)])\n"
        "import redline.engine.model\n"
        "print(redline.agents.actor.best_option.__module__, redline.agents.weighing.__file__)\n"
        "print(redline.engine.counts.__file__, redline.engine.resolving.__file__)\n"
    )
    r = subprocess.run([venv / "python", "-c", code], cwd=redline.folder, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    module, scenarios, tops, weighing, engine = r.stdout.splitlines()
    assert Path(module).is_relative_to(venv.parent) and Path(scenarios).is_relative_to(venv.parent)
    assert tops == "[]"
    # The installed package weighs its options with the compiled build (it matches the source installed with it).
    name, origin = weighing.split()
    assert name == "redline.agents.weighing" and Path(origin).is_relative_to(venv.parent)
    origins = [origin, *engine.split()]
    assert all(Path(o).is_relative_to(venv.parent) for o in origins), origins
    if COMPILER:
        assert all(o.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) for o in origins), origins
    v = redline("--version")
    assert v.returncode == 0 and re.fullmatch(r"redline \d+\.\d+\.\d+\S*\n", v.stdout), v


@pytest.mark.slow
def test_shipped_scenarios_run_by_name_in_any_folder(redline):
    v = redline("validate", "axis-2023", "axis-2023-no-jordan", "cases/lebanon-2006")
    assert v.returncode == 0, v.stderr
    assert v.stdout.count(": ok (") == 3
    r = redline("run", "axis-2023", "--runs", "5", "--seed", "1", "--out", "x", "-q")
    assert r.returncode == 0, r.stderr
    out = redline.folder / "x"
    assert len(pd.read_parquet(out / "runs.parquet")) == 5
    assert len(pd.read_parquet(out / "events.parquet")) > 0
    assert (out / "summary.md").read_text().strip()
    bad = redline("run", "axis-2024", "--out", "y")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert "'axis-2023'" in bad.stderr and "cases/{" in bad.stderr and "Traceback" not in bad.stderr
    assert not (redline.folder / "y").exists()


@pytest.mark.slow
def test_the_evidence_base_is_installed(redline):
    r = redline("seeds", "--actor", "iran")
    assert r.returncode == 0, r.stderr
    claims = re.findall(r"^  (s\d{3}\.c\d+) ", r.stdout, re.M)
    assert len(claims) >= 5 and len({c.split(".")[0] for c in claims}) >= 2


@pytest.mark.slow
def test_the_readmes_tiny_scenario_runs_with_the_shipped_ladder(redline):
    text = (ROOT / "README.md").read_text()
    (tiny,) = re.findall(r"```yaml\n(scenario: tiny\n.*?)```", text, re.S)
    (redline.folder / "tiny.yaml").write_text(tiny)
    v = redline("validate", "tiny.yaml")
    assert v.returncode == 0, v.stderr
    r = redline("run", "tiny.yaml", "--runs", "3", "--out", "t", "-q")
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(redline.folder / "t" / "runs.parquet")) == 3


@pytest.mark.parametrize("folder", ["sim", "agents", "tests", "benchmarks", "docs"])
def test_the_sources_import_redline_only(folder):
    """The folders are the package's sources, not packages of their own: `import sim...` would load a second copy."""
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            bad += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}"
                for n in names
                if n.split(".")[0] in ("sim", "agents")
            ]
    assert not bad
