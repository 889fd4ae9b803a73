from __future__ import annotations

from pathlib import Path

import pytest

from redline.cli import main

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
