"""The README's scenario script runs as written (with fewer runs and a temporary output folder)."""

from __future__ import annotations

import glob
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT


def test_readme_script_runs(tmp_path):
    text = (ROOT / "README.md").read_text()
    (script,) = re.findall(r"```python\n(.*?)```", text, re.S)
    script = script.replace("runs=100", "runs=8").replace('"out/', f'"{tmp_path}/')
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "iran_us_clash" in r.stdout and "militia uses of force per run" in r.stdout
    assert (tmp_path / "weak-control" / "timeline.png").is_file()


def _shell_commands(text: str) -> list[list[str]]:
    """The `redline` commands of a page's shell blocks, continued lines joined, comments and redirections cut, globs
    expanded as a shell would from the project's root."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] != ["redline"]:
                continue
            words = words[: words.index(">")] if ">" in words else words
            out.append([w for word in words[1:] for w in (sorted(glob.glob(word, root_dir=ROOT)) or [word])])
    return out


# The pages whose shell blocks give `redline` commands (the exercises' are run: tests/test_exercises.py).
PAGES = [
    "README.md",
    "docs/cluster.md",
    "docs/gallery.md",
    "docs/validation.md",
    "docs/calibration.md",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_commands_of_a_page_are_taken_by_the_command_line(monkeypatch, page):
    """Each `redline ...` line of the page names a command, flags and values the command line takes (parsed, not
    run: the runs, checks and plots they make are tested elsewhere)."""
    from redline.frontends.cli import build_parser

    monkeypatch.chdir(ROOT)
    commands = _shell_commands((ROOT / page).read_text())
    assert commands, f"{page} gives no redline command"
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)  # a flag or a value it does not take raises UsageError, in one line
        assert args.command == argv[0]


def test_the_readme_shows_the_main_commands():
    commands = _shell_commands((ROOT / "README.md").read_text())
    assert {c[0] for c in commands} >= {
        "run",
        "check",
        "compare",
        "sweep",
        "robustness",
        "validate",
        "debrief",
    }
