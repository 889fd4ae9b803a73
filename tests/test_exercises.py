"""Every command of every exercise runs; the keys answer every question under two settings that differ."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT

EXERCISES = sorted((ROOT / "docs" / "exercises").glob("[0-9][0-9]-*.md"))


def commands(path):
    blocks = re.findall(r"```sh\n(.*?)```", path.read_text(), re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("redline ")]


def test_there_are_five_exercises_with_goals_commands_and_questions():
    assert len(EXERCISES) >= 5
    for path in EXERCISES:
        text = path.read_text()
        assert "**Learning goals.**" in text and "## Questions" in text and commands(path), path.name


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_commands_run(path, tmp_path):
    # A class works from the project's root: give the commands its scenarios and docs, and a fresh out/.
    for name in ("scenarios", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    for line in commands(path):
        argv = shlex.split(line)[1:]
        r = subprocess.run(
            [sys.executable, "-m", "redline.cli", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        allowed = {0, 1} if argv[0] == "check" else {0}  # a check may fail: that is what exercise 3 is about
        assert r.returncode in allowed, f"{line}\n{r.stderr}"
        assert "Traceback" not in r.stderr


def _questions(path) -> int:
    """How many numbered questions an exercise asks."""
    part = path.read_text().split("## Questions", 1)[1]
    return len(re.findall(r"^\d+\. ", part, re.M))


def test_the_keys_answer_every_question_under_two_settings_that_differ():
    """make_keys.py answers each question under the two (or more) settings it names; a question the model answers
    the same way under both would teach nothing about the lever, and a key saying 'no date' or 'no action' answers
    nothing. keys.json is written with keys.md: the answers per setting, as they appear in keys.md."""
    keys = (ROOT / "docs" / "exercises" / "keys.md").read_text()
    for empty in ("no date", "no action"):
        assert empty not in keys.lower(), f"a key says '{empty}'"
    records = json.loads((ROOT / "docs" / "exercises" / "keys.json").read_text())
    for n, path in enumerate(EXERCISES, 1):
        asked = _questions(path)
        answered = sorted(r["question"] for r in records if r["exercise"] == n)
        assert answered == list(range(1, asked + 1)), f"{path.name}: questions {asked}, keys {answered}"
    for r in records:
        answers = list(r["settings"].values())
        where = f"exercise {r['exercise']}, question {r['question']}"
        assert len(answers) >= 2, f"{where}: one setting"
        assert len(set(answers)) == len(answers), f"{where}: two settings give the same answer: {answers}"
        for name, text in r["settings"].items():
            assert f"{name}: {text}" in keys, f"{where}: '{name}' is not in keys.md as in keys.json"


def test_the_keys_generator_refuses_a_question_whose_settings_agree():
    spec = importlib.util.spec_from_file_location("make_keys", ROOT / "docs" / "exercises" / "make_keys.py")
    make_keys = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_keys)
    keys = make_keys.Keys()
    keys.add(1, 1, {"a": "Iran uses force in 3 of 100 runs", "b": "Iran uses force in 50 of 100 runs"})
    with pytest.raises(SystemExit, match="same answer"):
        keys.add(1, 2, {"a": "the same", "b": "the same"})
    with pytest.raises(SystemExit, match="no date"):
        keys.add(1, 3, {"a": "first on no date", "b": "first on 2024-02-13"})
