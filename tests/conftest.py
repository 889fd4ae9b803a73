from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import sysconfig
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
