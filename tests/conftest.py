from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redline.frontends.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.yaml"
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"


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
