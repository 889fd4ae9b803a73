"""The README's scenario script runs as written (with fewer runs and a temporary output folder)."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT


def test_readme_script_runs(tmp_path):
    text = (ROOT / "README.md").read_text()
    (script,) = re.findall(r"```python\n(.*?)```", text, re.S)
    script = script.replace("runs=100", "runs=8").replace('"out/', f'"{tmp_path}/')
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "iran_us_clash" in r.stdout and "militia uses of force per run" in r.stdout
    assert (tmp_path / "weak-control" / "timeline.png").is_file()
