from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from types import ModuleType

import pytest

from redline.builds import pure
from redline.frontends.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.yaml"
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"

# The modules setup.py compiles: checkout path -> path in the package (read from setup.py, not imported: it builds).
SETUP = ast.parse((ROOT / "setup.py").read_text())
COMPILED: dict[str, str] = next(
    ast.literal_eval(node.value)
    for node in SETUP.body
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED"
)
# Whether this machine can compile them (a C compiler), and whether the set-up was asked not to.
_CC = sysconfig.get_config_var("CC")
COMPILER = bool(_CC) and shutil.which(_CC.split()[0]) is not None and not pure()


def as_python(path: str) -> ModuleType:
    """The compiled module whose source is `path` (a key of COMPILED), run from that source under another name,
    whatever the package imported."""
    spec = importlib.util.spec_from_file_location(f"{Path(path).stem}_as_python", ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cli(capsys):
    """Run `redline ARGS...` in-process; return (status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture(autouse=True, scope="session")
def _one_import_name():
    """redline's modules load as redline.* only. The checkout's sim/ and agents/ folders are on sys.path too (pytest
    puts the root there): a module loaded under a folder's name as well would be a second copy, patched apart."""
    yield
    twice = sorted(m for m in sys.modules if m.split(".")[0] in ("sim", "agents"))
    assert not twice, f"loaded under a folder's name, not as redline.*: {', '.join(twice)}"


# --- the wheel, built in the background from the start of a run that tests it (tests/test_wheel.py) ---------------

# What a checkout holds that is not its source: environments, builds, results and caches.
LOCAL = (
    ".git",
    ".venv",
    "build",
    "out",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
    "*.so",
)
# Run in a process of its own: the checkout copied without its build/ folder (setuptools reuses build/lib, so a
# module moved or deleted since an earlier build would still be shipped), then built by this environment's setuptools
# and mypy (which the set-up installs first: offline, and quicker than an environment made for the build). It leaves
# "built" or "failed" (with pip's messages) beside the wheel.
BUILD_WHEEL = r"""
import shutil, subprocess, sys
from pathlib import Path

root, folder, local = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
source = folder / "checkout"
shutil.copytree(root, source, ignore=shutil.ignore_patterns(*local))
args = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(folder)]
done = subprocess.run(args, capture_output=True, text=True, cwd=folder, timeout=300)
(folder / ("built" if done.returncode == 0 else "failed")).write_text(done.stdout + done.stderr)
"""
_WHEEL: dict[str, Path] = {}
_BUILDER: list[subprocess.Popen] = []  # the build this process started


def wheel_folder(config: pytest.Config) -> Path:
    """Where this run's wheel is built: a folder that the workers of one run share."""
    if "folder" not in _WHEEL:
        base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        _WHEEL["folder"] = (base.parent if worker else base) / "wheel"
    return _WHEEL["folder"]


def pytest_collection_finish(session: pytest.Session) -> None:
    """A run that tests the wheel starts building it now, in the background, so that it is ready when those tests
    come (half a minute: its modules are compiled). The first worker to get here builds it for all."""
    if not any(item.nodeid.startswith("tests/test_wheel.py") for item in session.items):
        return
    folder = wheel_folder(session.config)
    try:
        folder.mkdir()
    except FileExistsError:  # another worker of this run builds it
        return
    args = [sys.executable, "-c", BUILD_WHEEL, str(ROOT), str(folder), *LOCAL]
    _BUILDER.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for builder in _BUILDER:  # done by now, unless the run stopped early: then it is not left running
        if builder.poll() is None:
            builder.kill()
        builder.wait()


def built_wheel(config: pytest.Config, timeout: float = 300.0) -> Path:
    """The wheel of this run, once it is built (by this process or another worker's)."""
    folder = wheel_folder(config)
    deadline = time.monotonic() + timeout
    while not (folder / "built").exists():
        if (folder / "failed").exists():
            pytest.fail(f"the wheel did not build:\n{(folder / 'failed').read_text()}")
        if time.monotonic() > deadline or not folder.exists():
            pytest.fail(f"no wheel built in {folder} after {timeout:.0f} s")
        time.sleep(0.2)
    (whl,) = folder.glob("redline-*.whl")
    return whl
